/**
 * Venue frame -> three.js frame. Venue coordinates are metres with Z up;
 * glTF and three.js are Y up, so (x, y, z) maps to (x, z, -y), the same
 * rotation the backend applies when it writes the GLB.
 */

import { Vector3 } from 'three';

export function venueToWorld(x: number, y: number, z = 0): Vector3 {
  return new Vector3(x, z, -y);
}
