import { describe, expect, it } from 'vitest';
import fixture from './fixtures/compact-frames.json';
import { CompactDecoder, type CompactFrame } from '../src/live/compact';
import { parseFrame } from '../src/live/client';
import { LiveStore } from '../src/live/store';
import type { StateFrame, ZoneState } from '../src/types';

// The Python encoder's frames (tests/unit/compact_fixture.py) and the version 1
// bodies they were made from: the decoder must give back every value exactly.
const wire = fixture.wire as string[];
const v1 = fixture.v1 as unknown as StateFrame[];

/** Equal, numbers bit for bit (-0 is not 0). */
function sameNumbers(a: unknown, b: unknown): void {
  if (typeof a === 'number' || typeof b === 'number') {
    expect(Object.is(a, b), `${String(a)} vs ${String(b)}`).toBe(true);
    return;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    for (const k of Object.keys(a)) sameNumbers((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]);
    return;
  }
  expect(a).toEqual(b);
}

describe('compact frames (protocol version 2)', () => {
  it('decode to the very values the server encoded', () => {
    const decoder = new CompactDecoder();
    let zones: Record<string, ZoneState> = {};
    wire.forEach((text, i) => {
      const expected = v1[i] as StateFrame;
      const frame = decoder.decode(JSON.parse(text) as CompactFrame);
      expect(frame).not.toBeNull();
      const got = frame as StateFrame;
      expect(got.type).toBe(expected.type);
      expect(got.server_time).toBe(expected.server_time);
      expect(got.clock).toEqual(expected.clock);
      expect(got.replay).toEqual(expected.replay);
      sameNumbers(got.sensors, expected.sensors);
      if (got.type === 'snapshot') zones = {};
      for (const [id, patch] of Object.entries(got.zones ?? {})) zones[id] = { ...zones[id], ...patch };
      for (const [id, body] of Object.entries(expected.zones ?? {})) sameNumbers(zones[id], body);
    });
  });

  it('names a sensor added after the snapshot, and leaves unchanged zone fields out', () => {
    const decoder = new CompactDecoder();
    decoder.decode(JSON.parse(wire[0] as string) as CompactFrame);
    const first = decoder.decode(JSON.parse(wire[1] as string) as CompactFrame) as StateFrame;
    expect(first.sensors?.['late-sensor']).toEqual({ value: 7.25, ts: 1764800000.1, status: 'ok' });
    const second = decoder.decode(JSON.parse(wire[2] as string) as CompactFrame) as StateFrame;
    expect(second.zones).toEqual({ 'gallery-a': { humidity: 48 } });
    // Zone analytics: only what moved, by index; a field the tables lack, by name.
    expect(second.analytics?.zones?.['gallery-a']).toEqual({ occupancy: 43 });
    expect(second.analytics?.zones?.['gallery-b']).toMatchObject({ new_figure: 1.5, capacity: 80 });
  });

  it('feeds the live store as version 1 frames do', () => {
    const compact = new CompactStore();
    const plain = new LiveStore();
    wire.forEach((text, i) => {
      compact.apply(text);
      plain.apply(v1[i] as StateFrame);
    });
    expect([...compact.store.sensors]).toEqual([...plain.sensors]);
    expect([...compact.store.zones]).toEqual([...plain.zones]);
    expect([...compact.store.zoneAnalytics]).toEqual([...plain.zoneAnalytics]);
    expect(compact.store.zoneAnalytics.get('gallery-a')?.occupancy).toBe(43);
    // The last frame cleared gallery-b's tracked positions (version 1: null) by name.
    expect(compact.store.zoneAnalytics.get('gallery-b')?.tracked_positions).toBeNull();
    expect(compact.store.clock).toEqual({ mode: 'data', lag_s: 130 });
  });

  it('drops a delta that comes before any snapshot, and still reads version 1 frames', () => {
    const decoder = new CompactDecoder();
    expect(parseFrame(wire[1], decoder)).toBeNull();
    const old = parseFrame(JSON.stringify(v1[1]), decoder) as StateFrame;
    expect(old.sensors?.['gallery-a-temp']?.value).toBe(1e-300);
  });
});

class CompactStore {
  readonly store = new LiveStore();
  private readonly decoder = new CompactDecoder();

  apply(text: string): void {
    const frame = parseFrame(text, this.decoder);
    if (frame !== null && (frame.type === 'snapshot' || frame.type === 'delta')) this.store.apply(frame);
  }
}
