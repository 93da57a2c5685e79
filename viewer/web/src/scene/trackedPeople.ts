/**
 * People a tracker sees, drawn as dots on the zone's floor: where they stood
 * in the tracker's latest frame (analytics `tracked_positions`, once per crowd
 * step). Nothing is drawn for a zone whose tracker is offline. One
 * `Points` object per tracked zone; its buffer is rewritten in place.
 */

import { BufferAttribute, BufferGeometry, Group, Points, PointsMaterial } from 'three';
import type { ZoneDef } from '../types';
import { venueToWorld } from './coords';

// A warm colour that reads on both themes' floors and is not a level-of-service colour.
const DOT_COLOUR = 0xffb02e;
const DOT_PX = 7;
// Just above the floor so the dots are not hidden in it.
const LIFT_M = 0.15;

export class TrackedPeople {
  readonly group = new Group();
  private readonly material = new PointsMaterial({ color: DOT_COLOUR, size: DOT_PX, sizeAttenuation: false, depthTest: false });
  private readonly points = new Map<string, Points>();
  private readonly levels = new Map<string, number>();

  constructor(zones: ZoneDef[]) {
    this.group.name = 'tracked-people';
    this.group.renderOrder = 3;
    for (const zone of zones) this.levels.set(zone.id, zone.level ?? 0);
  }

  /** Show `positions` ([x, y] venue metres) in `zoneId`; null or empty clears it. */
  update(zoneId: string, positions: [number, number][] | null | undefined): void {
    const list = positions ?? [];
    let pts = this.points.get(zoneId);
    if (pts === undefined) {
      if (list.length === 0) return;
      pts = new Points(new BufferGeometry(), this.material);
      pts.userData = { zone: zoneId };
      pts.renderOrder = 3;
      this.points.set(zoneId, pts);
      this.group.add(pts);
    }
    const z = (this.levels.get(zoneId) ?? 0) + LIFT_M;
    const xyz = new Float32Array(list.length * 3);
    list.forEach(([x, y], i) => {
      const p = venueToWorld(x, y, z);
      xyz.set([p.x, p.y, p.z], i * 3);
    });
    pts.geometry.setAttribute('position', new BufferAttribute(xyz, 3));
    pts.geometry.computeBoundingSphere();
  }

  /** How many people are drawn in a zone (tests). */
  count(zoneId: string): number {
    return this.points.get(zoneId)?.geometry.getAttribute('position')?.count ?? 0;
  }

  /** Show only the zones that pass `visible` (storey filter). */
  filter(visible: (zoneId: string | null) => boolean): void {
    for (const [zone, pts] of this.points) pts.visible = visible(zone);
  }
}
