import { describe, expect, it } from 'vitest';
import { AlarmBook, compareAlarms, needsAcknowledge } from '../src/live/alarms';
import { CommandBook } from '../src/live/commands';
import type { Alarm, Command } from '../src/types';

function alarm(id: string, severity: Alarm['severity'], raisedAt: number, extra: Partial<Alarm> = {}): Alarm {
  return {
    id,
    venue: 'v',
    source: `s-${id}`,
    kind: 'out_of_range',
    severity,
    state: 'raised',
    message: id,
    value: null,
    count: 1,
    raised_at: raisedAt,
    updated_at: raisedAt,
    acknowledged_by: null,
    note: null,
    shelved_until: null,
    revision: 1,
    ...extra,
  };
}

function command(id: string, state: Command['state'], createdAt: number): Command {
  return {
    id,
    venue: 'v',
    target: 'door',
    action: 'close',
    params: {},
    state,
    origin: 'rule:r',
    created_at: createdAt,
    updated_at: createdAt,
    expires_at: null,
    detail: null,
    confirmed_by: null,
  };
}

describe('alarm book', () => {
  it('sorts critical first, then newest', () => {
    const book = new AlarmBook();
    book.replace([alarm('w-new', 'warning', 30), alarm('c-old', 'critical', 10), alarm('i', 'info', 40), alarm('c-new', 'critical', 20)]);
    expect(book.open().map((a) => a.id)).toEqual(['c-new', 'c-old', 'w-new', 'i']);
    expect(compareAlarms(alarm('a', 'critical', 1), alarm('b', 'warning', 2))).toBeLessThan(0);
  });

  it('reports new alarms, drops cleared ones and never lets an older copy win', () => {
    const book = new AlarmBook();
    const added: string[][] = [];
    book.subscribe((c) => added.push(c.added.map((a) => a.id)));
    book.replace([alarm('a', 'critical', 10)]);
    book.upsert(alarm('b', 'warning', 11));
    book.upsert(alarm('a', 'critical', 10, { state: 'acknowledged', updated_at: 15, revision: 3 }));
    // A late frame with the state before the acknowledgement is ignored.
    book.upsert(alarm('a', 'critical', 10, { state: 'raised', updated_at: 12, revision: 2 }));
    expect(book.get('a')?.state).toBe('acknowledged');
    book.upsert(alarm('b', 'warning', 11, { state: 'cleared', updated_at: 20, revision: 2 }));
    expect(book.get('b')).toBeUndefined();
    // The ignored stale copy notifies nobody.
    expect(added).toEqual([['a'], ['b'], [], []]);
  });

  it('orders copies by revision, not by time: a reading stamped before a shelve but applied after it', () => {
    // The server shelved at 100 (its clock, revision 2); then applied a reading
    // taken at 99.5 that cleared the condition (revision 3). The page gets the
    // frame first and the shelve answer second, or the other way round.
    const shelved = alarm('a', 'critical', 90, { state: 'shelved', updated_at: 100, revision: 2 });
    const cleared = alarm('a', 'critical', 90, { state: 'shelved', active: false, updated_at: 99.5, revision: 3 });
    for (const order of [[shelved, cleared], [cleared, shelved]]) {
      const book = new AlarmBook();
      book.replace([alarm('a', 'critical', 90)]);
      for (const copy of order) book.upsert(copy);
      expect(book.get('a')?.active).toBe(false);
    }
  });

  it('does not let a late answer reopen an alarm that closed', () => {
    const book = new AlarmBook();
    book.replace([alarm('a', 'critical', 10, { state: 'acknowledged', revision: 4 })]);
    book.upsert(alarm('a', 'critical', 10, { state: 'cleared', updated_at: 30, revision: 5 }));
    book.upsert(alarm('a', 'critical', 10, { state: 'acknowledged', updated_at: 31, revision: 4 }));
    expect(book.get('a')).toBeUndefined();
    expect(book.open()).toEqual([]);
  });

  it('badges the worst unshelved alarm of each source', () => {
    const book = new AlarmBook();
    book.replace([
      alarm('w', 'warning', 10, { source: 'x' }),
      alarm('c', 'critical', 5, { source: 'x' }),
      alarm('s', 'critical', 5, { source: 'y', state: 'shelved' }),
    ]);
    const worst = book.worstBySource();
    expect(worst.get('x')?.id).toBe('c');
    expect(worst.has('y')).toBe(false);
  });

  it('asks for acknowledgement while raised or cleared unacknowledged only', () => {
    expect(needsAcknowledge(alarm('a', 'info', 1))).toBe(true);
    expect(needsAcknowledge(alarm('a', 'info', 1, { state: 'cleared_unacknowledged' }))).toBe(true);
    expect(needsAcknowledge(alarm('a', 'info', 1, { state: 'acknowledged' }))).toBe(false);
    expect(needsAcknowledge(alarm('a', 'info', 1, { state: 'shelved' }))).toBe(false);
  });
});

describe('command book', () => {
  it('separates pending (oldest first) from recent (newest first) and keeps newer copies', () => {
    const book = new CommandBook();
    book.merge([command('p2', 'pending_confirmation', 20), command('p1', 'pending_confirmation', 10), command('done', 'acknowledged', 30)]);
    expect(book.pending().map((c) => c.id)).toEqual(['p1', 'p2']);
    book.upsert({ ...command('p1', 'sent', 10), updated_at: 40 });
    book.merge([command('p1', 'pending_confirmation', 10)]); // stale list entry
    expect(book.pending().map((c) => c.id)).toEqual(['p2']);
    expect(book.recent().map((c) => c.id)).toEqual(['done', 'p1']);
  });
});
