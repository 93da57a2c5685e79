/** How values, units, ages and times read on screen, in the page's locale. */

import { locale, t } from './i18n';

const UNIT_LABELS: Record<string, string> = {
  degC: '°C',
  degF: '°F',
  '%RH': '% RH',
  ppm: 'ppm',
  lx: 'lx',
  people: t('unit.people'),
  'mm/s': 'mm/s',
  'uW/lm': 'µW/lm',
  'p/m2': t('unit.density'),
};

const DECIMALS: Record<string, number> = {
  temperature: 1,
  humidity: 0,
  co2: 0,
  lux: 0,
  people_count: 0,
  people_tracker: 0,
  gate_counter: 0,
  occupancy: 0,
  density: 2,
  vibration: 2,
  uv: 0,
};

export function unitLabel(unit: string): string {
  return UNIT_LABELS[unit] ?? unit;
}

export function decimalsFor(kind: string): number {
  return DECIMALS[kind] ?? 1;
}

export function formatNumber(value: number | null | undefined, kind: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString(locale(), {
    minimumFractionDigits: decimalsFor(kind),
    maximumFractionDigits: decimalsFor(kind),
  });
}

/** "21.3 °C"; a missing value reads as an em dash without a unit. */
export function formatValue(value: number | null | undefined, kind: string, unit: string): string {
  const number = formatNumber(value, kind);
  if (number === '—') return number;
  const label = unitLabel(unit);
  return label === '' ? number : `${number} ${label}`;
}

/** Compact age: "now", "42 s", "5 min", "3 h", "2 d". */
export function formatAge(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, seconds);
  if (s < 1.5) return t('age.now');
  if (s < 90) return t('age.s', { n: Math.round(s) });
  if (s < 90 * 60) return t('age.min', { n: Math.round(s / 60) });
  if (s < 36 * 3600) return t('age.h', { n: Math.round(s / 3600) });
  return t('age.d', { n: Math.round(s / 86400) });
}

/** A duration for alarm texts: "45 s", "12 min 5 s", "24 h 0 min", "3 d 4 h" (as the server writes them). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  const s = Math.max(0, seconds);
  if (s < 60) return t('duration.s', { s: s < 10 ? Math.round(s * 10) / 10 : Math.round(s) });
  const total = Math.round(s);
  if (total < 3600) return t('duration.minS', { m: Math.floor(total / 60), s: total % 60 });
  const minutes = Math.round(s / 60);
  if (minutes < 48 * 60) return t('duration.hMin', { h: Math.floor(minutes / 60), m: minutes % 60 });
  const hours = Math.round(s / 3600);
  return t('duration.dH', { d: Math.floor(hours / 24), h: hours % 24 });
}

export function timeFormatter(timeZone: string | null | undefined): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat(locale(), {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZone: timeZone ?? undefined,
      timeZoneName: 'short',
    });
  } catch {
    // Unknown zone name from the venue file: fall back to the browser's zone.
    return new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }
}

/** "25 Nov, 02:58" in the venue's zone: for logs spanning days. */
export function dateTimeFormatter(timeZone: string | null | undefined): Intl.DateTimeFormat {
  const options: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' };
  try {
    return new Intl.DateTimeFormat(locale(), { ...options, timeZone: timeZone ?? undefined });
  } catch {
    return new Intl.DateTimeFormat(locale(), options);
  }
}

export const KIND_LABELS: Record<string, string> = {
  temperature: t('kind.temperature'),
  humidity: t('kind.humidity'),
  co2: t('kind.co2'),
  lux: t('kind.lux'),
  people_count: t('kind.people_count'),
  people_tracker: t('kind.people_tracker'),
  gate_counter: t('kind.gate_counter'),
  vibration: t('kind.vibration'),
  uv: t('kind.uv'),
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}

/**
 * An occupancy estimate's 95 % band (estimate +- 1.96 sd) in whole people.
 * The lower end stops at 0: a room cannot hold fewer than nobody, and an
 * operator reading "-3" would rightly distrust the rest.
 */
export function occupancyBand(occupancy: number | null | undefined, sd: number | null | undefined): [number, number] | null {
  if (typeof occupancy !== 'number' || typeof sd !== 'number') return null;
  if (!Number.isFinite(occupancy) || !Number.isFinite(sd) || sd < 0) return null;
  const half = 1.96 * sd;
  return [Math.max(0, Math.round(occupancy - half)), Math.max(0, Math.round(occupancy + half))];
}
