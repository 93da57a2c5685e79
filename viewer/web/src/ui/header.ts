/** Venue name, local clock and the connection indicator. */

import { formatAge, formatDuration, timeFormatter } from '../format';
import type { ConnectionState } from '../live/client';
import type { ClockInfo } from '../types';
import { LOCALES, label, locale, switchLocale, t, type Locale } from '../i18n';
import { h, setText } from './dom';

const CONNECTION_LABELS: Record<ConnectionState, string> = {
  connecting: t('connection.connecting'),
  live: t('connection.live'),
  reconnecting: t('connection.reconnecting'),
  offline: t('connection.offline'),
};

export class Header {
  readonly root: HTMLElement;
  private readonly connection: HTMLElement;
  private readonly connectionLabel: HTMLElement;
  private readonly connectionAge: HTMLElement;
  private readonly clock: HTMLElement;
  private readonly dataClock: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly clockFormat: Intl.DateTimeFormat;
  private lastMessageAt = 0;

  constructor(
    venueName: string,
    timezone: string | null,
    venues: { id: string; name: string }[],
    current: string,
    user: { username: string; role: string },
    onLogout: () => void,
  ) {
    this.clockFormat = timeFormatter(timezone);
    this.connectionLabel = h('span', { class: 'connection-label', text: CONNECTION_LABELS.connecting });
    this.connectionAge = h('span', { class: 'connection-age' });
    this.connection = h(
      'div',
      { class: 'connection', 'data-testid': 'connection', 'data-state': 'connecting', role: 'status', 'aria-live': 'polite' },
      h('span', { class: 'connection-dot', 'aria-hidden': 'true' }),
      this.connectionLabel,
      this.connectionAge,
    );
    this.clock = h('span', { class: 'clock', 'data-testid': 'clock' });
    this.dataClock = h('div', { class: 'data-clock', role: 'status', 'data-testid': 'data-clock', hidden: true });
    this.notice = h('div', { class: 'notice', role: 'alert', 'data-testid': 'server-notice', hidden: true });
    const title =
      venues.length > 1 ? this.venuePicker(venues, current) : h('h1', { class: 'venue-name', 'data-testid': 'venue-name', text: venueName });
    const logout = h('button', { type: 'button', class: 'link-button', 'data-testid': 'logout', text: t('header.logout') });
    logout.addEventListener('click', onLogout);
    const who = h(
      'div',
      { class: 'user', 'data-testid': 'user' },
      h('span', { class: 'user-name', 'data-testid': 'user-name', text: user.username }),
      h('span', { class: 'role-badge', 'data-testid': 'user-role', 'data-role': user.role, text: label('role.', user.role) }),
      languagePicker(),
      logout,
    );
    this.root = h(
      'header',
      { class: 'panel-header' },
      h('div', { class: 'brand-line' }, h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'venue-twin'), who),
      title,
      h('div', { class: 'header-line' }, this.connection, this.clock),
      this.dataClock,
      this.notice,
    );
  }

  private venuePicker(venues: { id: string; name: string }[], current: string): HTMLElement {
    const select = h('select', { class: 'venue-name venue-select', 'data-testid': 'venue-name', 'aria-label': t('header.venue') });
    for (const venue of venues) {
      const option = h('option', { value: venue.id, text: venue.name });
      option.selected = venue.id === current;
      select.append(option);
    }
    select.addEventListener('change', () => {
      const url = new URL(window.location.href);
      url.searchParams.set('venue', select.value);
      window.location.assign(url.toString());
    });
    return select;
  }

  private replaying = false;
  private state: ConnectionState = 'connecting';

  setConnection(state: ConnectionState): void {
    this.state = state;
    this.connection.dataset.state = state;
    // Connected while watching a replay: say what is shown, not "Live".
    setText(this.connectionLabel, this.replaying && state === 'live' ? t('connection.replay') : CONNECTION_LABELS[state]);
  }

  setReplay(replaying: boolean): void {
    this.replaying = replaying;
    this.connection.dataset.mode = replaying ? 'replay' : 'live';
    this.setConnection(this.state);
  }

  /** A server-side problem the operator should know about (bad token, unknown venue…); null clears it. */
  showNotice(message: string | null): void {
    this.notice.hidden = message === null;
    setText(this.notice, message ?? '');
  }

  noteMessage(): void {
    this.lastMessageAt = Date.now();
  }

  /**
   * Once a second: the clock and "updated … ago". While the server catches up
   * on past data (``clock.mode === 'data'``), the clock shows the data's time
   * and says so: staleness and alarms are judged on that clock.
   */
  tick(clock?: ClockInfo, dataNow?: number): void {
    const catchingUp = clock?.mode === 'data' && dataNow !== undefined;
    this.dataClock.hidden = !catchingUp;
    this.root.dataset.clock = catchingUp ? 'data' : 'wall';
    if (catchingUp) {
      setText(
        this.dataClock,
        t('clock.catchingUp', { time: this.clockFormat.format(new Date(dataNow * 1000)), lag: formatDuration(clock.lag_s) }),
      );
    }
    setText(this.clock, this.clockFormat.format(catchingUp ? new Date(dataNow * 1000) : new Date()));
    if (this.lastMessageAt === 0) {
      setText(this.connectionAge, '');
      return;
    }
    const seconds = (Date.now() - this.lastMessageAt) / 1000;
    const age = seconds < 1.5 ? null : formatAge(seconds);
    setText(this.connectionAge, age === null ? t('connection.updatedNow') : t('connection.updatedAgo', { age }));
  }
}

/** English / 中文: the page reloads in the chosen language. */
function languagePicker(): HTMLElement {
  const select = h('select', { class: 'language-select', 'data-testid': 'language', 'aria-label': t('header.language') });
  for (const option of LOCALES) {
    const element = h('option', { value: option.id, text: option.label, lang: option.id });
    element.selected = option.id === locale();
    select.append(element);
  }
  select.addEventListener('change', () => switchLocale(select.value as Locale));
  return select;
}
