/**
 * Artefacts that need conservation care, drawn as small upright diamonds so
 * the operator sees which objects sit next to a warning sensor.
 */

import { Group, Mesh, MeshLambertMaterial, OctahedronGeometry } from 'three';
import type { ArtefactDef } from '../types';
import { venueToWorld } from './coords';
import type { ScenePalette } from './palette';

export class ArtefactMarkers {
  readonly group = new Group();
  private readonly material: MeshLambertMaterial;

  constructor(artefacts: ArtefactDef[], palette: ScenePalette, size: number) {
    this.group.name = 'artefacts';
    this.material = new MeshLambertMaterial({ color: palette.artefact, emissive: palette.artefact, emissiveIntensity: 0.25 });
    const geometry = new OctahedronGeometry(size, 0);
    for (const artefact of artefacts) {
      const [x, y, z] = artefact.position;
      const mesh = new Mesh(geometry, this.material);
      mesh.position.copy(venueToWorld(x, y, z));
      mesh.scale.set(0.8, 1.3, 0.8);
      mesh.userData = { artefactId: artefact.id, zone: artefact.zone ?? null };
      this.group.add(mesh);
    }
  }

  /** Show only the artefacts whose zone passes `visible`. */
  filter(visible: (zoneId: string | null) => boolean): void {
    for (const child of this.group.children) {
      child.visible = visible((child.userData as { zone: string | null }).zone);
    }
  }

  setPalette(palette: ScenePalette): void {
    this.material.color.setHex(palette.artefact);
    this.material.emissive.setHex(palette.artefact);
  }
}
