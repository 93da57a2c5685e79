/**
 * The alarm log: what happened, newest first, including alarms long cleared,
 * so the morning shift can see the night's events and who handled them.
 * A row opens to the alarm's full history (raised, acknowledged with whose
 * note, shelved, cleared). Loaded from REST when shown and refreshed, at most
 * every few seconds, while it stays open and alarms change.
 */

import { alarmHistory, listAlarmLog } from '../api';
import { t } from '../i18n';
import { alarmMessage } from '../i18n/alarmText';
import type { Alarm, AlarmTransition } from '../types';
import { h, setText } from './dom';

const LOG_SIZE = 100;
const REFRESH_MIN_MS = 3000;

const STATE_LABELS: Record<Alarm['state'], string> = {
  raised: t('alarmState.raised'),
  acknowledged: t('alarmState.acknowledged'),
  cleared_unacknowledged: t('alarmLog.clearedUnacknowledged'),
  cleared: t('alarmState.cleared'),
  shelved: t('alarmState.shelved'),
};

const ACTION_LABELS: Record<string, string> = {
  raise: t('action.raise'),
  acknowledge: t('action.acknowledge'),
  clear: t('action.clear'),
  shelve: t('action.shelve'),
  unshelve: t('action.unshelve'),
  reraise: t('action.reraise'),
  notify: t('action.notify'),
};

export interface AlarmLogOptions {
  venue: string;
  /** A readable name for an alarm source (sensor, zone, artefact id). */
  describeSource(source: string): string;
  /** Date and time in the venue's time zone. */
  formatTime(epochS: number): string;
  /** The venue's time zone, for times inside alarm messages. */
  timezone?: string | null;
}

export class AlarmLog {
  readonly root: HTMLElement;
  private readonly list: HTMLElement;
  private readonly status: HTMLElement;
  private visible = false;
  private loading = false;
  private stale = true;
  private lastLoad = 0;
  private timer: number | null = null;

  constructor(private readonly options: AlarmLogOptions) {
    this.status = h('p', { class: 'empty', 'data-testid': 'alarm-log-status', text: t('common.loading') });
    this.list = h('ul', { class: 'list alarm-log', 'data-testid': 'alarm-log', 'aria-label': t('lists.alarmLog') });
    this.root = h('div', { class: 'alarm-log-panel', hidden: true }, this.status, this.list);
  }

  /** The tab opened or closed. */
  show(visible: boolean): void {
    this.visible = visible;
    this.root.hidden = !visible;
    if (visible && this.stale) this.schedule();
  }

  /** An alarm changed somewhere: the log is out of date. */
  invalidate(): void {
    this.stale = true;
    if (this.visible) this.schedule();
  }

  private schedule(): void {
    if (this.timer !== null) return;
    const wait = Math.max(0, this.lastLoad + REFRESH_MIN_MS - Date.now());
    this.timer = window.setTimeout(() => {
      this.timer = null;
      void this.load();
    }, wait);
  }

  private async load(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    this.stale = false;
    this.lastLoad = Date.now();
    try {
      const page = await listAlarmLog(this.options.venue, LOG_SIZE);
      const items = [...page.items].sort((a, b) => b.updated_at - a.updated_at);
      this.render(items);
      setText(this.status, items.length === 0 ? t('alarmLog.none') : '');
      this.status.hidden = items.length > 0;
    } catch (err) {
      this.status.hidden = false;
      setText(this.status, t('alarmLog.loadFailed', { error: err instanceof Error ? err.message : String(err) }));
    } finally {
      this.loading = false;
      if (this.stale && this.visible) this.schedule();
    }
  }

  private render(items: Alarm[]): void {
    // Keep rows whose history is open: an operator reading one is not interrupted.
    const open = new Set([...this.list.querySelectorAll<HTMLElement>('li[data-open="true"]')].map((li) => li.dataset.alarm));
    this.list.replaceChildren(...items.map((a) => this.row(a, open.has(a.id))));
  }

  private row(alarm: Alarm, expand: boolean): HTMLElement {
    const handled = alarm.acknowledged_by ? ` · ${t('alarmLog.by', { user: alarm.acknowledged_by })}` : '';
    const history = h('ol', { class: 'alarm-history', hidden: true, 'aria-label': t('alarmLog.history') });
    const li = h(
      'li',
      { class: 'log-row', 'data-alarm': alarm.id, 'data-severity': alarm.severity, 'data-state': alarm.state, 'data-testid': `alarm-log-${alarm.id}` },
      h(
        'button',
        { class: 'log-head', type: 'button', 'aria-expanded': 'false' },
        h('span', { class: 'log-time', text: this.options.formatTime(alarm.updated_at) }),
        h('span', { class: 'log-message', text: alarmMessage(alarm, this.options.timezone) }),
        h('span', {
          class: 'log-meta',
          text: `${this.options.describeSource(alarm.source)} · ${STATE_LABELS[alarm.state]}${handled}`,
        }),
      ),
      history,
    );
    const head = li.querySelector('button') as HTMLButtonElement;
    const toggle = async (): Promise<void> => {
      const opening = history.hidden;
      history.hidden = !opening;
      li.dataset.open = String(opening);
      head.setAttribute('aria-expanded', String(opening));
      if (opening) await this.fillHistory(alarm.id, history);
    };
    head.addEventListener('click', () => void toggle());
    if (expand) void toggle();
    return li;
  }

  private async fillHistory(id: string, into: HTMLElement): Promise<void> {
    setText(into, t('common.loading'));
    try {
      const steps = await alarmHistory(id);
      into.replaceChildren(...steps.map((s) => this.step(s)));
    } catch (err) {
      setText(into, t('alarmLog.historyFailed', { error: err instanceof Error ? err.message : String(err) }));
    }
  }

  private step(step: AlarmTransition): HTMLElement {
    const who = step.user ? ` ${t('alarmLog.by', { user: step.user })}` : '';
    return h(
      'li',
      { class: 'history-step' },
      h('span', { class: 'log-time', text: this.options.formatTime(step.ts) }),
      h('span', { text: `${ACTION_LABELS[step.action] ?? step.action}${who}` }),
      step.note ? h('q', { class: 'history-note', text: step.note }) : null,
    );
  }
}
