/**
 * Commands: those awaiting an operator's confirmation (the rule that asked,
 * the target, what it would do, when the request expires) with Confirm and
 * Reject, and the recent ones with their state. Hidden while there is
 * nothing to show.
 */

import { confirmCommand, rejectCommand } from '../api';
import { label, t } from '../i18n';
import { formatAge } from '../format';
import type { CommandBook } from '../live/commands';
import type { Command, CommandState } from '../types';
import { h, setText } from './dom';

const STATE_LABELS: Record<CommandState, string> = {
  pending_confirmation: t('commandState.pending_confirmation'),
  sent: t('commandState.sent'),
  acknowledged: t('commandState.acknowledged'),
  failed: t('commandState.failed'),
  timed_out: t('commandState.timed_out'),
  rejected_by_operator: t('commandState.rejected_by_operator'),
  expired: t('commandState.expired'),
};

export interface CommandsPanelOptions {
  book: CommandBook;
  canAct: boolean;
  now(): number;
  /** A readable name for a device or target id. */
  describeTarget(target: string): string;
}

/** "close main-door (level_percent 60)" */
export function describeCommand(command: Command, target: string): string {
  const params = Object.entries(command.params ?? {})
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${String(v)}`)
    .join(', ');
  return `${command.action.replace(/_/g, ' ')} ${target}${params ? ` (${params})` : ''}`;
}

/** `rule:corridor-crowding` -> "rule corridor-crowding". */
export function describeOrigin(origin: string): string {
  const [kind, ...rest] = origin.split(':');
  return rest.length > 0 ? `${label('origin.', kind ?? '')} ${rest.join(':')}` : origin;
}

export class CommandsPanel {
  readonly root: HTMLElement;
  private readonly pendingList: HTMLElement;
  private readonly recentList: HTMLElement;
  private readonly recentBox: HTMLDetailsElement;
  private readonly recentSummary: HTMLElement;
  private readonly title: HTMLElement;
  private readonly expiries = new Map<HTMLElement, number | null>();

  constructor(private readonly options: CommandsPanelOptions) {
    this.title = h('h2', { class: 'section-title', text: t('commands.title') });
    this.pendingList = h('ul', { class: 'command-list', 'data-testid': 'pending-commands', 'aria-label': t('commands.awaiting') });
    this.recentList = h('ul', { class: 'command-list recent', 'data-testid': 'recent-commands' });
    this.recentSummary = h('summary', { text: t('commands.recent') });
    this.recentBox = h('details', { class: 'recent-commands' }, this.recentSummary, this.recentList);
    this.root = h(
      'section',
      { class: 'commands', 'data-testid': 'commands', 'aria-label': t('commands.title') },
      h('div', { class: 'section-head' }, this.title),
      this.pendingList,
      this.recentBox,
    );
    options.book.subscribe(() => this.render());
    this.render();
  }

  private render(): void {
    const pending = this.options.book.pending();
    const recent = this.options.book.recent();
    this.expiries.clear();
    this.pendingList.replaceChildren(...pending.map((c) => this.pendingRow(c)));
    this.recentList.replaceChildren(...recent.map((c) => this.recentRow(c)));
    setText(this.title, pending.length > 0 ? t('commands.awaitingN', { n: pending.length }) : t('commands.title'));
    setText(this.recentSummary, t('commands.recentN', { n: recent.length }));
    this.recentBox.hidden = recent.length === 0;
    this.root.hidden = pending.length === 0 && recent.length === 0;
    this.root.dataset.pending = String(pending.length);
    this.tick();
  }

  private pendingRow(command: Command): HTMLElement {
    const expires = h('span', { class: 'command-expiry' });
    this.expiries.set(expires, command.expires_at);
    const error = h('p', { class: 'inline-error', role: 'alert', hidden: true });
    const row = h(
      'li',
      { class: 'command pending', 'data-testid': `command-row-${command.id}` },
      h('div', { class: 'command-what', text: describeCommand(command, this.options.describeTarget(command.target)) }),
      h('div', { class: 'command-meta' }, h('span', { text: t('commands.askedBy', { origin: describeOrigin(command.origin) }) }), expires),
      error,
    );
    if (this.options.canAct) {
      const confirm = h('button', { type: 'button', class: 'small-button primary', 'data-testid': `command-confirm-${command.id}`, text: t('commands.confirm') });
      const reject = h('button', { type: 'button', class: 'small-button', 'data-testid': `command-reject-${command.id}`, text: t('commands.reject') });
      const act = (call: () => Promise<Command>): void => {
        confirm.disabled = reject.disabled = true;
        call()
          .then((answer) => this.options.book.upsert(answer))
          .catch((err: unknown) => {
            error.textContent = err instanceof Error ? err.message : String(err);
            error.hidden = false;
            confirm.disabled = reject.disabled = false;
          });
      };
      confirm.addEventListener('click', () => act(() => confirmCommand(command.id)));
      reject.addEventListener('click', () => act(() => rejectCommand(command.id, null)));
      row.insertBefore(h('div', { class: 'command-actions' }, confirm, reject), error);
    }
    return row;
  }

  private recentRow(command: Command): HTMLElement {
    const age = h('span', { class: 'command-age' });
    this.expiries.set(age, -command.updated_at);
    return h(
      'li',
      { class: 'command', 'data-state': command.state, 'data-testid': `command-row-${command.id}` },
      h(
        'div',
        { class: 'command-line' },
        h('span', { class: 'command-what', text: describeCommand(command, this.options.describeTarget(command.target)) }),
        h('span', { class: 'command-state', text: STATE_LABELS[command.state] ?? command.state }),
      ),
      h(
        'div',
        { class: 'command-meta' },
        h('span', { text: [describeOrigin(command.origin), command.confirmed_by ? t('commands.confirmedBy', { user: command.confirmed_by }) : '', command.detail ?? ''].filter(Boolean).join(' · ') }),
        age,
      ),
    );
  }

  /** Once a second: expiry countdowns and ages. */
  tick(): void {
    const now = this.options.now();
    for (const [el, at] of this.expiries) {
      if (at === null) setText(el, '');
      // Negative: an age (updated_at), positive: an expiry.
      else if (at < 0) setText(el, formatAge(now + at) === t('age.now') ? t('age.justNow') : t('common.ago', { age: formatAge(now + at) }));
      else setText(el, at > now ? t('commands.expiresIn', { age: formatAge(at - now) }) : t('commands.expiring'));
    }
  }
}
