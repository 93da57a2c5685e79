/**
 * The venue's open alarms, fed by the snapshot, `alarm` frames and the
 * answers to acknowledge/shelve. Sorted as an operator triages: critical
 * first, then newest.
 */

import type { Alarm, Severity } from '../types';

const SEVERITY_RANK: Record<Severity, number> = { critical: 2, warning: 1, info: 0 };

export function severityRank(severity: Severity): number {
  return SEVERITY_RANK[severity] ?? 0;
}

/** Critical before warning before info; within a severity, the newest raise first. */
export function compareAlarms(a: Alarm, b: Alarm): number {
  return severityRank(b.severity) - severityRank(a.severity) || b.raised_at - a.raised_at || a.id.localeCompare(b.id);
}

/** Needs an operator's hand: raised, or returned to normal without anyone acknowledging it. */
export function needsAcknowledge(alarm: Alarm): boolean {
  return alarm.state === 'raised' || alarm.state === 'cleared_unacknowledged';
}

export interface AlarmChange {
  /** Alarms seen for the first time (new raises), for the attention cue. */
  added: Alarm[];
  full: boolean;
}

type Listener = (change: AlarmChange) => void;

/** How many closed alarms' last revisions are remembered (a late answer cannot reopen them). */
const CLOSED_MEMORY = 512;

export class AlarmBook {
  private readonly byId = new Map<string, Alarm>();
  /** Revision at which an alarm closed, so an older copy arriving later cannot bring it back. */
  private readonly closed = new Map<string, number>();
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: AlarmChange): void {
    for (const listener of this.listeners) listener(change);
  }

  /** A snapshot's open alarms replace everything known. */
  replace(alarms: Alarm[]): void {
    const before = new Set(this.byId.keys());
    this.byId.clear();
    for (const alarm of alarms) if (alarm.state !== 'cleared') this.byId.set(alarm.id, alarm);
    this.emit({ added: alarms.filter((a) => !before.has(a.id) && a.state !== 'cleared'), full: true });
  }

  /**
   * One alarm changed. A frame and the answer to an operator's action race each
   * other, so a copy is taken only if its revision is higher than the one
   * known, open or closed.
   */
  upsert(alarm: Alarm): void {
    const known = this.byId.get(alarm.id);
    if (this.stale(alarm, known)) return;
    if (alarm.state === 'cleared') {
      this.byId.delete(alarm.id);
      this.closed.set(alarm.id, alarm.revision);
      if (this.closed.size > CLOSED_MEMORY) this.closed.delete(this.closed.keys().next().value as string);
    } else this.byId.set(alarm.id, alarm);
    this.emit({ added: known === undefined && alarm.state !== 'cleared' ? [alarm] : [], full: false });
  }

  /** No newer than the copy known (open) or the revision it closed at. */
  private stale(alarm: Alarm, known: Alarm | undefined): boolean {
    const seen = known !== undefined ? known.revision : this.closed.get(alarm.id);
    if (seen === undefined) return false;
    // Revision 0: a server that predates revisions (a mirror's publisher); only times order it.
    if (!alarm.revision || !seen) return known !== undefined && known.updated_at > alarm.updated_at;
    return seen >= alarm.revision;
  }

  get(id: string): Alarm | undefined {
    return this.byId.get(id);
  }

  /** Open alarms, triage order. */
  open(): Alarm[] {
    return [...this.byId.values()].sort(compareAlarms);
  }

  /** The most severe open, unshelved alarm per source (for badges in 3D). */
  worstBySource(): Map<string, Alarm> {
    const out = new Map<string, Alarm>();
    for (const alarm of this.byId.values()) {
      if (alarm.state === 'shelved') continue;
      const known = out.get(alarm.source);
      if (known === undefined || compareAlarms(alarm, known) < 0) out.set(alarm.source, alarm);
    }
    return out;
  }

  get size(): number {
    return this.byId.size;
  }
}
