/**
 * Pointer input on the 3D view: a click (not a drag: orbiting must not
 * select) picks a sensor marker or a zone floor; hovering reports what is
 * under the pointer, at most once per animation frame.
 */

import type { Object3D } from 'three';
import type { Selection } from '../context';
import type { SensorMarkers } from './markers';
import type { VenueView } from './view';

/** Movement beyond this (CSS px) between press and release is a drag. */
const CLICK_SLOP_PX = 5;

export interface PointerHandlers {
  onPick(selection: Selection): void;
  onHover(selection: Selection, clientX: number, clientY: number): void;
  onLeave(): void;
}

export function attachPointer(
  view: VenueView,
  markers: SensorMarkers,
  floors: () => Object3D[],
  zoneAt: (object: Object3D, faceIndex: number) => string | null,
  handlers: PointerHandlers,
): void {
  const canvas = view.renderer.domElement;
  const pickAt = (x: number, y: number): Selection => {
    const floor = view.pick(x, y, floors())[0];
    // view.pick aimed the ray; a marker wins unless a floor is in front of it.
    const marker = markers.pick(view.rayAt(x, y));
    if (marker !== null && (floor === undefined || marker.distance <= floor.distance + 0.01)) {
      return { type: 'sensor', id: marker.id };
    }
    const zoneId = floor?.faceIndex == null ? null : zoneAt(floor.object, floor.faceIndex);
    return zoneId ? { type: 'zone', id: zoneId } : null;
  };

  let downAt: { x: number; y: number } | null = null;
  canvas.addEventListener('pointerdown', (e) => {
    downAt = { x: e.clientX, y: e.clientY };
  });
  canvas.addEventListener('pointerup', (e) => {
    if (downAt === null) return;
    const moved = Math.hypot(e.clientX - downAt.x, e.clientY - downAt.y);
    downAt = null;
    if (moved <= CLICK_SLOP_PX) handlers.onPick(pickAt(e.clientX, e.clientY));
  });

  let pending: PointerEvent | null = null;
  canvas.addEventListener('pointermove', (e) => {
    if (e.buttons !== 0) return;
    const scheduled = pending !== null;
    pending = e;
    if (scheduled) return;
    requestAnimationFrame(() => {
      const last = pending;
      pending = null;
      if (last === null) return;
      const hit = pickAt(last.clientX, last.clientY);
      canvas.style.cursor = hit === null ? '' : 'pointer';
      handlers.onHover(hit, last.clientX, last.clientY);
    });
  });
  canvas.addEventListener('pointerleave', () => {
    pending = null;
    handlers.onLeave();
  });
}
