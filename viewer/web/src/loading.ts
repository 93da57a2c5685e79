/** Start-up choices from the page URL, and the venue mesh parsed (or not). */

import type { Object3D } from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import type { VenueSummary } from './types';

/** `?lod=1..3` asks for a decimated mesh (slow kiosks, huge scans); default full detail. */
/** ``?lod=N`` in the page's address forces a level of detail; otherwise the server chooses. */
export function meshLod(): number | null {
  const raw = new URL(window.location.href).searchParams.get('lod');
  const lod = Number(raw);
  return raw !== null && Number.isInteger(lod) && lod >= 0 && lod <= 3 ? lod : null;
}

export function chooseVenue(venues: VenueSummary[]): string {
  const wanted = new URL(window.location.href).searchParams.get('venue');
  const found = venues.find((v) => v.id === wanted) ?? venues[0];
  if (found === undefined) throw new Error('The server has no venues configured.');
  return found.id;
}

export async function parseMesh(buffer: ArrayBuffer | null): Promise<Object3D | null> {
  if (buffer === null) return null;
  try {
    return (await new GLTFLoader().parseAsync(buffer, '')).scene;
  } catch (err) {
    // The zone polygons are enough to draw the venue: degrade, don't fail.
    console.warn('venue mesh unreadable, drawing zones from their polygons', err);
    return null;
  }
}
