import { describe, expect, it } from 'vitest';
import { LiveStore, type StateChange } from '../src/live/store';
import type { StateFrame } from '../src/types';

function frame(type: 'snapshot' | 'delta', body: Partial<StateFrame>): StateFrame {
  return { type, v: 1, venue: 'v', server_time: 1000, ...body };
}

describe('live store', () => {
  it('replaces everything on a snapshot and merges deltas', () => {
    const store = new LiveStore();
    store.apply(
      frame('snapshot', {
        sensors: { a: { value: 1, ts: 10, status: 'ok' }, b: { value: 2, ts: 10, status: 'warn' } },
        zones: { z: { occupancy: 3, temperature: 20 } },
      }),
    );
    store.apply(frame('delta', { sensors: { a: { value: 5, ts: 11 } }, zones: { z: { occupancy: 4 } } }));
    expect(store.sensors.get('a')).toEqual({ value: 5, ts: 11, status: 'ok' });
    expect(store.sensors.get('b')?.status).toBe('warn');
    // A zone field missing from a delta keeps its last value.
    expect(store.zones.get('z')).toEqual({ occupancy: 4, temperature: 20 });

    // After a reconnect the new snapshot wins: sensors it lacks are gone.
    store.apply(frame('snapshot', { sensors: { a: { value: 7, ts: 20, status: 'ok' } }, zones: {} }));
    expect(store.sensors.has('b')).toBe(false);
    expect(store.zones.size).toBe(0);
  });

  it('tells listeners what changed', () => {
    const store = new LiveStore();
    const changes: StateChange[] = [];
    store.subscribe((c) => changes.push(c));
    store.apply(frame('snapshot', { sensors: { a: { value: 1, ts: 1, status: 'ok' } } }));
    store.apply(frame('delta', { zones: { z: { density: 0.2 } } }));
    expect(changes).toEqual([
      { full: true, sensors: ['a'], zones: [], artefacts: [] },
      { full: false, sensors: [], zones: ['z'], artefacts: [] },
    ]);
  });

  it('reports only numeric values and measures time on the server clock', () => {
    const store = new LiveStore();
    store.apply(
      frame('snapshot', { sensors: { a: { value: 1.5, ts: 1, status: 'ok' }, b: { value: null, ts: null, status: 'unknown' } } }),
    );
    expect(store.sensorValues()).toEqual({ a: 1.5 });
    store.noteServerTime(Date.now() / 1000 + 3600);
    expect(store.now() - Date.now() / 1000).toBeCloseTo(3600, 0);
  });

  it('merges analytics per zone and artefact and remembers the replay session', () => {
    const store = new LiveStore();
    const changes: StateChange[] = [];
    store.subscribe((c) => changes.push(c));
    store.apply(
      frame('snapshot', {
        zones: { z: { density: 0.2 } },
        analytics: { zones: { z: { density: 0.5, level_of_service: 'C' } }, artefacts: { robe: { dose_ratio: 1.4 } } },
        replay: null,
      }),
    );
    store.apply(frame('delta', { analytics: { zones: { y: { level_of_service: 'F' } } }, replay: { id: 'r', venue: 'v', start: 0, end: 10, t: 5, speed: 10, playing: true } }));
    expect(store.zoneAnalytics.get('z')).toEqual({ density: 0.5, level_of_service: 'C' });
    expect(store.artefactAnalytics.get('robe')?.dose_ratio).toBe(1.4);
    expect(changes[1]?.zones).toEqual(['y']);
    expect(store.replay?.t).toBe(5);
    // A delta without a replay field leaves the session as it was.
    store.apply(frame('delta', {}));
    expect(store.replay?.id).toBe('r');
  });
});

describe('the shown clock', () => {
  it('is the replayed time while a replay is shown, the server clock otherwise', () => {
    const store = new LiveStore();
    store.noteServerTime(Date.now() / 1000);
    expect(store.now()).toBeCloseTo(Date.now() / 1000, 0);
    const session = { id: 'r', venue: 'v', start: 1000, end: 5000, t: 2000, speed: 60, playing: false };
    store.apply(frame('snapshot', { replay: session }));
    expect(store.now()).toBe(2000);
    expect(store.serverNow()).toBeCloseTo(Date.now() / 1000, 0);
    store.apply(frame('snapshot', { replay: null }));
    expect(store.now()).toBeCloseTo(Date.now() / 1000, 0);
  });
});
