import { describe, expect, it } from 'vitest';
import { buildScale, colorAt, cssGradient, levelColor, levelOfService, niceCeil, typicalThresholds } from '../src/scales';
import type { SensorDef, VenueDef } from '../src/types';

function sensor(id: string, kind: string, thresholds: SensorDef['thresholds']): SensorDef {
  return { id, kind, unit: 'degC', zone: 'z', position: [0, 0, 0], thresholds };
}

function venue(sensors: SensorDef[]): VenueDef {
  return { id: 'v', name: 'V', zones: [], gates: [], sensors };
}

describe('colour scales', () => {
  it('anchors temperature on the thresholds most sensors share', () => {
    const common = { low: 16, warn_low: 18, warn_high: 22, high: 25 };
    const v = venue([
      sensor('a', 'temperature', common),
      sensor('b', 'temperature', common),
      sensor('c', 'temperature', { low: 5, warn_low: 6, warn_high: 30, high: 40 }),
    ]);
    const scale = buildScale('temperature', v);
    expect(scale.ticks.map((t) => t.v)).toEqual([16, 18, 22, 25]);
    // The comfortable middle is green, the alarm band red, the cold end blue.
    const [r, g] = colorAt(scale, 20);
    expect(g).toBeGreaterThan(r);
    const hot = colorAt(scale, 30);
    expect(hot[0]).toBeGreaterThan(hot[2]);
    const cold = colorAt(scale, 10);
    expect(cold[2]).toBeGreaterThan(cold[0]);
  });

  it('falls back to the default bands of temperature and humidity, with a margin past each limit', () => {
    const temp = buildScale('temperature', venue([]));
    expect(temp.ticks.map((t) => t.v)).toEqual([15, 17, 24, 27]);
    expect([temp.min, temp.max]).toEqual([12, 30]);
    const rh = buildScale('humidity', venue([sensor('h', 'humidity', { low: 35, high: 65 })]));
    expect(rh.ticks.map((t) => t.v)).toEqual([35, 40, 60, 65]);
    expect(rh.stops.map((s) => s.v)).toEqual([25, 35, 40, 50, 60, 65, 75]);
    expect(rh.stops[3]?.color).toBe('#47c27f');
  });

  it('ignores null thresholds and falls back to defaults', () => {
    const t = typicalThresholds([sensor('a', 'co2', { warn_high: 800, high: null })], 'co2');
    expect(t.warn_high).toBe(800);
    expect(t.high).toBe(1500);
  });

  it('clamps outside the scale and interpolates inside it', () => {
    const scale = buildScale('co2', venue([]));
    expect(colorAt(scale, -5)).toEqual(colorAt(scale, scale.min));
    expect(colorAt(scale, 1e6)).toEqual(colorAt(scale, scale.max));
    const a = colorAt(scale, 400);
    const b = colorAt(scale, 700);
    const mid = colorAt(scale, 550);
    for (let i = 0; i < 3; i += 1) expect(mid[i]).toBeCloseTo(((a[i] as number) + (b[i] as number)) / 2, 5);
  });

  it('steps density through Fruin levels of service A to F', () => {
    expect([0.1, 0.35, 0.5, 0.9, 1.5, 2.5, 9].map(levelOfService)).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'F']);
    const scale = buildScale('density', venue([]));
    expect(scale.bands?.map((b) => b.label)).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
    // Inside a band the colour does not vary: a zone reads as its letter.
    expect(colorAt(scale, 0.75)).toEqual(colorAt(scale, 1.0));
    expect(colorAt(scale, 0.75)).toEqual(levelColor('D'));
    expect(colorAt(scale, 1.2)).not.toEqual(colorAt(scale, 1.0));
    expect(levelColor('Z')).toBeNull();
  });

  it('places legend gradient stops at their true positions', () => {
    const scale = buildScale('co2', venue([]));
    const gradient = cssGradient(scale);
    expect(gradient.startsWith('linear-gradient(to right, ')).toBe(true);
    expect(gradient).toContain(' 0.00%');
    expect(gradient).toContain(' 100.00%');
  });

  it('grows the occupancy scale to a round ceiling', () => {
    expect(niceCeil(37)).toBe(50);
    expect(niceCeil(120)).toBe(200);
    expect(niceCeil(1)).toBe(1);
    expect(buildScale('occupancy', venue([]), 37).max).toBe(50);
  });
});
