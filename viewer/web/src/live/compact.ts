/**
 * Decoding of the compact frame format (protocol version 2, docs/websocket.md).
 *
 * The page subscribes with `"format": "compact"`: a snapshot then names every
 * sensor and zone once (its index is its position in `sensor_ids` and
 * `zone_ids`), and deltas carry rows by index, about a quarter of the bytes
 * of version 1. This module turns such frames back into the version 1 shape
 * the live store applies, exactly: no value or timestamp is rounded.
 */

import type { Analytics, SensorState, SensorStatus, StateFrame, ZoneAnalytics, ZoneState } from '../types';

/** The wire shape of a version 2 snapshot or delta (the rest as in version 1). */
export interface CompactFrame extends Omit<StateFrame, 'sensors' | 'zones'> {
  /** The frame's time in integer epoch ms: a row's ts is (t0 + dt) / 1000. */
  t0: number;
  /** Flat [index, value, dt, status code] quadruples. */
  s: (number | null)[];
  /** [index, mask, values of the fields whose bit is set...] per zone. */
  z: (number | null)[][];
  named?: { sensors?: Record<string, SensorState>; zones?: Record<string, ZoneState> };
  sensor_ids?: string[];
  zone_ids?: string[];
  zone_fields?: (keyof ZoneState)[];
  analytics_fields?: string[];
  statuses?: SensorStatus[];
  /** In a delta, zone analytics come as rows too (`z`, fields `analytics_fields`). */
  analytics?: (Analytics & { z?: (unknown | null)[][] }) | null;
}

/** `{field: value}` of the `[index, mask, values...]` rows. */
function fromRows(rows: unknown[][], ids: string[], fields: string[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const row of rows) {
    const id = ids[row[0] as number];
    if (id === undefined) continue;
    const mask = row[1] as number;
    const body: Record<string, unknown> = {};
    let next = 2;
    fields.forEach((field, k) => {
      if (mask & (1 << k)) body[field] = row[next++];
    });
    out[id] = body;
  }
  return out;
}

export const COMPACT_VERSION = 2;

export function isCompact(frame: { v?: unknown; type?: unknown }): boolean {
  return frame.v === COMPACT_VERSION && (frame.type === 'snapshot' || frame.type === 'delta');
}

/** Holds the snapshot's index tables; one per connection (a snapshot replaces them). */
export class CompactDecoder {
  private sensorIds: string[] = [];
  private zoneIds: string[] = [];
  private zoneFields: (keyof ZoneState)[] = [];
  private analyticsFields: string[] = [];
  private statuses: SensorStatus[] = [];
  private ready = false;

  /** The version 1 frame of a compact one; null for a delta before any snapshot. */
  decode(frame: CompactFrame): StateFrame | null {
    if (frame.type === 'snapshot') {
      this.sensorIds = frame.sensor_ids ?? [];
      this.zoneIds = frame.zone_ids ?? [];
      this.zoneFields = frame.zone_fields ?? [];
      this.analyticsFields = frame.analytics_fields ?? [];
      this.statuses = frame.statuses ?? [];
      this.ready = true;
    } else if (!this.ready) {
      return null;
    }
    const { t0, s: rows, z: zoneRows, named } = frame;
    const rest: Record<string, unknown> = { ...frame };
    for (const key of ['t0', 's', 'z', 'named', 'sensor_ids', 'zone_ids', 'zone_fields', 'analytics_fields', 'statuses']) delete rest[key];
    const sensors: Record<string, Partial<SensorState>> = {};
    for (let n = 0; n + 3 < rows.length; n += 4) {
      const id = this.sensorIds[rows[n] as number];
      if (id === undefined) continue;
      const dt = rows[n + 2] as number | null;
      sensors[id] = {
        value: rows[n + 1] as number | null,
        // The server sends an offset only where this gives back its very float.
        ts: dt === null ? null : (t0 + dt) / 1000,
        status: this.statuses[rows[n + 3] as number] ?? 'unknown',
      };
    }
    const zones = fromRows(zoneRows, this.zoneIds, this.zoneFields) as Record<string, ZoneState>;
    const analytics = frame.analytics;
    if (analytics !== undefined && analytics !== null && analytics.z !== undefined) {
      const { z, ...body } = analytics;
      const patch = fromRows(z, this.zoneIds, this.analyticsFields) as Record<string, ZoneAnalytics>;
      rest.analytics = { ...body, zones: { ...patch, ...(body.zones ?? {}) } };
    }
    Object.assign(sensors, named?.sensors ?? {});
    Object.assign(zones, named?.zones ?? {});
    return { ...(rest as Omit<StateFrame, 'sensors' | 'zones'>), sensors, zones };
  }
}
