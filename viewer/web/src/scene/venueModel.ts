/**
 * The venue's geometry in the scene: zone floors (coloured by the selected
 * quantity) and semi-transparent walls with crisp edges.
 *
 * Floors, walls and outlines of all zones are merged into one mesh each (a
 * zone's floor colour is a range of vertex colours), so a venue of hundreds
 * of rooms costs a handful of draw calls, not four per room.
 *
 * Geometry comes from the backend's GLB, whose nodes are named `zone:<id>`
 * (floor) and `walls:<id>`. GLTFLoader strips ':' from object names, so the
 * original glTF node name is read from `userData.name`. A zone floor the GLB
 * lacks is drawn from its polygon so the page never shows a hole; without any
 * GLB, indoor zones also get walls from their polygons.
 */

import {
  Box3,
  BufferAttribute,
  BufferGeometry,
  Color,
  DoubleSide,
  EdgesGeometry,
  Float32BufferAttribute,
  Group,
  LineBasicMaterial,
  LineSegments,
  Mesh,
  MeshLambertMaterial,
  type Object3D,
  ShapeUtils,
  Vector2,
} from 'three';
import { StoreyPlan } from './storeys';
import { mergeGeometries } from 'three/examples/jsm/utils/BufferGeometryUtils.js';
import type { VenueDef, ZoneDef } from '../types';
import { venueToWorld } from './coords';
import type { ScenePalette } from './palette';
import { SensorField } from './sensorField';

/** Coloured floors are muted this much towards neutral so sensor markers keep the strongest colour. */
const FLOOR_MUTE = 0.4;

/** Floors sit a hair above the ground plane so they never z-fight with it. */
const FLOOR_LIFT = 0.03;
/** Above this many triangles a shell mesh is drawn without edge lines. */
const SHELL_EDGE_LIMIT = 60_000;

function gltfName(object: Object3D): string {
  const original = (object.userData as { name?: unknown }).name;
  return typeof original === 'string' ? original : object.name;
}

function meshesUnder(object: Object3D): Mesh[] {
  const out: Mesh[] = [];
  object.traverse((child) => {
    if ((child as Mesh).isMesh) out.push(child as Mesh);
  });
  return out;
}

/** Triangulated floor polygon in world space, (n, 3) positions. */
export function floorGeometry(zone: ZoneDef): BufferGeometry {
  const contour = zone.floor.map(([x, y]) => new Vector2(x, y));
  const triangles = ShapeUtils.triangulateShape(contour, []);
  const level = zone.level ?? 0;
  const positions: number[] = [];
  for (const [x, y] of zone.floor) {
    const p = venueToWorld(x, y, level);
    positions.push(p.x, p.y, p.z);
  }
  const geometry = new BufferGeometry();
  geometry.setAttribute('position', new Float32BufferAttribute(positions, 3));
  geometry.setIndex(triangles.flat());
  geometry.computeVertexNormals();
  return geometry;
}

/** Vertical quads along the floor polygon's edges. */
export function wallGeometry(zone: ZoneDef): BufferGeometry {
  const level = zone.level ?? 0;
  const top = level + (zone.height ?? 3);
  const positions: number[] = [];
  const n = zone.floor.length;
  for (let i = 0; i < n; i += 1) {
    const [x1, y1] = zone.floor[i] as [number, number];
    const [x2, y2] = zone.floor[(i + 1) % n] as [number, number];
    const quad = [
      venueToWorld(x1, y1, level),
      venueToWorld(x2, y2, level),
      venueToWorld(x2, y2, top),
      venueToWorld(x1, y1, level),
      venueToWorld(x2, y2, top),
      venueToWorld(x1, y1, top),
    ];
    for (const p of quad) positions.push(p.x, p.y, p.z);
  }
  const geometry = new BufferGeometry();
  geometry.setAttribute('position', new Float32BufferAttribute(positions, 3));
  geometry.computeVertexNormals();
  return geometry;
}

/** A mesh's geometry in world space, positions only, not indexed: mergeable with any other. */
function worldGeometry(mesh: Mesh): BufferGeometry {
  mesh.updateWorldMatrix(true, false);
  const source = mesh.geometry.index !== null ? mesh.geometry.toNonIndexed() : mesh.geometry;
  const geometry = new BufferGeometry();
  geometry.setAttribute('position', source.getAttribute('position').clone());
  geometry.applyMatrix4(mesh.matrixWorld);
  return geometry;
}

function merged(geometries: BufferGeometry[]): BufferGeometry {
  const geometry = geometries.length > 0 ? mergeGeometries(geometries) : new BufferGeometry();
  if (geometries.length > 0) geometry.computeVertexNormals();
  return geometry;
}

interface ZoneRange {
  id: string;
  /** First vertex and vertex count of the zone's floor in the merged floor mesh. */
  start: number;
  count: number;
  geometry: BufferGeometry;
  mesh: Mesh;
}

export { levelKey } from './storeys';

export class VenueModel {
  readonly group = new Group();
  /** The floors' material: vertex colours per zone, or the GPU-interpolated sensor field. */
  readonly field: SensorField;
  private readonly storeys = new Map<number, Group>();
  private readonly floorsByLevel = new Map<number, Mesh>();
  private readonly ranges = new Map<Object3D, ZoneRange[]>();
  private readonly shell = new Group();
  private readonly rangeById = new Map<string, ZoneRange>();
  private readonly zoneColors = new Map<string, Color>();
  private readonly wallMaterial: MeshLambertMaterial;
  private readonly edgeMaterial: LineBasicMaterial;
  private readonly selectedEdgeMaterial: LineBasicMaterial;
  private selectedOutline: LineSegments | null = null;
  private palette: ScenePalette;
  private selectedZone: string | null = null;

  constructor(venue: VenueDef, gltfRoot: Object3D | null, palette: ScenePalette, plan: StoreyPlan = new StoreyPlan(venue)) {
    this.palette = palette;
    this.group.name = 'venue';
    const zoneSlots = new Map(venue.zones.map((z, i) => [z.id, i]));
    this.field = new SensorField(zoneSlots, new Color(palette.floorNeutral), FLOOR_MUTE);
    this.wallMaterial = new MeshLambertMaterial({
      color: palette.wall,
      transparent: true,
      opacity: palette.wallOpacity,
      depthWrite: false,
      side: DoubleSide,
    });
    this.edgeMaterial = new LineBasicMaterial({
      color: palette.edge,
      transparent: true,
      opacity: palette.edgeOpacity,
    });
    this.selectedEdgeMaterial = new LineBasicMaterial({ color: palette.selection });

    const fromGltf = new Map<string, { floor: Mesh[]; walls: Mesh[] }>();
    const consumed = new Set<Mesh>();
    if (gltfRoot !== null) {
      gltfRoot.updateMatrixWorld(true);
      gltfRoot.traverse((node) => {
        const match = /^(zone|walls):(.+)$/.exec(gltfName(node));
        if (match === null) return;
        const [, role, zoneId] = match as unknown as [string, 'zone' | 'walls', string];
        const entry = fromGltf.get(zoneId) ?? { floor: [], walls: [] };
        const meshes = meshesUnder(node);
        (role === 'zone' ? entry.floor : entry.walls).push(...meshes);
        for (const mesh of meshes) consumed.add(mesh);
        fromGltf.set(zoneId, entry);
      });
    }

    // One merged set of meshes per storey, so a storey can be shown alone.
    const byLevel = new Map<number, { floors: BufferGeometry[]; walls: BufferGeometry[]; zones: string[] }>();
    for (const zone of venue.zones) {
      const level = plan.keyOf(zone.id);
      const storey = byLevel.get(level) ?? { floors: [], walls: [], zones: [] };
      byLevel.set(level, storey);
      const parts = fromGltf.get(zone.id);
      const floor = parts?.floor.length
        ? mergeGeometries(parts.floor.map(worldGeometry))
        : worldGeometry(new Mesh(floorGeometry(zone)));
      floor.translate(0, FLOOR_LIFT, 0);
      storey.floors.push(floor);
      storey.zones.push(zone.id);
      // Walls are made up only when there is no mesh at all: a GLB without
      // walls for a zone means an outdoor zone or walls inside an imported shell.
      if (parts?.walls.length) storey.walls.push(...parts.walls.map(worldGeometry));
      else if (gltfRoot === null && zone.outdoor !== true) storey.walls.push(wallGeometry(zone));
    }

    for (const [level, storey] of [...byLevel.entries()].sort((a, b) => a[0] - b[0])) {
      const group = new Group();
      group.name = `storey:${level}`;
      this.storeys.set(level, group);
      this.group.add(group);
      const floorGeometryAll = merged(storey.floors);
      const vertices = floorGeometryAll.getAttribute('position')?.count ?? 0;
      floorGeometryAll.setAttribute('color', new BufferAttribute(new Float32Array(vertices * 3), 3));
      const slots = new Float32Array(vertices);
      floorGeometryAll.setAttribute('zoneSlot', new BufferAttribute(slots, 1));
      const floors = new Mesh(floorGeometryAll, this.field.material);
      floors.name = 'floors';
      group.add(floors);
      const ranges: ZoneRange[] = [];
      let vertex = 0;
      storey.floors.forEach((geometry, i) => {
        const count = geometry.getAttribute('position').count;
        const range = { id: storey.zones[i] as string, start: vertex, count, geometry, mesh: floors };
        ranges.push(range);
        this.rangeById.set(range.id, range);
        slots.fill(zoneSlots.get(range.id) ?? 0, vertex, vertex + count);
        vertex += count;
      });
      this.ranges.set(floors, ranges);
      this.floorsByLevel.set(level, floors);
      // The floor outlines are the zone boundaries an operator reads most.
      const outlines = new LineSegments(merged(storey.floors.map((g) => new EdgesGeometry(g, 30))), this.edgeMaterial);
      outlines.renderOrder = 1;
      group.add(outlines);
      if (storey.walls.length > 0) {
        const walls = new Mesh(merged(storey.walls), this.wallMaterial);
        walls.name = 'walls';
        walls.renderOrder = 2;
        group.add(walls, new LineSegments(new EdgesGeometry(walls.geometry, 30), this.edgeMaterial));
      }
    }
    for (const zone of venue.zones) this.setZoneColor(zone.id, null);

    // Anything else in the GLB (an imported building mesh, named `mesh`) is
    // the shell: drawn like the walls, see-through so rooms stay visible.
    this.group.add(this.shell);
    if (gltfRoot !== null) {
      const rest: Mesh[] = [];
      gltfRoot.traverse((child) => {
        if ((child as Mesh).isMesh && !consumed.has(child as Mesh)) rest.push(child as Mesh);
      });
      for (const mesh of rest) {
        const shell = new Mesh(worldGeometry(mesh), this.wallMaterial);
        shell.geometry.computeVertexNormals();
        shell.name = `shell:${gltfName(mesh)}`;
        shell.renderOrder = 2;
        this.shell.add(shell);
        // Edges of a large scanned mesh are noise and cost memory: only for modest meshes.
        if (shell.geometry.getAttribute('position').count / 3 <= SHELL_EDGE_LIMIT) {
          this.shell.add(new LineSegments(new EdgesGeometry(shell.geometry, 40), this.edgeMaterial));
        }
      }
    }
  }

  /** What the pointer can pick: the merged floor mesh of each visible storey (see `zoneAt`). */
  floorMeshes(): Mesh[] {
    return [...this.floorsByLevel.entries()].filter(([level]) => this.storeys.get(level)?.visible).map(([, mesh]) => mesh);
  }

  /** Storey elevations, lowest first. */
  levels(): number[] {
    return [...this.storeys.keys()];
  }

  /** Show one storey (and hide the building shell), or all of them with null. */
  setLevel(level: number | null): void {
    for (const [key, group] of this.storeys) group.visible = level === null || key === level;
    this.shell.visible = level === null && !this.exploded;
  }

  private exploded = false;

  /**
   * Lift each storey by its offset (metres, from `StoreyPlan.offsets`), or put
   * them back with null. The building shell is one mesh for all storeys, so
   * it is hidden while the stack is apart.
   */
  explode(offsets: Map<number, number> | null): void {
    this.exploded = offsets !== null;
    for (const [key, group] of this.storeys) group.position.y = offsets?.get(key) ?? 0;
    this.shell.visible = !this.exploded && [...this.storeys.values()].every((g) => g.visible);
    this.group.updateMatrixWorld(true);
  }

  /** The zone owning a face of a merged floor mesh. */
  zoneAt(object: Object3D, faceIndex: number): string | null {
    const ranges = this.ranges.get(object) ?? [];
    const vertex = faceIndex * 3;
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const range = ranges[mid] as ZoneRange;
      if (vertex < range.start) hi = mid - 1;
      else if (vertex >= range.start + range.count) lo = mid + 1;
      else return range.id;
    }
    return null;
  }

  bounds(): Box3 {
    return new Box3().setFromObject(this.group);
  }

  /** Colour a zone's floor; null returns it to the neutral floor colour. */
  setZoneColor(zoneId: string, rgb: [number, number, number] | null): void {
    const neutral = new Color(this.palette.floorNeutral);
    const color = rgb === null ? neutral : new Color().setRGB(rgb[0], rgb[1], rgb[2], 'srgb');
    if (rgb !== null) color.lerp(neutral, FLOOR_MUTE);
    this.zoneColors.set(zoneId, color);
    this.paint(zoneId);
  }

  private paint(zoneId: string): void {
    const range = this.rangeById.get(zoneId);
    const base = this.zoneColors.get(zoneId);
    if (range === undefined || base === undefined) return;
    // The selected floor is lifted towards white (or black in the light theme).
    const color = zoneId === this.selectedZone ? base.clone().lerp(new Color(this.palette.selection), 0.18) : base;
    const attribute = range.mesh.geometry.getAttribute('color') as BufferAttribute;
    // Vertex colours are linear; Color holds linear values already.
    for (let i = range.start; i < range.start + range.count; i += 1) attribute.setXYZ(i, color.r, color.g, color.b);
    attribute.needsUpdate = true;
  }

  setSelectedZone(zoneId: string | null): void {
    const previous = this.selectedZone;
    this.selectedZone = zoneId;
    if (previous !== null) this.paint(previous);
    this.selectedOutline?.removeFromParent();
    this.selectedOutline?.geometry.dispose();
    this.selectedOutline = null;
    const range = zoneId === null ? undefined : this.rangeById.get(zoneId);
    if (zoneId === null || range === undefined) return;
    this.paint(zoneId);
    this.selectedOutline = new LineSegments(new EdgesGeometry(range.geometry, 30), this.selectedEdgeMaterial);
    this.selectedOutline.renderOrder = 3;
    range.mesh.parent?.add(this.selectedOutline);
  }

  setPalette(palette: ScenePalette): void {
    this.palette = palette;
    this.wallMaterial.color.setHex(palette.wall);
    this.wallMaterial.opacity = palette.wallOpacity;
    this.edgeMaterial.color.setHex(palette.edge);
    this.edgeMaterial.opacity = palette.edgeOpacity;
    this.selectedEdgeMaterial.color.setHex(palette.selection);
    this.field.setNeutral(new Color(palette.floorNeutral));
  }
}
