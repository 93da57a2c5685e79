import { describe, expect, it } from 'vitest';
import { StoreyPlan } from '../src/scene/storeys';
import type { VenueDef, ZoneDef } from '../src/types';

const zone = (id: string, level: number): ZoneDef => ({ id, name: id.toUpperCase(), floor: [[0, 0], [1, 0], [1, 1]], level });

function venue(zones: ZoneDef[], storeys?: VenueDef['storeys']): VenueDef {
  return { id: 'v', name: 'V', zones, gates: [], sensors: [], storeys };
}

describe('StoreyPlan', () => {
  it('keeps a pit and a landing on their named storey', () => {
    const plan = new StoreyPlan(
      venue([zone('hall', 0.02), zone('pit', -1.2), zone('room', 3.1), zone('landing', 1.55)], [
        { id: 'g', name: 'Ground', elevation: 0, zones: ['hall', 'pit', 'landing'] },
        { id: 'u', name: 'Upper', elevation: 3.1, zones: ['room'] },
        { id: 'r', name: 'Roof', elevation: 6, zones: [] },
      ]),
    );
    expect(plan.storeys.map((s) => s.name)).toEqual(['Ground', 'Upper']);
    expect(plan.storeys[0]?.zones).toEqual(['hall', 'pit', 'landing']);
    expect(plan.keyOf('pit')).toBe(plan.keyOf('hall'));
    expect(plan.keyOf('room')).toBe(3.1);
  });

  it('numbers storeys by floor level when the venue names none', () => {
    const plan = new StoreyPlan(venue([zone('b', 4), zone('a', 0), zone('c', 4.001)]));
    expect(plan.storeys.map((s) => [s.name, s.zones])).toEqual([
      ['Storey 0', ['a']],
      ['Storey 1', ['b', 'c']],
    ]);
  });

  it('stacks storeys a gap apart for the exploded view, lowest unmoved', () => {
    const plan = new StoreyPlan(venue([zone('a', 0), zone('b', 3), zone('c', 6)]));
    expect([...plan.offsets(5).values()]).toEqual([0, 5, 10]);
  });
});
