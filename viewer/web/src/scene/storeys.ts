/**
 * Which storey each zone is on, and what the storeys are called.
 *
 * A venue imported from IFC lists its storeys (name, elevation, zones): a
 * stair landing or a pit stays on its storey. Other venues have none, and
 * a storey is every distinct floor level (to the centimetre), numbered from
 * the lowest. Storeys are keyed by elevation, so they sort bottom up.
 */

import { t } from '../i18n';
import type { VenueDef } from '../types';

/** The few strings of the storey controls (one place for the message catalogue). */
export const STOREY_TEXT = {
  get all(): string { return t('storey.all'); },
  get allTitle(): string { return t('storey.allTitle'); },
  get exploded(): string { return t('storey.exploded'); },
  get explodedTitle(): string { return t('storey.explodedTitle'); },
  numbered: (n: number): string => t('storey.numbered', { n }),
  get unassigned(): string { return t('storey.unassigned'); },
};

/** Floor levels to the centimetre. */
export function levelKey(level: number | null | undefined): number {
  return Math.round((level ?? 0) * 100) / 100;
}

export interface Storey {
  key: number;
  name: string;
  zones: string[];
}

export class StoreyPlan {
  private readonly byZone = new Map<string, number>();
  readonly storeys: Storey[];

  constructor(venue: VenueDef) {
    const named = new Map<number, Storey>();
    for (const st of venue.storeys ?? []) {
      // Two storeys at the same elevation (a mezzanine listed apart) stay apart.
      let key = levelKey(st.elevation ?? 0);
      while (named.has(key)) key = levelKey(key + 0.01);
      named.set(key, { key, name: st.name, zones: [] });
      for (const zone of st.zones) this.byZone.set(zone, key);
    }
    for (const zone of venue.zones) {
      const key = this.byZone.get(zone.id) ?? levelKey(zone.level);
      this.byZone.set(zone.id, key);
      const storey = named.get(key) ?? { key, name: '', zones: [] };
      named.set(key, storey);
      storey.zones.push(zone.id);
    }
    this.storeys = [...named.values()].filter((s) => s.zones.length > 0).sort((a, b) => a.key - b.key);
    this.storeys.forEach((s, i) => {
      if (s.name === '') s.name = STOREY_TEXT.numbered(i);
    });
  }

  /** The storey key of a zone (its storey's elevation, or its own floor level). */
  keyOf(zoneId: string | null | undefined): number {
    return zoneId == null ? 0 : (this.byZone.get(zoneId) ?? 0);
  }

  /** Lift per storey for the exploded stack: ``gap`` metres between successive storeys. */
  offsets(gap: number): Map<number, number> {
    return new Map(this.storeys.map((s, i) => [s.key, i * gap]));
  }
}
