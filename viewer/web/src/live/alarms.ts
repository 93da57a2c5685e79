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

export class AlarmBook {
  private readonly byId = new Map<string, Alarm>();
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

  /** One alarm changed; a newer copy never loses to an older one (frame vs. REST answer race). */
  upsert(alarm: Alarm): void {
    const known = this.byId.get(alarm.id);
    if (known !== undefined && known.updated_at > alarm.updated_at) return;
    if (alarm.state === 'cleared') this.byId.delete(alarm.id);
    else this.byId.set(alarm.id, alarm);
    this.emit({ added: known === undefined && alarm.state !== 'cleared' ? [alarm] : [], full: false });
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
