/**
 * Sensor markers: a pin (stem from the floor to the sensor's height) topped by
 * a sphere coloured by the live value, and a ring that tells the status
 * (amber warn, red pulsing alarm, grey stale or offline).
 */

import {
  BackSide,
  BufferGeometry,
  Color,
  Float32BufferAttribute,
  Group,
  LineBasicMaterial,
  LineSegments,
  Mesh,
  MeshBasicMaterial,
  MeshLambertMaterial,
  SphereGeometry,
  TorusGeometry,
  type Vector3,
} from 'three';
import type { SensorDef, SensorStatus, ZoneDef } from '../types';
import { venueToWorld } from './coords';
import { STATUS_COLORS, type ScenePalette } from './palette';


export interface MarkerLook {
  /** sRGB 0..1, or null for "no value on the selected scale". */
  color: [number, number, number] | null;
  status: SensorStatus;
  /** The marker's kind matches the selected quantity. */
  emphasised: boolean;
}

interface Marker {
  root: Group;
  /** Sphere, outline and rings: scaled for emphasis while the stem keeps reaching the floor. */
  head: Group;
  outline: Mesh;
  sphere: Mesh<SphereGeometry, MeshLambertMaterial>;
  ring: Mesh<TorusGeometry, MeshBasicMaterial>;
  status: SensorStatus;
  baseScale: number;
}

export class SensorMarkers {
  readonly group = new Group();
  private readonly markers = new Map<string, Marker>();
  private readonly hitTargets: Mesh[] = [];
  private readonly sphereGeometry: SphereGeometry;
  private readonly ringGeometry: TorusGeometry;
  private readonly hitGeometry: SphereGeometry;
  private readonly stemMaterial: LineBasicMaterial;
  /** Dark (or light) rim behind each sphere so it reads against a floor of the same colour. */
  private readonly outlineMaterial: MeshBasicMaterial;
  private readonly selection: Mesh<TorusGeometry, MeshBasicMaterial>;
  private palette: ScenePalette;
  private selectedId: string | null = null;

  /** `radius` in metres: the app sizes markers to the venue so they stay visible. */
  constructor(sensors: SensorDef[], zones: Map<string, ZoneDef>, palette: ScenePalette, radius = 0.4) {
    this.palette = palette;
    this.sphereGeometry = new SphereGeometry(radius, 24, 16);
    this.ringGeometry = new TorusGeometry(radius * 1.9, radius * 0.22, 8, 40);
    this.hitGeometry = new SphereGeometry(radius * 2.2, 8, 6);
    this.outlineMaterial = new MeshBasicMaterial({ color: palette.outline, side: BackSide });
    this.group.name = 'sensors';
    this.stemMaterial = new LineBasicMaterial({ color: palette.stem, transparent: true, opacity: 0.7 });
    const hitMaterial = new MeshBasicMaterial();
    for (const sensor of sensors) {
      const [x, y, z] = sensor.position;
      const level = (sensor.zone ? zones.get(sensor.zone)?.level : null) ?? 0;
      const root = new Group();
      root.position.copy(venueToWorld(x, y, z));
      root.userData = { sensorId: sensor.id };

      const stem = new BufferGeometry();
      // From the sphere down to the floor, in the marker's local frame.
      stem.setAttribute('position', new Float32BufferAttribute([0, -radius, 0, 0, level - z, 0], 3));
      root.add(new LineSegments(stem, this.stemMaterial));

      const sphere = new Mesh(
        this.sphereGeometry,
        new MeshLambertMaterial({ color: palette.markerNeutral, emissive: 0x000000 }),
      );
      const head = new Group();
      root.add(head);
      head.add(sphere);
      const outline = new Mesh(this.sphereGeometry, this.outlineMaterial);
      outline.scale.setScalar(1.22);
      head.add(outline);

      const ring = new Mesh(this.ringGeometry, new MeshBasicMaterial({ color: STATUS_COLORS.warn }));
      ring.rotation.x = Math.PI / 2;
      ring.visible = false;
      head.add(ring);

      const hit = new Mesh(this.hitGeometry, hitMaterial);
      hit.visible = false;
      hit.userData = { sensorId: sensor.id };
      root.add(hit);
      this.hitTargets.push(hit);

      this.group.add(root);
      this.markers.set(sensor.id, { root, head, outline, sphere, ring, status: 'unknown', baseScale: 1 });
    }
    this.selection = new Mesh(
      new TorusGeometry(radius * 2.6, radius * 0.12, 8, 48),
      new MeshBasicMaterial({ color: palette.selection }),
    );
    this.selection.rotation.x = Math.PI / 2;
    this.selection.visible = false;
  }

  /** Invisible, larger spheres: easier to hit with a pointer than the marker itself. */
  pickTargets(): Mesh[] {
    return this.hitTargets;
  }

  position(id: string): Vector3 | null {
    return this.markers.get(id)?.root.position ?? null;
  }

  update(id: string, look: MarkerLook): void {
    const marker = this.markers.get(id);
    if (marker === undefined) return;
    const material = marker.sphere.material;
    const neutral = new Color(this.palette.markerNeutral);
    if (look.color === null || look.status === 'offline' || !look.emphasised) {
      material.color.copy(neutral);
    } else {
      material.color.setRGB(look.color[0], look.color[1], look.color[2], 'srgb');
      // A stale value is shown, but faded: it is what we last knew, not what is.
      if (look.status === 'stale') material.color.lerp(neutral, 0.55);
    }
    material.emissive.copy(material.color).multiplyScalar(look.emphasised ? 0.35 : 0.1);
    // Other kinds recede: smaller, no rim, so the selected quantity reads first.
    // A warning or alarm stays prominent whatever quantity is selected.
    const urgent = look.status === 'warn' || look.status === 'alarm';
    marker.baseScale = look.emphasised ? 1 : urgent ? 0.8 : 0.5;
    marker.outline.visible = look.emphasised;
    marker.head.scale.setScalar(marker.baseScale);
    marker.status = look.status;
    const ringColor = STATUS_COLORS[look.status];
    marker.ring.visible = look.status !== 'ok' && look.status !== 'unknown' && ringColor !== undefined;
    if (ringColor !== undefined) marker.ring.material.color.setHex(ringColor);
    marker.ring.scale.setScalar(1);
  }

  setSelected(id: string | null): void {
    this.selection.removeFromParent();
    this.selectedId = id;
    const marker = id === null ? undefined : this.markers.get(id);
    this.selection.visible = marker !== undefined;
    marker?.head.add(this.selection);
  }

  get selected(): string | null {
    return this.selectedId;
  }

  /** Pulse alarm rings. Returns whether anything moved (the view then keeps rendering). */
  animate(timeMs: number): boolean {
    let moving = false;
    const pulse = 1 + 0.35 * (0.5 + 0.5 * Math.sin(timeMs / 180));
    for (const marker of this.markers.values()) {
      if (marker.status !== 'alarm') continue;
      marker.ring.scale.setScalar(pulse);
      moving = true;
    }
    return moving;
  }

  setPalette(palette: ScenePalette): void {
    this.palette = palette;
    this.stemMaterial.color.setHex(palette.stem);
    this.outlineMaterial.color.setHex(palette.outline);
    this.selection.material.color.setHex(palette.selection);
  }
}
