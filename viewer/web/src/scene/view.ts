/**
 * The 3D viewport: renderer, camera, orbit controls, lights and the render
 * loop. It renders on demand (camera moved, data changed, an alarm pulsing)
 * rather than at a constant 60 Hz: a wall display runs all day, and a
 * software-rendered browser in CI has two cores to share.
 */

import {
  AmbientLight,
  Box3,
  DirectionalLight,
  Fog,
  GridHelper,
  HemisphereLight,
  type LineBasicMaterial,
  Mesh,
  MeshBasicMaterial,
  type Object3D,
  PerspectiveCamera,
  PlaneGeometry,
  type Ray,
  Raycaster,
  Scene,
  Vector2,
  Vector3,
  WebGLRenderer,
} from 'three';
import { t } from '../i18n';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { LabelLayer } from './labels';
import type { ScenePalette } from './palette';

/** Frames rendered while something animates, at most this often (ms). */
const ANIMATION_FRAME_MS = 50;

export type FrameHook = (timeMs: number) => boolean;

export class VenueView {
  readonly renderer: WebGLRenderer;
  readonly scene = new Scene();
  readonly camera = new PerspectiveCamera(40, 1, 0.1, 2000);
  readonly controls: OrbitControls;
  readonly labels: LabelLayer;
  private readonly ground: Mesh<PlaneGeometry, MeshBasicMaterial>;
  private grid: GridHelper | null = null;
  private readonly hemisphere = new HemisphereLight(0xffffff, 0x404850, 1.6);
  private readonly raycaster = new Raycaster();
  private readonly hooks: FrameHook[] = [];
  private dirty = true;
  private lastAnimationFrame = 0;
  private width = 1;
  private height = 1;
  private homeTarget = new Vector3();
  private homePosition = new Vector3(30, 40, 40);
  private frameCount = 0;
  private fogRange: [number, number] = [100, 400];
  private palette: ScenePalette;
  private readonly resizeObserver: ResizeObserver;
  /** A camera move in progress (focus on an alarm's source). */
  private flight: { from: [Vector3, Vector3]; to: [Vector3, Vector3]; startMs: number | null } | null = null;

  constructor(
    private readonly container: HTMLElement,
    palette: ScenePalette,
  ) {
    this.palette = palette;
    this.renderer = new WebGLRenderer({ antialias: true, powerPreference: 'high-performance' });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.renderer.domElement.dataset.testid = 'venue-canvas';
    this.renderer.domElement.setAttribute('aria-label', t('app.view3d'));
    container.appendChild(this.renderer.domElement);
    this.labels = new LabelLayer(container);

    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.enableDamping = true;
    this.controls.dampingFactor = 0.12;
    this.controls.maxPolarAngle = Math.PI * 0.495; // never look from under the floor
    this.controls.screenSpacePanning = false; // pan along the floor plane
    this.controls.addEventListener('change', () => this.requestRender());

    this.scene.add(this.hemisphere);
    this.scene.add(new AmbientLight(0xffffff, 0.35));
    const sun = new DirectionalLight(0xffffff, 1.4);
    sun.position.set(-30, 60, 40);
    this.scene.add(sun);

    this.ground = new Mesh(new PlaneGeometry(1, 1), new MeshBasicMaterial({ color: palette.ground }));
    this.ground.rotation.x = -Math.PI / 2;
    // Ground and grid are drawn first and write no depth: whatever stands on
    // them always wins, even with a 16-bit depth buffer (software GL).
    this.ground.material.depthWrite = false;
    this.ground.renderOrder = -2;
    this.ground.position.y = -0.02;
    this.scene.add(this.ground);
    this.setPalette(palette);

    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
    this.resize();
    this.renderer.setAnimationLoop((time: number) => this.tick(time));
  }

  /** Called every animation frame; returns true while it needs more frames. */
  addFrameHook(hook: FrameHook): void {
    this.hooks.push(hook);
  }

  add(object: Object3D): void {
    this.scene.add(object);
    this.requestRender();
  }

  requestRender(): void {
    this.dirty = true;
  }

  /** Frames drawn so far (tests and the ready flag wait for the first). */
  get framesRendered(): number {
    return this.frameCount;
  }

  setPalette(palette: ScenePalette): void {
    this.palette = palette;
    this.renderer.setClearColor(palette.background);
    if (this.scene.fog !== null) this.scene.fog = new Fog(palette.background, ...this.fogRange);
    this.ground.material.color.setHex(palette.ground);
    if (this.grid !== null) {
      for (const material of [this.grid.material].flat()) {
        (material as LineBasicMaterial).color.setHex(palette.grid);
      }
    }
    this.hemisphere.groundColor.setHex(palette.background);
    this.requestRender();
  }

  /** Size the ground and grid to the venue and frame the camera on it. */
  fit(bounds: Box3): void {
    const size = bounds.getSize(new Vector3());
    const center = bounds.getCenter(new Vector3());
    const extent = Math.max(size.x, size.z, 10);
    const groundSize = Math.ceil((extent * 4) / 50) * 50;
    this.ground.scale.set(groundSize, groundSize, 1);
    this.ground.position.set(center.x, -0.08, center.z);
    this.grid?.removeFromParent();
    // 5 m cells on a small site, 10 m or more on a large one.
    const cell = extent > 400 ? 50 : extent > 150 ? 10 : 5;
    const divisions = Math.round(groundSize / cell);
    // White vertex colours so the material colour alone sets the theme's grid colour.
    this.grid = new GridHelper(groundSize, divisions, 0xffffff, 0xffffff);
    for (const material of [this.grid.material].flat()) {
      (material as LineBasicMaterial).color.setHex(this.palette.grid);
    }
    this.grid.position.set(center.x, -0.05, center.z);
    this.grid.renderOrder = -1;
    for (const material of [this.grid.material].flat()) material.depthWrite = false;
    this.scene.add(this.grid);

    this.camera.near = Math.max(0.1, extent / 200);
    this.camera.far = extent * 20;
    this.controls.maxDistance = extent * 4;
    this.controls.minDistance = 2;

    // Look from the south-west, high enough to see into every room.
    const direction = new Vector3(-0.18, 0.86, 0.62).normalize();
    this.homeTarget = center.clone();
    this.homeTarget.y = bounds.min.y;
    const distance = this.fitDistance(bounds, direction);
    this.homePosition = this.homeTarget.clone().add(direction.multiplyScalar(distance));
    // The ground grid fades out past the venue instead of ending at a hard edge.
    this.fogRange = [distance * 1.1, distance * 2.6];
    this.scene.fog = new Fog(this.palette.background, ...this.fogRange);
    this.home();
  }

  /** Smallest camera distance along `direction` at which every corner of the box is in view. */
  private fitDistance(bounds: Box3, direction: Vector3): number {
    const corners: Vector3[] = [];
    for (const x of [bounds.min.x, bounds.max.x])
      for (const y of [bounds.min.y, bounds.max.y])
        for (const z of [bounds.min.z, bounds.max.z]) corners.push(new Vector3(x, y, z));
    const probe = this.camera.clone();
    // Wide clip range for the probe only, so clipping never reads as "out of view".
    probe.near = 0.001;
    probe.far = 1e7;
    let lo = 1;
    let hi = 4000;
    for (let i = 0; i < 40; i += 1) {
      const mid = (lo + hi) / 2;
      probe.position.copy(this.homeTarget).addScaledVector(direction, mid);
      probe.lookAt(this.homeTarget);
      probe.updateMatrixWorld(true);
      probe.updateProjectionMatrix();
      const fits = corners.every((c) => {
        const p = c.clone().project(probe);
        return Math.abs(p.x) < 0.92 && Math.abs(p.y) < 0.84 && p.z < 1;
      });
      if (fits) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  home(): void {
    this.camera.position.copy(this.homePosition);
    this.controls.target.copy(this.homeTarget);
    this.camera.lookAt(this.homeTarget);
    this.controls.update();
    this.requestRender();
  }

  /**
   * Glide the camera to look at `point` from the current direction, no
   * farther than `distance`: the operator keeps their bearings.
   */
  focus(point: Vector3, distance: number): void {
    const offset = this.camera.position.clone().sub(this.controls.target);
    if (offset.length() > distance) offset.setLength(distance);
    this.flight = {
      from: [this.camera.position.clone(), this.controls.target.clone()],
      to: [point.clone().add(offset), point.clone()],
      startMs: null,
    };
    this.requestRender();
  }

  private fly(timeMs: number): boolean {
    const flight = this.flight;
    if (flight === null) return false;
    flight.startMs ??= timeMs;
    const t = Math.min(1, (timeMs - flight.startMs) / 450);
    const ease = t * t * (3 - 2 * t);
    this.camera.position.lerpVectors(flight.from[0], flight.to[0], ease);
    this.controls.target.lerpVectors(flight.from[1], flight.to[1], ease);
    if (t >= 1) this.flight = null;
    return true;
  }

  /** The camera ray through a client-space point (aims the raycaster too). */
  rayAt(clientX: number, clientY: number): Ray {
    const rect = this.renderer.domElement.getBoundingClientRect();
    const ndc = new Vector2(((clientX - rect.left) / rect.width) * 2 - 1, -((clientY - rect.top) / rect.height) * 2 + 1);
    this.raycaster.setFromCamera(ndc, this.camera);
    return this.raycaster.ray;
  }

  /** Objects under a client-space point, nearest first, with their distance. */
  pick(clientX: number, clientY: number, targets: Object3D[]): { object: Object3D; distance: number; faceIndex: number | null }[] {
    this.rayAt(clientX, clientY);
    return this.raycaster
      .intersectObjects(targets, false)
      .map((hit) => ({ object: hit.object, distance: hit.distance, faceIndex: hit.faceIndex ?? null }));
  }

  /** Screen position (CSS px within the container) of a world point. */
  project(point: Vector3): { x: number; y: number } {
    const p = point.clone().project(this.camera);
    return { x: ((p.x + 1) / 2) * this.width, y: ((1 - p.y) / 2) * this.height };
  }

  private resize(): void {
    const width = Math.max(1, this.container.clientWidth);
    const height = Math.max(1, this.container.clientHeight);
    if (width === this.width && height === this.height) return;
    this.width = width;
    this.height = height;
    this.renderer.setSize(width, height, true);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  private tick(timeMs: number): void {
    const flying = this.fly(timeMs);
    const moved = this.controls.update() || flying;
    let animating = false;
    for (const hook of this.hooks) animating = hook(timeMs) || animating;
    const animationDue = animating && timeMs - this.lastAnimationFrame >= ANIMATION_FRAME_MS;
    if (!this.dirty && !moved && !animationDue) return;
    this.dirty = false;
    if (animating) this.lastAnimationFrame = timeMs;
    this.renderer.render(this.scene, this.camera);
    this.labels.update(this.camera, this.width, this.height);
    this.frameCount += 1;
  }

  dispose(): void {
    this.renderer.setAnimationLoop(null);
    this.resizeObserver.disconnect();
    this.controls.dispose();
    this.renderer.dispose();
  }
}
