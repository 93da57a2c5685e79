/**
 * The page's copy of the venue's live state, fed by snapshot and delta frames.
 *
 * A snapshot replaces everything (after a reconnect the server's view wins);
 * a delta merges. Listeners get the ids that changed so the scene and panel
 * touch only what moved.
 */

import type { ArtefactAnalytics, ClockInfo, ReplaySession, SensorState, StateFrame, ZoneAnalytics, ZoneState } from '../types';

export interface StateChange {
  full: boolean;
  sensors: string[];
  /** Zones whose state or analytics changed. */
  zones: string[];
  artefacts: string[];
}

type Listener = (change: StateChange) => void;

export class LiveStore {
  readonly sensors = new Map<string, SensorState>();
  readonly zones = new Map<string, ZoneState>();
  /** Latest analytics per zone (density, level of service...) and per artefact (light dose). */
  readonly zoneAnalytics = new Map<string, ZoneAnalytics>();
  readonly artefactAnalytics = new Map<string, ArtefactAnalytics>();
  /** The replay session these values come from, or null when live. */
  replay: ReplaySession | null = null;
  /** Which clock the server judges the venue on (the data's while catching up). */
  clock: ClockInfo = { mode: 'wall', lag_s: 0 };
  /** Local time (ms) the replay position was last reported. */
  private replayAt = 0;
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

  /** Seconds on the server's clock (wall time, even while a replay is shown). */
  serverNow(): number {
    return Date.now() / 1000 + this.clockOffsetS;
  }

  /**
   * The clock of what is shown: the server's, or while replaying the replayed
   * time (moving at the replay's speed between frames), so ages read as they
   * did then.
   */
  now(): number {
    const replay = this.replay;
    if (replay === null) return this.serverNow();
    const elapsed = replay.playing ? (Date.now() - this.replayAt) / 1000 : 0;
    return Math.min(replay.end, replay.t + elapsed * replay.speed);
  }

  apply(frame: StateFrame): void {
    const full = frame.type === 'snapshot';
    if (full) {
      this.sensors.clear();
      this.zones.clear();
      this.zoneAnalytics.clear();
      this.artefactAnalytics.clear();
    }
    if (frame.replay !== undefined) {
      this.replay = frame.replay;
      this.replayAt = Date.now();
    }
    if (frame.clock !== undefined) this.clock = frame.clock;
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
      const known = this.zoneAnalytics.get(id);
      if (known !== undefined) this.overlay(id, known);
      zones.push(id);
    }
    const analytics = frame.analytics ?? null;
    for (const [id, patch] of Object.entries(analytics?.zones ?? {})) {
      const merged = { ...this.zoneAnalytics.get(id), ...patch };
      this.zoneAnalytics.set(id, merged);
      this.overlay(id, merged);
      if (!zones.includes(id)) zones.push(id);
    }
    const artefacts: string[] = [];
    for (const [id, patch] of Object.entries(analytics?.artefacts ?? {})) {
      this.artefactAnalytics.set(id, { ...this.artefactAnalytics.get(id), ...patch });
      artefacts.push(id);
    }
    this.lastFrameAt = Date.now();
    const change: StateChange = { full, sensors, zones, artefacts };
    for (const listener of this.listeners) listener(change);
  }

  /**
   * Crowd figures of the analytics (density, occupancy, level of service)
   * take precedence over the zone aggregates: the colours and the letter
   * then come from one source and cannot disagree.
   */
  private overlay(id: string, a: ZoneAnalytics): void {
    const zone: ZoneState = { ...this.zones.get(id) };
    if (typeof a.density === 'number') zone.density = a.density;
    if (typeof a.occupancy === 'number') zone.occupancy = a.occupancy;
    if (a.level_of_service !== undefined) zone.level_of_service = a.level_of_service;
    this.zones.set(id, zone);
  }

  /** Analytics fetched over REST before the socket's snapshot: merged, nothing replaced. */
  applyAnalytics(zones: Record<string, ZoneAnalytics>, artefacts: Record<string, ArtefactAnalytics>): void {
    for (const [id, a] of Object.entries(zones)) {
      const merged = { ...a, ...this.zoneAnalytics.get(id) };
      this.zoneAnalytics.set(id, merged);
      this.overlay(id, merged);
    }
    for (const [id, a] of Object.entries(artefacts)) this.artefactAnalytics.set(id, { ...a, ...this.artefactAnalytics.get(id) });
    const change: StateChange = { full: false, sensors: [], zones: Object.keys(zones), artefacts: Object.keys(artefacts) };
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
