/**
 * HTML labels pinned to points in the scene. Text stays crisp at any zoom and
 * on any display, which sprite text in WebGL does not.
 */

import { type Camera, Vector3 } from 'three';

interface Label {
  element: HTMLElement;
  anchor: Vector3;
}

export class LabelLayer {
  readonly root: HTMLDivElement;
  private readonly labels = new Map<string, Label>();
  private readonly scratch = new Vector3();

  constructor(container: HTMLElement) {
    this.root = document.createElement('div');
    this.root.className = 'scene-labels';
    container.appendChild(this.root);
  }

  set(id: string, anchor: Vector3, element: HTMLElement): void {
    this.remove(id);
    element.classList.add('scene-label');
    this.root.appendChild(element);
    this.labels.set(id, { element, anchor: anchor.clone() });
  }

  get(id: string): HTMLElement | undefined {
    return this.labels.get(id)?.element;
  }

  remove(id: string): void {
    const label = this.labels.get(id);
    if (label === undefined) return;
    label.element.remove();
    this.labels.delete(id);
  }

  update(camera: Camera, width: number, height: number): void {
    for (const { element, anchor } of this.labels.values()) {
      const p = this.scratch.copy(anchor).project(camera);
      const visible = p.z < 1 && p.z > -1 && Math.abs(p.x) < 1.05 && Math.abs(p.y) < 1.05;
      element.style.visibility = visible ? 'visible' : 'hidden';
      if (!visible) continue;
      const x = ((p.x + 1) / 2) * width;
      const y = ((1 - p.y) / 2) * height;
      element.style.transform = `translate(-50%, -50%) translate(${x.toFixed(1)}px, ${y.toFixed(1)}px)`;
    }
  }
}
