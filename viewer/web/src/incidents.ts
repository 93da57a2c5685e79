/**
 * Alarms and commands on the page: the panels, the badges in 3D, the
 * attention cue for a new critical alarm, and the page title's count.
 */

import { listCommands } from './api';
import { t } from './i18n';
import { alarmMessage } from './i18n/alarmText';
import type { ViewContext } from './context';
import { kindLabel } from './format';
import { AlarmBook } from './live/alarms';
import { CommandBook } from './live/commands';
import { AlarmBadges } from './scene/alarmBadges';
import type { LabelLayer } from './scene/labels';
import type { VenueTwinHook } from './testHook';
import type { Alarm } from './types';
import { AlarmsPanel } from './ui/alarms';
import { CommandsPanel } from './ui/commands';
import { h, setText } from './ui/dom';
import type { Vector3 } from 'three';

/** How long the attention cue for a new critical alarm stays up (ms). */
const CUE_MS = 12_000;

export interface IncidentsOptions {
  ctx: ViewContext;
  canAct: boolean;
  labels: LabelLayer;
  hook: VenueTwinHook;
  /** Scene position of a sensor or artefact source. */
  pointOf(source: string): Vector3 | null;
  /** Label element of a zone. */
  zoneLabel(zoneId: string): HTMLElement | undefined;
  focusSource(source: string): boolean;
  /** The number of alarms needing attention changed (page title). */
  onCount(open: number): void;
}

export class Incidents {
  readonly alarms = new AlarmBook();
  readonly commands = new CommandBook();
  readonly alarmsPanel: AlarmsPanel;
  readonly commandsPanel: CommandsPanel;
  /** The attention cue, placed over the 3D view. */
  readonly cue: HTMLElement;
  private readonly cueText: HTMLElement;
  private readonly badges: AlarmBadges;
  private cueTimer: number | null = null;
  private cueSource: string | null = null;
  /** The first snapshot's alarms are not "new": no cue for what was there before the page opened. */
  private primed = false;
  /** Watching a replay: its alarms are history, no cue. */
  replaying = false;

  constructor(private readonly options: IncidentsOptions) {
    const { ctx } = options;
    this.alarmsPanel = new AlarmsPanel({
      book: this.alarms,
      canAct: options.canAct,
      now: () => ctx.store.now(),
      timezone: ctx.venue.timezone ?? null,
      describeSource: (source) => this.describe(source),
      focusSource: (source) => options.focusSource(source),
    });
    this.commandsPanel = new CommandsPanel({
      book: this.commands,
      canAct: options.canAct,
      now: () => ctx.store.now(),
      describeTarget: (target) => this.describe(target),
    });
    this.badges = new AlarmBadges(options.labels, options.pointOf, options.zoneLabel, (source) => options.focusSource(source));
    this.cueText = h('span', { class: 'attention-text' });
    this.cue = h(
      'button',
      { type: 'button', class: 'attention', role: 'alert', 'data-testid': 'attention', hidden: true },
      h('span', { class: 'attention-dot', 'aria-hidden': 'true' }),
      this.cueText,
    );
    this.cue.addEventListener('click', () => {
      if (this.cueSource !== null) options.focusSource(this.cueSource);
      this.hideCue();
    });

    this.alarms.subscribe((change) => {
      this.badges.update(this.alarms.worstBySource());
      options.hook.alarmIds = [...this.alarmsPanel.ids];
      const open = this.alarms.open().filter((a) => a.state !== 'shelved');
      options.onCount(open.length);
      const fresh = change.added.filter((a) => a.severity === 'critical' && a.state === 'raised');
      if (this.primed && !this.replaying && fresh.length > 0) this.showCue(fresh[0] as Alarm, fresh.length);
      for (const alarm of change.added) if (this.primed) this.alarmsPanel.flash(alarm.id);
      if (change.full) this.primed = true;
    });
  }

  /** A readable name for a sensor, zone, artefact or device id. */
  describe(source: string): string {
    const { ctx } = this.options;
    const sensor = ctx.sensorsById.get(source);
    if (sensor !== undefined) {
      const zone = sensor.zone ? ctx.zonesById.get(sensor.zone)?.name : undefined;
      return `${kindLabel(sensor.kind)} · ${zone ?? source}`;
    }
    const zone = ctx.zonesById.get(source);
    if (zone !== undefined) return zone.name;
    const artefact = (ctx.venue.artefacts ?? []).find((a) => a.id === source);
    if (artefact !== undefined) return artefact.name;
    const gate = ctx.venue.gates.find((g) => g.id === source);
    return gate?.name ?? source;
  }

  /** Recent commands beyond the snapshot's pending and sent ones. */
  loadRecentCommands(): void {
    listCommands(this.options.ctx.venue.id)
      .then((page) => this.commands.merge(page.items))
      .catch(() => undefined); // the list simply starts from the snapshot
  }

  /** The next snapshot comes from another source (replay or back to live): no cue for what it already holds. */
  resync(replaying: boolean): void {
    this.replaying = replaying;
    this.primed = false;
  }

  setStoreyFilter(visible: (source: string) => boolean): void {
    this.badges.setHidden(visible);
  }

  private showCue(alarm: Alarm, n: number): void {
    const text = alarmMessage(alarm, this.options.ctx.venue.timezone ?? null);
    setText(this.cueText, n > 1 ? `${t('incidents.newCriticalN', { n })} · ${text}` : `${t('incidents.newCritical')} · ${text}`);
    this.cueSource = alarm.source;
    this.cue.hidden = false;
    // Restart the pulse for a second cue while the first is still up.
    this.cue.classList.remove('pulse');
    void this.cue.offsetWidth;
    this.cue.classList.add('pulse');
    if (this.cueTimer !== null) window.clearTimeout(this.cueTimer);
    this.cueTimer = window.setTimeout(() => this.hideCue(), CUE_MS);
  }

  private hideCue(): void {
    this.cue.hidden = true;
    this.cueSource = null;
    if (this.cueTimer !== null) window.clearTimeout(this.cueTimer);
    this.cueTimer = null;
  }

  tick(): void {
    this.alarmsPanel.tick();
    this.commandsPanel.tick();
  }
}
