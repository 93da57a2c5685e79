/**
 * Alarm badges in the 3D view: a zone's label shows the severity of its worst
 * open alarm; a sensor or artefact with an alarm gets a small badge pinned
 * above it. Badges are HTML labels placed before zone labels, so they never
 * lose a declutter contest. Clicking one focuses its source.
 */

import type { Vector3 } from 'three';
import { alarmMessage } from '../i18n/alarmText';
import { t } from '../i18n';
import type { Alarm } from '../types';
import type { LabelLayer } from './labels';

const PREFIX = 'alarm:';
const BADGE_PRIORITY = 10;

export class AlarmBadges {
  private shown = new Set<string>();
  private readonly zoneFlags = new Set<string>();

  constructor(
    private readonly labels: LabelLayer,
    /** Where a sensor or artefact source sits in the scene; null for zones and unknown sources. */
    private readonly pointOf: (source: string) => Vector3 | null,
    /** The label element of a zone source. */
    private readonly zoneLabel: (source: string) => HTMLElement | undefined,
    private readonly onClick: (source: string) => void,
  ) {}

  /** The worst open, unshelved alarm per source. */
  update(worst: Map<string, Alarm>): void {
    const next = new Set<string>();
    for (const element of this.zoneFlags) delete this.zoneLabel(element)?.dataset.alarm;
    this.zoneFlags.clear();
    for (const [source, alarm] of worst) {
      const zone = this.zoneLabel(source);
      if (zone !== undefined) {
        zone.dataset.alarm = alarm.severity;
        this.zoneFlags.add(source);
        continue;
      }
      const point = this.pointOf(source);
      if (point === null) continue;
      next.add(source);
      const id = PREFIX + source;
      const existing = this.labels.get(id);
      if (existing !== undefined) {
        existing.dataset.severity = alarm.severity;
        existing.title = alarmMessage(alarm, null);
        continue;
      }
      const badge = document.createElement('button');
      badge.type = 'button';
      badge.className = 'alarm-badge';
      badge.dataset.severity = alarm.severity;
      badge.dataset.testid = `alarm-badge-${source}`;
      badge.title = alarmMessage(alarm, null);
      badge.textContent = '!';
      badge.setAttribute('aria-label', t('app.alarmOn', { source }));
      badge.addEventListener('click', () => this.onClick(source));
      // Above the marker, not on it: the marker's colour stays readable.
      this.labels.set(id, point.clone().setY(point.y + 0.5), badge, BADGE_PRIORITY);
    }
    for (const source of this.shown) if (!next.has(source)) this.labels.remove(PREFIX + source);
    this.shown = next;
    this.labels.remeasure();
  }

  /** Badges follow the storey shown. */
  setHidden(visible: (source: string) => boolean): void {
    for (const source of this.shown) this.labels.setHidden(PREFIX + source, !visible(source));
  }
}
