/** How values, units, ages and times read on screen. */

const UNIT_LABELS: Record<string, string> = {
  degC: '°C',
  degF: '°F',
  '%RH': '% RH',
  ppm: 'ppm',
  lx: 'lx',
  people: 'people',
  'mm/s': 'mm/s',
  'uW/lm': 'µW/lm',
  'p/m2': 'p/m²',
};

const DECIMALS: Record<string, number> = {
  temperature: 1,
  humidity: 0,
  co2: 0,
  lux: 0,
  people_count: 0,
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
  return value.toLocaleString(undefined, {
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
  if (s < 1.5) return 'now';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

export function timeFormatter(timeZone: string | null | undefined): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat(undefined, {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZone: timeZone ?? undefined,
      timeZoneName: 'short',
    });
  } catch {
    // Unknown zone name from the venue file: fall back to the browser's zone.
    return new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }
}

/** "25 Nov, 02:58" in the venue's zone: for logs spanning days. */
export function dateTimeFormatter(timeZone: string | null | undefined): Intl.DateTimeFormat {
  const options: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' };
  try {
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone: timeZone ?? undefined });
  } catch {
    return new Intl.DateTimeFormat(undefined, options);
  }
}

export const KIND_LABELS: Record<string, string> = {
  temperature: 'Temperature',
  humidity: 'Humidity',
  co2: 'CO₂',
  lux: 'Illuminance',
  people_count: 'People count',
  gate_counter: 'Gate counter',
  vibration: 'Vibration',
  uv: 'UV',
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}
