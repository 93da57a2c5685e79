/**
 * The venue's geometry in the scene: zone floors (coloured by the selected
 * quantity) and semi-transparent walls with crisp edges.
 *
 * Geometry comes from the backend's GLB, whose nodes are named `zone:<id>`
 * (floor) and `walls:<id>`. GLTFLoader strips ':' from object names, so the
 * original glTF node name is read from `userData.name`. A zone floor the GLB
 * lacks is drawn from its polygon so the page never shows a hole; without any
 * GLB, indoor zones also get walls from their polygons.
 */

import {
  Box3,
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
import type { VenueDef, ZoneDef } from '../types';
import { venueToWorld } from './coords';
import type { ScenePalette } from './palette';

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

export class VenueModel {
  readonly group = new Group();
  private readonly floors = new Map<string, Mesh[]>();
  private readonly floorMaterials = new Map<string, MeshLambertMaterial>();
  private readonly floorEdges = new Map<string, LineSegments>();
  private readonly wallMaterial: MeshLambertMaterial;
  private readonly edgeMaterial: LineBasicMaterial;
  private readonly selectedEdgeMaterial: LineBasicMaterial;
  private palette: ScenePalette;
  private selectedZone: string | null = null;

  constructor(venue: VenueDef, gltfRoot: Object3D | null, palette: ScenePalette) {
    this.palette = palette;
    this.group.name = 'venue';
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
    if (gltfRoot !== null) {
      gltfRoot.updateMatrixWorld(true);
      gltfRoot.traverse((node) => {
        const match = /^(zone|walls):(.+)$/.exec(gltfName(node));
        if (match === null) return;
        const [, role, zoneId] = match as unknown as [string, 'zone' | 'walls', string];
        const entry = fromGltf.get(zoneId) ?? { floor: [], walls: [] };
        (role === 'zone' ? entry.floor : entry.walls).push(...meshesUnder(node));
        fromGltf.set(zoneId, entry);
      });
    }

    for (const zone of venue.zones) {
      const parts = fromGltf.get(zone.id);
      const floorMeshes = parts?.floor.length ? parts.floor : [new Mesh(floorGeometry(zone))];
      // Walls are made up only when there is no mesh at all: a GLB without
      // walls for a zone means an outdoor zone or walls inside an imported shell.
      const fabricate = gltfRoot === null && zone.outdoor !== true;
      const wallMeshes = parts?.walls.length ? parts.walls : fabricate ? [new Mesh(wallGeometry(zone))] : [];
      const material = new MeshLambertMaterial({ color: palette.floorNeutral, side: DoubleSide });
      this.floorMaterials.set(zone.id, material);
      const placed: Mesh[] = [];
      for (const mesh of floorMeshes) placed.push(this.adopt(mesh, material, `floor:${zone.id}`, zone.id));
      this.floors.set(zone.id, placed);
      for (const mesh of wallMeshes) {
        const wall = this.adopt(mesh, this.wallMaterial, `walls:${zone.id}`, null);
        wall.renderOrder = 2;
        wall.add(new LineSegments(new EdgesGeometry(wall.geometry, 30), this.edgeMaterial));
      }
      // The floor outline is the zone boundary an operator reads most: draw it.
      const first = placed[0];
      if (first !== undefined) {
        const outline = new LineSegments(new EdgesGeometry(first.geometry, 30), this.edgeMaterial);
        outline.renderOrder = 1;
        first.add(outline);
        this.floorEdges.set(zone.id, outline);
      }
    }

    // Anything else in the GLB (an imported building mesh, named `mesh`) is
    // the shell: drawn like the walls, see-through so rooms stay visible.
    if (gltfRoot !== null) {
      const rest: Mesh[] = [];
      gltfRoot.traverse((child) => {
        if ((child as Mesh).isMesh) rest.push(child as Mesh);
      });
      for (const mesh of rest) {
        const shell = this.adopt(mesh, this.wallMaterial, `shell:${gltfName(mesh)}`, null);
        shell.renderOrder = 2;
        // Edges of a large scanned mesh are noise and cost memory: only for modest meshes.
        const triangles = (shell.geometry.index?.count ?? shell.geometry.getAttribute('position').count) / 3;
        if (triangles <= SHELL_EDGE_LIMIT) shell.add(new LineSegments(new EdgesGeometry(shell.geometry, 40), this.edgeMaterial));
      }
    }
  }

  /** Move a mesh under our group keeping its world transform, with our material. */
  private adopt(mesh: Mesh, material: MeshLambertMaterial, name: string, zoneId: string | null): Mesh {
    const world = mesh.matrixWorld.clone();
    mesh.removeFromParent();
    world.decompose(mesh.position, mesh.quaternion, mesh.scale);
    if (zoneId !== null) mesh.position.y += FLOOR_LIFT;
    mesh.material = material;
    mesh.name = name;
    mesh.userData = zoneId === null ? {} : { zoneId };
    this.group.add(mesh);
    return mesh;
  }

  floorMeshes(): Mesh[] {
    return [...this.floors.values()].flat();
  }

  bounds(): Box3 {
    return new Box3().setFromObject(this.group);
  }

  /** Colour a zone's floor; null returns it to the neutral floor colour. */
  setZoneColor(zoneId: string, rgb: [number, number, number] | null): void {
    const material = this.floorMaterials.get(zoneId);
    if (material === undefined) return;
    if (rgb === null) material.color.setHex(this.palette.floorNeutral);
    else material.color.setRGB(rgb[0], rgb[1], rgb[2], 'srgb');
    // Floors are muted slightly so sensor markers keep the strongest colour.
    material.color.lerp(new Color(this.palette.floorNeutral), rgb === null ? 0 : 0.4);
  }

  setSelectedZone(zoneId: string | null): void {
    if (this.selectedZone !== null) {
      const previous = this.floorEdges.get(this.selectedZone);
      if (previous) previous.material = this.edgeMaterial;
      this.floorMaterials.get(this.selectedZone)?.emissive.setHex(0x000000);
    }
    // The selected floor glows slightly, on top of its outline.
    if (zoneId !== null) this.floorMaterials.get(zoneId)?.emissive.setHex(0x262626);
    this.selectedZone = zoneId;
    const edges = zoneId === null ? undefined : this.floorEdges.get(zoneId);
    if (edges) edges.material = this.selectedEdgeMaterial;
  }

  setPalette(palette: ScenePalette): void {
    this.palette = palette;
    this.wallMaterial.color.setHex(palette.wall);
    this.wallMaterial.opacity = palette.wallOpacity;
    this.edgeMaterial.color.setHex(palette.edge);
    this.edgeMaterial.opacity = palette.edgeOpacity;
    this.selectedEdgeMaterial.color.setHex(palette.selection);
  }
}
