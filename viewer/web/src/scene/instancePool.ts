/**
 * An instanced mesh that draws only the instances in use. Rings and rims are
 * needed by a few markers at a time; drawing a zero-scaled instance for every
 * other marker still costs vertex work, which software-rendered browsers feel.
 */

import type { Color, InstancedMesh, Matrix4 } from 'three';

export class InstancePool {
  private readonly slots = new Map<string, number>();
  private readonly ids: string[] = [];

  constructor(readonly mesh: InstancedMesh) {
    mesh.count = 0;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  set(id: string, matrix: Matrix4, color?: Color): void {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.ids.length;
      this.ids.push(id);
      this.slots.set(id, slot);
      this.mesh.count = this.ids.length;
    }
    this.mesh.setMatrixAt(slot, matrix);
    this.mesh.instanceMatrix.needsUpdate = true;
    if (color !== undefined) {
      this.mesh.setColorAt(slot, color);
      if (this.mesh.instanceColor) this.mesh.instanceColor.needsUpdate = true;
    }
  }

  /** Free an instance: the last one moves into its slot, so drawn instances stay contiguous. */
  remove(id: string): void {
    const slot = this.slots.get(id);
    if (slot === undefined) return;
    const lastSlot = this.ids.length - 1;
    const lastId = this.ids.pop() as string;
    this.slots.delete(id);
    if (lastId !== id) {
      this.ids[slot] = lastId;
      this.slots.set(lastId, slot);
      const scratch = this.mesh.instanceMatrix.array;
      scratch.copyWithin(slot * 16, lastSlot * 16, lastSlot * 16 + 16);
      const colors = this.mesh.instanceColor?.array;
      colors?.copyWithin(slot * 3, lastSlot * 3, lastSlot * 3 + 3);
      if (this.mesh.instanceColor) this.mesh.instanceColor.needsUpdate = true;
    }
    this.mesh.count = this.ids.length;
    this.mesh.instanceMatrix.needsUpdate = true;
  }
}
