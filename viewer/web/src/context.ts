/** What every part of the page reads: the venue definition and its live state. */

import { t } from './i18n';
import type { LiveStore } from './live/store';
import { buildScale, type ColorScale, type Quantity } from './scales';
import type { SensorDef, SensorStatus, VenueDef, ZoneDef } from './types';

export type Selection = { type: 'sensor'; id: string } | { type: 'zone'; id: string } | null;

export const STATUS_LABELS: Record<SensorStatus, string> = {
  ok: t('status.ok'),
  warn: t('status.warn'),
  alarm: t('status.alarm'),
  stale: t('status.stale'),
  offline: t('status.offline'),
  unknown: t('status.unknown'),
};

/** Most urgent first: the order of the summary and of attention lists. */
export const STATUS_ORDER: SensorStatus[] = ['alarm', 'warn', 'offline', 'stale', 'unknown', 'ok'];

const KIND_ORDER = ['temperature', 'humidity', 'co2', 'lux', 'uv', 'vibration', 'people_count', 'people_tracker', 'gate_counter'];

export class ViewContext {
  readonly sensorsById = new Map<string, SensorDef>();
  readonly zonesById = new Map<string, ZoneDef>();
  /** Scales per sensor kind, for list swatches (independent of the selected quantity). */
  readonly kindScales = new Map<string, ColorScale>();

  constructor(
    readonly venue: VenueDef,
    readonly store: LiveStore,
  ) {
    for (const sensor of venue.sensors) this.sensorsById.set(sensor.id, sensor);
    for (const zone of venue.zones) this.zonesById.set(zone.id, zone);
    for (const quantity of ['temperature', 'humidity', 'co2', 'lux'] as Quantity[]) {
      this.kindScales.set(quantity, buildScale(quantity, venue));
    }
  }

  /** Sensors of a zone in a stable, readable order (climate first, counters last). */
  sensorsIn(zoneId: string | null): SensorDef[] {
    const rank = (kind: string): number => {
      const i = KIND_ORDER.indexOf(kind);
      return i === -1 ? KIND_ORDER.length : i;
    };
    return this.venue.sensors
      .filter((s) => s.zone === zoneId)
      .sort((a, b) => rank(a.kind) - rank(b.kind) || a.id.localeCompare(b.id));
  }

  statusOf(sensorId: string): SensorStatus {
    return this.store.sensors.get(sensorId)?.status ?? 'unknown';
  }

  ageOf(sensorId: string): number | null {
    const ts = this.store.sensors.get(sensorId)?.ts;
    return typeof ts === 'number' ? this.store.now() - ts : null;
  }
}
