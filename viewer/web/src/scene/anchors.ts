/** Where things sit on a zone's floor: label anchors and centroids (venue metres, Z up). */

import type { ZoneDef } from '../types';

export function inside(polygon: [number, number][], x: number, y: number): boolean {
  let result = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i, i += 1) {
    const [xi, yi] = polygon[i] as [number, number];
    const [xj, yj] = polygon[j] as [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) result = !result;
  }
  return result;
}

export function centroid(zone: ZoneDef): [number, number] {
  let x = 0;
  let y = 0;
  for (const [px, py] of zone.floor) {
    x += px;
    y += py;
  }
  return [x / zone.floor.length, y / zone.floor.length];
}

/**
 * Where a zone's label sits: towards the zone's front-left corner (nearest the
 * default camera) rather than its centre, where sensors usually are.
 */
export function labelAnchor(zone: ZoneDef): [number, number] {
  const xs = zone.floor.map(([x]) => x);
  const ys = zone.floor.map(([, y]) => y);
  const minX = Math.min(...xs);
  const minY = Math.min(...ys);
  const x = minX + (Math.max(...xs) - minX) * 0.22;
  const y = minY + (Math.max(...ys) - minY) * 0.22;
  return inside(zone.floor, x, y) ? [x, y] : centroid(zone);
}
