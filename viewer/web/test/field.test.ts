import { describe, expect, it } from 'vitest';
import { fieldLayout, MAX_SENSORS_PER_ZONE } from '../src/scene/sensorField';
import { sliderPosition, sliderTime } from '../src/ui/replay';
import { describeCommand, describeOrigin } from '../src/ui/commands';
import { roleAtLeast } from '../src/auth';
import type { Command } from '../src/types';

describe('sensor field layout', () => {
  it('groups sensors by zone so each zone weighs only its own sensors', () => {
    const slots = new Map([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
    const s = (id: string, zone: string): { id: string; zone: string; x: number; z: number } => ({ id, zone, x: 0, z: 0 });
    const { order, ranges } = fieldLayout([s('b1', 'b'), s('a1', 'a'), s('b2', 'b'), s('x', 'unknown')], slots);
    expect(order.map((o) => o.id)).toEqual(['a1', 'b1', 'b2']);
    expect(ranges.get(0)).toEqual({ start: 0, count: 1 });
    expect(ranges.get(1)).toEqual({ start: 1, count: 2 });
    // A zone without sensors of the quantity has no range: its floor keeps the zone colour.
    expect(ranges.has(2)).toBe(false);
  });

  it('caps the sensors one fragment weighs per zone', () => {
    const many = Array.from({ length: MAX_SENSORS_PER_ZONE + 5 }, (_, i) => ({ id: `s${i}`, zone: 'a', x: i, z: 0 }));
    expect(fieldLayout(many, new Map([['a', 0]])).ranges.get(0)?.count).toBe(MAX_SENSORS_PER_ZONE);
  });
});

describe('replay slider', () => {
  it('maps times to positions and back, clamped to the window', () => {
    expect(sliderPosition(150, 100, 200)).toBe(500);
    expect(sliderPosition(50, 100, 200)).toBe(0);
    expect(sliderPosition(250, 100, 200)).toBe(1000);
    expect(sliderTime(250, 0, 3600)).toBe(900);
  });
});

describe('commands and roles', () => {
  it('reads a command as an action on a target with its parameters and origin', () => {
    const command = { action: 'dim', target: 'gallery-c-lights', params: { level_percent: 60 } } as unknown as Command;
    expect(describeCommand(command, 'Gallery C lights')).toBe('dim Gallery C lights (level percent 60)');
    expect(describeOrigin('rule:corridor-crowding')).toBe('rule corridor-crowding');
  });

  it('orders roles viewer < operator < engineer < admin', () => {
    expect(roleAtLeast('viewer', 'operator')).toBe(false);
    expect(roleAtLeast('operator', 'operator')).toBe(true);
    expect(roleAtLeast('admin', 'engineer')).toBe(true);
    expect(roleAtLeast(null, 'viewer')).toBe(false);
  });
});
