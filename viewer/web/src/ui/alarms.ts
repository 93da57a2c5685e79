/**
 * The alarms panel: open alarms in triage order (critical first, then newest)
 * with severity, message, source, age and count. Operators acknowledge (with
 * an optional note) and shelve (for a chosen time) in place; a viewer sees
 * the same list without the buttons. Rows are keyed and updated in place, so
 * an alarm frame arriving while a note is typed does not wipe it.
 */

import { acknowledgeAlarm, shelveAlarm, unshelveAlarm } from '../api';
import { formatAge, timeFormatter } from '../format';
import { t } from '../i18n';
import { alarmMessage } from '../i18n/alarmText';
import { type AlarmBook, compareAlarms, needsAcknowledge } from '../live/alarms';
import type { Alarm, AlarmState, Severity } from '../types';
import { h, setText } from './dom';

export const SHELVE_DURATIONS: { label: string; seconds: number }[] = [
  { label: t('age.min', { n: 15 }), seconds: 15 * 60 },
  { label: t('age.h', { n: 1 }), seconds: 3600 },
  { label: t('age.h', { n: 4 }), seconds: 4 * 3600 },
  { label: t('age.h', { n: 8 }), seconds: 8 * 3600 },
  { label: t('age.h', { n: 24 }), seconds: 24 * 3600 },
];

export const SEVERITY_LABELS: Record<Severity, string> = {
  critical: t('severity.critical'),
  warning: t('severity.warning'),
  info: t('severity.info'),
};

export interface AlarmsPanelOptions {
  book: AlarmBook;
  /** Acknowledge and shelve offered (operator role and above). */
  canAct: boolean;
  /** Server clock, epoch seconds. */
  now(): number;
  timezone: string | null;
  /** A readable name for an alarm source (sensor, zone, artefact id). */
  describeSource(source: string): string;
  /** Show the source in 3D; false when the venue does not know it. */
  focusSource(source: string): boolean;
}

interface Row {
  root: HTMLElement;
  severity: HTMLElement;
  message: HTMLElement;
  age: HTMLElement;
  source: HTMLButtonElement;
  count: HTMLElement;
  state: HTMLElement;
  ack: HTMLButtonElement | null;
  shelve: HTMLButtonElement | null;
  unshelve: HTMLButtonElement | null;
  form: HTMLFormElement | null;
  error: HTMLElement;
}

export class AlarmsPanel {
  readonly root: HTMLElement;
  private readonly list: HTMLElement;
  private readonly counts: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly rows = new Map<string, Row>();
  private readonly clock: Intl.DateTimeFormat;
  private order: string[] = [];

  constructor(private readonly options: AlarmsPanelOptions) {
    this.clock = timeFormatter(options.timezone);
    this.counts = h('span', { class: 'section-counts', 'data-testid': 'alarm-counts' });
    this.empty = h('p', { class: 'empty', text: t('alarms.none') });
    this.list = h('ul', { class: 'alarm-list', 'data-testid': 'alarm-list', 'aria-label': t('alarms.open') });
    this.root = h(
      'section',
      { class: 'alarms', 'data-testid': 'alarms', 'aria-label': t('alarms.title') },
      h('div', { class: 'section-head' }, h('h2', { class: 'section-title', text: t('alarms.title') }), this.counts),
      this.empty,
      this.list,
    );
    options.book.subscribe(() => this.render());
    this.render();
  }

  /** Alarm ids in display order. */
  get ids(): string[] {
    return this.order;
  }

  private render(): void {
    // Shelved alarms sit at the end: hidden on purpose, still visible on request.
    const open = this.options.book.open();
    const active = open.filter((a) => a.state !== 'shelved');
    const shelved = open.filter((a) => a.state === 'shelved').sort(compareAlarms);
    const ordered = [...active, ...shelved];
    const seen = new Set<string>();
    for (const alarm of ordered) {
      seen.add(alarm.id);
      const row = this.rows.get(alarm.id) ?? this.build(alarm);
      this.fill(row, alarm);
    }
    for (const [id, row] of this.rows) {
      if (seen.has(id)) continue;
      row.root.remove();
      this.rows.delete(id);
    }
    const order = ordered.map((a) => a.id);
    // Re-append only when the order changed: moving a row would blur a note being typed.
    if (order.join() !== this.order.join()) {
      for (const id of order) this.list.append((this.rows.get(id) as Row).root);
    }
    this.order = order;
    this.empty.hidden = ordered.length > 0;
    const bySeverity = (s: Severity): number => active.filter((a) => a.severity === s).length;
    const parts = (['critical', 'warning', 'info'] as Severity[])
      .map((s) => [s, bySeverity(s)] as const)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => t(`alarms.count.${s}`, { n }));
    if (shelved.length > 0) parts.push(t('alarms.count.shelved', { n: shelved.length }));
    setText(this.counts, parts.join(' · '));
    this.root.dataset.worst = active[0]?.severity ?? 'none';
  }

  private build(alarm: Alarm): Row {
    const severity = h('span', { class: 'alarm-severity' });
    const message = h('span', { class: 'alarm-message', 'data-testid': `alarm-message-${alarm.id}` });
    const age = h('span', { class: 'alarm-age' });
    const source = h('button', { type: 'button', class: 'alarm-source link-button', 'data-testid': `alarm-source-${alarm.id}` });
    source.addEventListener('click', () => this.options.focusSource(alarm.source));
    const count = h('span', { class: 'alarm-count' });
    const state = h('span', { class: 'alarm-state', 'data-testid': `alarm-state-${alarm.id}` });
    const error = h('p', { class: 'inline-error', role: 'alert', hidden: true });
    const root = h(
      'li',
      { class: 'alarm', 'data-testid': `alarm-row-${alarm.id}`, 'data-alarm': alarm.id },
      h('div', { class: 'alarm-line' }, severity, message, age),
      h('div', { class: 'alarm-meta' }, source, count, state),
    );
    const row: Row = { root, severity, message, age, source, count, state, ack: null, shelve: null, unshelve: null, form: null, error };
    if (this.options.canAct) {
      const ack = h('button', { type: 'button', class: 'small-button primary', 'data-testid': `alarm-ack-${alarm.id}`, text: t('alarms.acknowledge') });
      const shelve = h('button', { type: 'button', class: 'small-button', 'data-testid': `alarm-shelve-${alarm.id}`, text: t('alarms.shelve') });
      const unshelve = h('button', { type: 'button', class: 'small-button', 'data-testid': `alarm-unshelve-${alarm.id}`, text: t('alarms.unshelve') });
      ack.addEventListener('click', () => this.openForm(row, alarm.id, 'acknowledge'));
      shelve.addEventListener('click', () => this.openForm(row, alarm.id, 'shelve'));
      unshelve.addEventListener('click', () => this.act(row, () => unshelveAlarm(alarm.id)));
      Object.assign(row, { ack, shelve, unshelve });
      root.append(h('div', { class: 'alarm-actions' }, ack, shelve, unshelve));
    }
    root.append(error);
    this.rows.set(alarm.id, row);
    return row;
  }

  private fill(row: Row, alarm: Alarm): void {
    row.root.dataset.severity = alarm.severity;
    row.root.dataset.state = alarm.state;
    row.root.dataset.active = String(alarm.active !== false);
    setText(row.severity, SEVERITY_LABELS[alarm.severity] ?? alarm.severity);
    setText(row.message, alarmMessage(alarm, this.options.timezone));
    setText(row.source, this.options.describeSource(alarm.source));
    row.source.title = t('alarms.showIn3d', { source: alarm.source });
    setText(row.count, alarm.count > 1 ? `×${alarm.count}` : '');
    setText(row.state, this.stateText(alarm));
    row.state.title = alarm.note ? t('alarms.noteTitle', { note: alarm.note }) : '';
    if (row.ack) row.ack.hidden = !needsAcknowledge(alarm);
    if (row.shelve) row.shelve.hidden = alarm.state === 'shelved';
    if (row.unshelve) row.unshelve.hidden = alarm.state !== 'shelved';
    row.root.dataset.raisedAt = String(alarm.raised_at);
    this.tickRow(row, alarm);
  }

  private stateText(alarm: Alarm): string {
    const labels: Record<AlarmState, string> = {
      raised: t('alarmState.raised'),
      acknowledged: alarm.acknowledged_by ? t('alarmState.acknowledgedBy', { user: alarm.acknowledged_by }) : t('alarmState.acknowledged'),
      cleared_unacknowledged: t('alarmState.cleared_unacknowledged'),
      cleared: t('alarmState.cleared'),
      shelved: alarm.shelved_until
        ? t('alarmState.shelvedUntil', { time: this.clock.format(new Date(alarm.shelved_until * 1000)) })
        : t('alarmState.shelved'),
    };
    if (alarm.state === 'shelved' && alarm.active === false) labels.shelved += t('alarmState.backToNormal');
    const text = labels[alarm.state] ?? alarm.state;
    return alarm.note && alarm.state !== 'raised' ? `${text} · “${alarm.note}”` : text;
  }

  private openForm(row: Row, id: string, mode: 'acknowledge' | 'shelve'): void {
    row.form?.remove();
    const note = h('input', {
      class: 'note-input',
      type: 'text',
      maxlength: 500,
      placeholder: t('alarms.notePlaceholder'),
      'aria-label': t('alarms.note'),
      'data-testid': `alarm-note-${id}`,
    });
    const cancel = h('button', { type: 'button', class: 'small-button', text: t('common.cancel') });
    const form = h('form', { class: 'alarm-form', 'data-testid': `alarm-form-${id}` }, note);
    if (mode === 'acknowledge') {
      form.append(h('button', { type: 'submit', class: 'small-button primary', 'data-testid': `alarm-ack-confirm-${id}`, text: t('alarms.acknowledge') }));
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        this.act(row, () => acknowledgeAlarm(id, note.value.trim() || null));
      });
    } else {
      const durations = h('div', { class: 'durations', role: 'group', 'aria-label': t('alarms.shelveFor') });
      for (const d of SHELVE_DURATIONS) {
        const button = h('button', { type: 'button', class: 'small-button', 'data-testid': `alarm-shelve-${id}-${d.seconds}`, text: d.label });
        button.addEventListener('click', () => this.act(row, () => shelveAlarm(id, d.seconds, note.value.trim() || null)));
        durations.append(button);
      }
      form.append(h('span', { class: 'durations-label', text: t('alarms.shelveFor') }), durations);
      form.addEventListener('submit', (e) => e.preventDefault());
    }
    form.append(cancel);
    cancel.addEventListener('click', () => this.closeForm(row));
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        this.closeForm(row);
      }
    });
    row.form = form;
    row.error.hidden = true;
    row.root.insertBefore(form, row.error);
    note.focus();
  }

  private closeForm(row: Row): void {
    row.form?.remove();
    row.form = null;
  }

  private act(row: Row, call: () => Promise<Alarm>): void {
    for (const button of row.root.querySelectorAll('button')) button.disabled = true;
    call()
      .then((alarm) => {
        this.closeForm(row);
        row.error.hidden = true;
        this.options.book.upsert(alarm);
      })
      .catch((err: unknown) => {
        // 409: someone else acted first, or the alarm moved on; say so in place.
        row.error.textContent = err instanceof Error ? err.message : String(err);
        row.error.hidden = false;
      })
      .finally(() => {
        for (const button of row.root.querySelectorAll('button')) button.disabled = false;
      });
  }

  private tickRow(row: Row, alarm: Alarm): void {
    const age = formatAge(this.options.now() - alarm.raised_at);
    setText(row.age, age === t('age.now') ? t('age.justNow') : age);
    row.age.title = t('alarms.raisedAt', { time: this.clock.format(new Date(alarm.raised_at * 1000)) });
  }

  /** Once a second: ages move. */
  tick(): void {
    for (const [id, row] of this.rows) {
      const alarm = this.options.book.get(id);
      if (alarm) this.tickRow(row, alarm);
    }
  }

  /** Mark a row briefly as new (attention cue). */
  flash(id: string): void {
    const row = this.rows.get(id);
    if (row === undefined) return;
    row.root.classList.remove('fresh');
    void row.root.offsetWidth; // restart the animation
    row.root.classList.add('fresh');
  }
}
