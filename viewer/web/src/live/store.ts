/**
 * The page's copy of the venue's live state, fed by snapshot and delta frames.
 *
 * A snapshot replaces everything (after a reconnect the server's view wins);
 * a delta merges. Listeners get the ids that changed so the scene and panel
 * touch only what moved.
 */

import type { SensorState, StateFrame, ZoneState } from '../types';

export interface StateChange {
  full: boolean;
  sensors: string[];
  zones: string[];
}

type Listener = (change: StateChange) => void;

export class LiveStore {
  readonly sensors = new Map<string, SensorState>();
  readonly zones = new Map<string, ZoneState>();
  /** server clock minus local clock, seconds; ages are measured on the server's clock. */
  private clockOffsetS = 0;
  /** Local time (ms) of the last state frame. */
  lastFrameAt = 0;
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  noteServerTime(serverTime: number): void {
    this.clockOffsetS = serverTime - Date.now() / 1000;
  }

  /** Seconds on the server's clock. */
  now(): number {
    return Date.now() / 1000 + this.clockOffsetS;
  }

  apply(frame: StateFrame): void {
    const full = frame.type === 'snapshot';
    if (full) {
      this.sensors.clear();
      this.zones.clear();
    }
    const sensors: string[] = [];
    for (const [id, patch] of Object.entries(frame.sensors ?? {})) {
      const previous = this.sensors.get(id);
      this.sensors.set(id, {
        value: patch.value !== undefined ? patch.value : (previous?.value ?? null),
        ts: patch.ts !== undefined ? patch.ts : (previous?.ts ?? null),
        status: patch.status ?? previous?.status ?? 'unknown',
      });
      sensors.push(id);
    }
    const zones: string[] = [];
    for (const [id, patch] of Object.entries(frame.zones ?? {})) {
      // Zone fields may be missing: keep what we knew rather than blanking it.
      this.zones.set(id, full ? { ...patch } : { ...this.zones.get(id), ...patch });
      zones.push(id);
    }
    this.lastFrameAt = Date.now();
    const change: StateChange = { full, sensors, zones };
    for (const listener of this.listeners) listener(change);
  }

  sensorValues(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, state] of this.sensors) {
      if (typeof state.value === 'number') out[id] = state.value;
    }
    return out;
  }
}
