/**
 * The time slider (engineer role): a timeline of the recent past whose right
 * end is "now". Scrubbing the thumb into the past starts a replay session of
 * the window (POST /api/replay) positioned at the chosen moment, and the
 * whole page watches that session instead of the live venue; play, pause,
 * speed and seek drive it; "Back to live" ends it. The live twin is never
 * touched: a replay has its own twin on the server.
 */

import { controlReplay, createReplay, deleteReplay, type ReplayControl } from '../api';
import { locale, t, t as tr } from '../i18n';
import { formatAge } from '../format';
import type { ReplaySession } from '../types';
import { h, setText } from './dom';

export const REPLAY_SPEEDS = [1, 10, 60, 600];

export const REPLAY_WINDOWS: { label: string; seconds: number }[] = [
  { label: t('age.h', { n: 1 }), seconds: 3600 },
  { label: t('age.h', { n: 6 }), seconds: 6 * 3600 },
  { label: t('age.h', { n: 24 }), seconds: 24 * 3600 },
  { label: t('age.d', { n: 7 }), seconds: 7 * 86400 },
];

export interface ReplayBarOptions {
  venue: string;
  timezone: string | null;
  /** Server clock, epoch seconds. */
  now(): number;
  /** Watch this session (subscribe with its id). */
  enter(session: ReplaySession): void;
  /** Back to the live venue. */
  exit(): void;
}

/** Slider position (0..1000) of time `t` in [start, end]. */
export function sliderPosition(t: number, start: number, end: number): number {
  if (end <= start) return 1000;
  return Math.round(Math.min(1, Math.max(0, (t - start) / (end - start))) * 1000);
}

export function sliderTime(position: number, start: number, end: number): number {
  return start + ((end - start) * position) / 1000;
}

export class ReplayBar {
  readonly root: HTMLElement;
  /** Banner over the 3D view while a replay is shown. */
  readonly banner: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly position: HTMLElement;
  private readonly play: HTMLButtonElement;
  private readonly live: HTMLButtonElement;
  private readonly bannerTime: HTMLElement;
  private readonly speedButtons = new Map<number, HTMLButtonElement>();
  private readonly windowButtons = new Map<number, HTMLButtonElement>();
  private readonly error: HTMLElement;
  private readonly dateTime: Intl.DateTimeFormat;
  private session: ReplaySession | null = null;
  private windowS = 3600;
  private speed = 60;
  private dragging = false;
  private busy = false;

  constructor(private readonly options: ReplayBarOptions) {
    this.dateTime = new Intl.DateTimeFormat(locale(), {
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZone: validZone(options.timezone),
    });
    this.slider = h('input', {
      type: 'range',
      min: 0,
      max: 1000,
      step: 1,
      value: 1000,
      class: 'replay-slider',
      'aria-label': t('replay.sliderLabel'),
      'data-testid': 'replay-slider',
    });
    this.position = h('span', { class: 'replay-position', 'data-testid': 'replay-position', text: t('connection.live') });
    this.play = h('button', { type: 'button', class: 'small-button', 'data-testid': 'replay-play', text: t('replay.play'), disabled: true });
    this.live = h('button', { type: 'button', class: 'small-button primary', 'data-testid': 'replay-live', text: t('replay.backToLive'), hidden: true });
    this.error = h('span', { class: 'inline-error', role: 'alert', hidden: true });

    const windows = h('div', { class: 'segmented compact', role: 'radiogroup', 'aria-label': t('replay.window') });
    for (const w of REPLAY_WINDOWS) {
      const button = h('button', { type: 'button', role: 'radio', class: 'segment', 'data-testid': `replay-window-${w.seconds}`, text: w.label });
      button.addEventListener('click', () => this.setWindow(w.seconds));
      this.windowButtons.set(w.seconds, button);
      windows.append(button);
    }
    const speeds = h('div', { class: 'segmented compact', role: 'radiogroup', 'aria-label': t('replay.speed') });
    for (const s of REPLAY_SPEEDS) {
      const button = h('button', { type: 'button', role: 'radio', class: 'segment', 'data-testid': `replay-speed-${s}`, text: `${s}×` });
      button.addEventListener('click', () => this.setSpeed(s));
      this.speedButtons.set(s, button);
      speeds.append(button);
    }
    this.root = h(
      'div',
      { class: 'replay-bar', 'data-testid': 'replay-bar' },
      h('div', { class: 'replay-row' }, windows, this.slider, this.position),
      h('div', { class: 'replay-row' }, this.play, speeds, this.live, this.error),
    );
    this.bannerTime = h('span', { class: 'replay-banner-time' });
    this.banner = h(
      'div',
      { class: 'replay-banner', role: 'status', 'data-testid': 'replay-banner', hidden: true },
      h('strong', { text: t('replay.banner') }),
      this.bannerTime,
    );
    const backFromBanner = h('button', { type: 'button', class: 'small-button', text: t('replay.backToLive') });
    backFromBanner.addEventListener('click', () => void this.backToLive());
    this.banner.append(backFromBanner);

    this.slider.addEventListener('input', () => {
      this.dragging = true;
      setText(this.position, this.formatT(this.sliderT()));
    });
    this.slider.addEventListener('change', () => {
      this.dragging = false;
      void this.seek(this.sliderT());
    });
    this.play.addEventListener('click', () => {
      const s = this.session;
      if (s !== null) void this.control({ action: s.playing ? 'pause' : 'play' });
    });
    this.live.addEventListener('click', () => void this.backToLive());
    this.setWindow(this.windowS);
    this.markSpeed(this.speed);
  }

  get active(): ReplaySession | null {
    return this.session;
  }

  private windowBounds(): [number, number] {
    if (this.session !== null) return [this.session.start, this.session.end];
    const now = this.options.now();
    return [now - this.windowS, now];
  }

  private sliderT(): number {
    const [start, end] = this.windowBounds();
    return sliderTime(Number(this.slider.value), start, end);
  }

  private formatT(t: number): string {
    const ago = this.options.now() - t;
    return ago < 2 && this.session === null ? tr('connection.live') : tr('replay.ago', { time: this.dateTime.format(new Date(t * 1000)), age: formatAge(ago) });
  }

  private setWindow(seconds: number): void {
    // The window of a running session is fixed; a new one applies to the next replay.
    this.windowS = seconds;
    for (const [s, b] of this.windowButtons) b.setAttribute('aria-checked', String(s === seconds));
  }

  private markSpeed(speed: number): void {
    for (const [s, b] of this.speedButtons) b.setAttribute('aria-checked', String(s === speed));
  }

  private setSpeed(speed: number): void {
    this.speed = speed;
    this.markSpeed(speed);
    if (this.session !== null) void this.control({ action: 'speed', speed });
  }

  /** Scrubbed to `t`: start a replay there, or seek the running one. */
  private async seek(t: number): Promise<void> {
    const now = this.options.now();
    if (this.session === null) {
      if (now - t < 2) return; // still at "now": stay live
      const start = now - this.windowS;
      await this.guard(async () => {
        let session = await createReplay(this.options.venue, start, now, this.speed);
        session = await controlReplay(session.id, { action: 'seek', t: Math.max(start, Math.min(t, now - 1)) });
        this.session = session;
        this.options.enter(session);
        this.update(session);
      });
      return;
    }
    if (now - t < 2 && t >= this.session.end - 1) {
      await this.backToLive();
      return;
    }
    await this.control({ action: 'seek', t: Math.min(t, this.session.end) });
  }

  private async control(control: ReplayControl): Promise<void> {
    const session = this.session;
    if (session === null) return;
    await this.guard(async () => this.update(await controlReplay(session.id, control)));
  }

  private async guard(work: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error.hidden = true;
    try {
      await work();
    } catch (err) {
      this.error.textContent = err instanceof Error ? err.message : String(err);
      this.error.hidden = false;
    } finally {
      this.busy = false;
    }
  }

  async backToLive(): Promise<void> {
    const session = this.session;
    this.session = null;
    this.options.exit();
    this.update(null);
    // Ending the session frees it at once instead of after its idle timeout.
    if (session !== null) await deleteReplay(session.id).catch(() => undefined);
  }

  /** The session as the server last described it (frames and control answers). */
  update(session: ReplaySession | null): void {
    if (session !== null && this.session !== null && session.id !== this.session.id) return;
    if (session !== null) this.session = session;
    const s = this.session;
    this.banner.hidden = s === null;
    this.live.hidden = s === null;
    this.play.disabled = s === null;
    setText(this.play, s?.playing ? t('replay.pause') : t('replay.play'));
    this.play.dataset.playing = String(s?.playing ?? false);
    this.root.dataset.mode = s === null ? 'live' : 'replay';
    if (s !== null) {
      this.markSpeed(s.speed);
      setText(this.bannerTime, `${this.dateTime.format(new Date(s.t * 1000))} · ${s.playing ? `${s.speed}×` : t('replay.paused')}`);
    }
    if (!this.dragging) {
      const [start, end] = this.windowBounds();
      this.slider.value = String(s === null ? 1000 : sliderPosition(s.t, start, end));
      setText(this.position, s === null ? t('connection.live') : this.formatT(s.t));
    }
  }
}

function validZone(tz: string | null): string | undefined {
  if (tz === null) return undefined;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: tz });
    return tz;
  } catch {
    return undefined;
  }
}
