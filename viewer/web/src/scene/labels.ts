/**
 * HTML labels pinned to points in the scene. Text stays crisp at any zoom and
 * on any display, which sprite text in WebGL does not.
 *
 * Labels never pile up: nearer labels are placed first and a label that would
 * overlap one already placed is hidden until the camera makes room for it.
 */

import { type Camera, Vector3 } from 'three';

interface Label {
  element: HTMLElement;
  anchor: Vector3;
  /** Cached size (CSS px); measured once, since reading it forces layout. */
  width: number;
  height: number;
  /** Hidden by the app (another storey shown), whatever the camera says. */
  hidden: boolean;
  /** Higher is placed first (alarm badges before zone labels). */
  priority: number;
}

interface Placed {
  label: Label;
  x: number;
  y: number;
  depth: number;
}

/** Breathing room between two labels, CSS px. */
const GAP_PX = 4;

export class LabelLayer {
  readonly root: HTMLDivElement;
  private readonly labels = new Map<string, Label>();
  private readonly scratch = new Vector3();
  private measured = false;

  constructor(container: HTMLElement) {
    this.root = document.createElement('div');
    this.root.className = 'scene-labels';
    container.appendChild(this.root);
  }

  set(id: string, anchor: Vector3, element: HTMLElement, priority = 0): void {
    this.remove(id);
    element.classList.add('scene-label');
    this.root.appendChild(element);
    this.labels.set(id, { element, anchor: anchor.clone(), width: 0, height: 0, hidden: false, priority });
    this.measured = false;
  }

  get(id: string): HTMLElement | undefined {
    return this.labels.get(id)?.element;
  }

  has(id: string): boolean {
    return this.labels.has(id);
  }

  remove(id: string): void {
    const label = this.labels.get(id);
    if (label === undefined) return;
    label.element.remove();
    this.labels.delete(id);
  }

  setHidden(id: string, hidden: boolean): void {
    const label = this.labels.get(id);
    if (label !== undefined) label.hidden = hidden;
  }

  /** Text changed size (new values, another quantity): measure again on the next frame. */
  remeasure(): void {
    this.measured = false;
  }

  private measure(): void {
    // One layout pass for all labels instead of one per label.
    for (const label of this.labels.values()) {
      label.width = label.element.offsetWidth;
      label.height = label.element.offsetHeight;
    }
    this.measured = true;
  }

  update(camera: Camera, width: number, height: number): void {
    if (!this.measured) this.measure();
    const candidates: Placed[] = [];
    for (const label of this.labels.values()) {
      const p = this.scratch.copy(label.anchor).project(camera);
      const onScreen = !label.hidden && p.z < 1 && p.z > -1 && Math.abs(p.x) < 1.05 && Math.abs(p.y) < 1.05;
      if (!onScreen) {
        label.element.style.visibility = 'hidden';
        continue;
      }
      candidates.push({ label, x: ((p.x + 1) / 2) * width, y: ((1 - p.y) / 2) * height, depth: p.z });
    }
    candidates.sort((a, b) => b.label.priority - a.label.priority || a.depth - b.depth);
    const placed: Placed[] = [];
    for (const c of candidates) {
      const overlaps = placed.some(
        (o) =>
          Math.abs(c.x - o.x) * 2 < c.label.width + o.label.width + GAP_PX * 2 &&
          Math.abs(c.y - o.y) * 2 < c.label.height + o.label.height + GAP_PX * 2,
      );
      c.label.element.style.visibility = overlaps ? 'hidden' : 'visible';
      if (overlaps) continue;
      placed.push(c);
      c.label.element.style.transform = `translate(-50%, -50%) translate(${c.x.toFixed(1)}px, ${c.y.toFixed(1)}px)`;
    }
  }
}
