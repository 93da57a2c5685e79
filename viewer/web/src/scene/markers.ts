/**
 * Sensor markers: a pin (stem from the floor to the sensor's height) topped by
 * a sphere coloured by the live value, and a ring that tells the status
 * (amber warn, red pulsing alarm, grey stale or offline).
 *
 * All markers of a venue are a handful of draw calls, whatever their number:
 * spheres, rims and rings are instanced meshes and the stems one line set, so
 * a site with thousands of sensors renders as fast as one with twenty.
 * Picking is an analytic ray-sphere test per marker, not a triangle raycast.
 */

import {
  BackSide,
  BufferGeometry,
  Color,
  Float32BufferAttribute,
  Group,
  InstancedMesh,
  LineBasicMaterial,
  LineSegments,
  Matrix4,
  Mesh,
  MeshBasicMaterial,
  Quaternion,
  type Ray,
  Sphere,
  SphereGeometry,
  TorusGeometry,
  Vector3,
} from 'three';
import type { SensorDef, SensorStatus, ZoneDef } from '../types';
import { venueToWorld } from './coords';
import { InstancePool } from './instancePool';
import { levelKey } from './storeys';
import { STATUS_COLORS, type ScenePalette } from './palette';

export interface MarkerLook {
  /** sRGB 0..1, or null for "no value on the selected scale". */
  color: [number, number, number] | null;
  status: SensorStatus;
  /** The marker's kind matches the selected quantity. */
  emphasised: boolean;
}

interface Marker {
  index: number;
  position: Vector3;
  /** Foot of the stem, on the zone's floor. */
  floor: Vector3;
  /** Storey (zone floor elevation) the sensor belongs to. */
  level: number;
  hidden: boolean;
  look: MarkerLook;
  status: SensorStatus;
  /** Head size: 1 for the selected quantity, smaller for the others. */
  scale: number;
  rim: boolean;
}

const RIM_SCALE = 1.22;
const HIT_SCALE = 2.2;
/** Ring lies flat around the sphere. */
const FLAT = new Quaternion().setFromAxisAngle(new Vector3(1, 0, 0), Math.PI / 2);
const IDENTITY = new Quaternion();

export class SensorMarkers {
  readonly group = new Group();
  private readonly markers = new Map<string, Marker>();
  private readonly ids: string[] = [];
  private readonly spheres: InstancedMesh<SphereGeometry, MeshBasicMaterial>;
  private readonly rims: InstancePool;
  private readonly rings: InstancePool;
  private readonly rimMaterial: MeshBasicMaterial;
  private readonly stemMaterial: LineBasicMaterial;
  private readonly selection: Mesh<TorusGeometry, MeshBasicMaterial>;
  private readonly alarms = new Set<string>();
  private readonly stems: LineSegments;
  private palette: ScenePalette;
  private selectedId: string | null = null;
  private readonly matrix = new Matrix4();
  private readonly color = new Color();
  private readonly scaleVector = new Vector3();

  /** `radius` in metres: the app sizes markers to the venue so they stay visible. */
  constructor(
    sensors: SensorDef[],
    zones: Map<string, ZoneDef>,
    palette: ScenePalette,
    private readonly radius = 0.4,
    storeyOf: (zoneId: string | null) => number = (zoneId) => levelKey(zoneId ? zones.get(zoneId)?.level : 0),
  ) {
    this.palette = palette;
    this.group.name = 'sensors';
    const count = Math.max(1, sensors.length);
    // Thousands of markers are a few pixels each: fewer facets cost nothing visible.
    const sphereGeometry = count > 1500 ? new SphereGeometry(radius, 10, 7) : new SphereGeometry(radius, 16, 12);
    // Unlit: the marker's colour is data and must read exactly as the legend
    // says, whichever side the light comes from; the rim gives it its shape.
    this.spheres = new InstancedMesh(sphereGeometry, new MeshBasicMaterial({ color: 0xffffff }), count);
    this.rimMaterial = new MeshBasicMaterial({ color: palette.outline, side: BackSide });
    this.rims = new InstancePool(new InstancedMesh(sphereGeometry, this.rimMaterial, count));
    this.rings = new InstancePool(
      new InstancedMesh(new TorusGeometry(radius * 1.9, radius * 0.22, 6, 32), new MeshBasicMaterial({ color: 0xffffff }), count),
    );
    this.stemMaterial = new LineBasicMaterial({ color: palette.stem, transparent: true, opacity: 0.7 });

    sensors.forEach((sensor, index) => {
      const [x, y, z] = sensor.position;
      const level = (sensor.zone ? zones.get(sensor.zone)?.level : null) ?? 0;
      const position = venueToWorld(x, y, z);
      const floor = venueToWorld(x, y, level);
      const look: MarkerLook = { color: null, status: 'unknown', emphasised: false };
      this.markers.set(sensor.id, {
        index,
        position,
        floor,
        level: storeyOf(sensor.zone),
        hidden: false,
        look,
        status: 'unknown',
        scale: 0.5,
        rim: false,
      });
      this.ids.push(sensor.id);
    });
    this.spheres.count = sensors.length;
    for (const mesh of [this.spheres, this.rims.mesh, this.rings.mesh]) {
      // Instances move (pulse, emphasis): bounds from the geometry would cull wrongly.
      mesh.frustumCulled = false;
      this.group.add(mesh);
    }
    this.stems = new LineSegments(new BufferGeometry(), this.stemMaterial);
    this.buildStems();
    this.group.add(this.stems);

    for (const id of this.ids) {
      this.update(id, { color: null, status: 'unknown', emphasised: false });
    }

    this.selection = new Mesh(
      new TorusGeometry(radius * 2.6, radius * 0.12, 8, 48),
      new MeshBasicMaterial({ color: palette.selection }),
    );
    this.selection.quaternion.copy(FLAT);
    this.selection.visible = false;
    this.group.add(this.selection);
  }

  position(id: string): Vector3 | null {
    const marker = this.markers.get(id);
    return marker === undefined || marker.hidden ? null : marker.position;
  }

  private buildStems(): void {
    const stems: number[] = [];
    for (const marker of this.markers.values()) {
      if (marker.hidden) continue;
      const { position: p, floor: f } = marker;
      stems.push(p.x, p.y - this.radius, p.z, f.x, f.y, f.z);
    }
    this.stems.geometry.dispose();
    const geometry = new BufferGeometry();
    geometry.setAttribute('position', new Float32BufferAttribute(stems, 3));
    this.stems.geometry = geometry;
  }

  private readonly lifted = new Map<string, number>();

  /** Raise each storey's markers by its offset in metres (the exploded stack); null puts them back. */
  lift(offsets: Map<number, number> | null): void {
    for (const [id, marker] of this.markers) {
      const dy = offsets?.get(marker.level) ?? 0;
      const was = this.lifted.get(id) ?? 0;
      marker.position.y += dy - was;
      marker.floor.y += dy - was;
      this.lifted.set(id, dy);
      this.update(id, marker.look);
    }
    this.buildStems();
  }

  /** Show the markers of one storey, or of all with null. */
  setLevel(level: number | null): void {
    for (const [id, marker] of this.markers) {
      marker.hidden = level !== null && marker.level !== level;
      this.update(id, marker.look);
    }
    this.buildStems();
  }

  private compose(marker: Marker, scale: number, flat: boolean): Matrix4 {
    return this.matrix.compose(marker.position, flat ? FLAT : IDENTITY, this.scaleVector.setScalar(scale));
  }

  update(id: string, look: MarkerLook): void {
    const marker = this.markers.get(id);
    if (marker === undefined) return;
    marker.look = look;
    if (marker.hidden) {
      this.spheres.setMatrixAt(marker.index, this.compose(marker, 0, false));
      this.spheres.instanceMatrix.needsUpdate = true;
      this.rims.remove(id);
      this.rings.remove(id);
      this.alarms.delete(id);
      if (id === this.selectedId) this.selection.visible = false;
      return;
    }
    const neutral = new Color(this.palette.markerNeutral);
    if (look.color === null || look.status === 'offline' || !look.emphasised) {
      this.color.copy(neutral);
    } else {
      this.color.setRGB(look.color[0], look.color[1], look.color[2], 'srgb');
      // A stale value is shown, but faded: it is what we last knew, not what is.
      if (look.status === 'stale') this.color.lerp(neutral, 0.55);
    }
    this.spheres.setColorAt(marker.index, this.color);
    if (this.spheres.instanceColor) this.spheres.instanceColor.needsUpdate = true;

    // Other kinds recede: smaller, no rim, so the selected quantity reads
    // first; a warning or alarm stays prominent whatever is selected.
    const urgent = look.status === 'warn' || look.status === 'alarm';
    marker.scale = look.emphasised ? 1 : urgent ? 0.8 : 0.5;
    marker.rim = look.emphasised;
    marker.status = look.status;
    this.spheres.setMatrixAt(marker.index, this.compose(marker, marker.scale, false));
    this.spheres.instanceMatrix.needsUpdate = true;
    if (marker.rim) this.rims.set(id, this.compose(marker, marker.scale * RIM_SCALE, false));
    else this.rims.remove(id);

    const ringColor = STATUS_COLORS[look.status];
    if (look.status !== 'ok' && look.status !== 'unknown' && ringColor !== undefined) {
      this.rings.set(id, this.compose(marker, marker.scale, true), this.color.setHex(ringColor));
    } else {
      this.rings.remove(id);
    }
    if (look.status === 'alarm') this.alarms.add(id);
    else this.alarms.delete(id);
    if (id === this.selectedId) {
      this.selection.visible = true;
      this.placeSelection(marker);
    }
  }

  private placeSelection(marker: Marker): void {
    this.selection.position.copy(marker.position);
    this.selection.scale.setScalar(marker.scale);
  }

  setSelected(id: string | null): void {
    this.selectedId = id;
    const marker = id === null ? undefined : this.markers.get(id);
    this.selection.visible = marker !== undefined && !marker.hidden;
    if (marker !== undefined) this.placeSelection(marker);
  }

  get selected(): string | null {
    return this.selectedId;
  }

  /**
   * The marker a ray hits first, with its distance along the ray. The hit
   * sphere is larger than the marker so small markers are easy to click.
   */
  pick(ray: Ray): { id: string; distance: number } | null {
    const sphere = new Sphere();
    const hit = new Vector3();
    let best: { id: string; distance: number } | null = null;
    for (const [id, marker] of this.markers) {
      if (marker.hidden) continue;
      sphere.set(marker.position, this.radius * HIT_SCALE * marker.scale);
      if (ray.intersectSphere(sphere, hit) === null) continue;
      const distance = hit.distanceTo(ray.origin);
      if (best === null || distance < best.distance) best = { id, distance };
    }
    return best;
  }

  /** Pulse alarm rings. Returns whether anything moved (the view then keeps rendering). */
  animate(timeMs: number): boolean {
    if (this.alarms.size === 0) return false;
    const pulse = 1 + 0.35 * (0.5 + 0.5 * Math.sin(timeMs / 180));
    for (const id of this.alarms) {
      const marker = this.markers.get(id);
      if (marker) this.rings.set(id, this.compose(marker, marker.scale * pulse, true));
    }
    return true;
  }

  setPalette(palette: ScenePalette): void {
    this.palette = palette;
    this.stemMaterial.color.setHex(palette.stem);
    this.rimMaterial.color.setHex(palette.outline);
    this.selection.material.color.setHex(palette.selection);
  }
}
