/**
 * Colour scales for each quantity the operator can colour the venue by.
 *
 * Scales are anchored on the venue's own thresholds (the most common set among
 * sensors of that kind) so "green" means "inside the band the venue set", and
 * the legend shows those thresholds as ticks.
 */

import { t } from './i18n';
import type { SensorDef, Thresholds, VenueDef } from './types';

export type Quantity = 'temperature' | 'humidity' | 'co2' | 'lux' | 'density' | 'occupancy';

export const QUANTITIES: { id: Quantity; label: string; short: string }[] = [
  { id: 'temperature', label: t('quantity.temperature'), short: t('quantity.temperature.short') },
  { id: 'humidity', label: t('quantity.humidity'), short: t('quantity.humidity.short') },
  { id: 'co2', label: t('quantity.co2'), short: t('quantity.co2.short') },
  { id: 'lux', label: t('quantity.lux'), short: t('quantity.lux.short') },
  { id: 'density', label: t('quantity.density'), short: t('quantity.density.short') },
  { id: 'occupancy', label: t('quantity.occupancy'), short: t('quantity.occupancy.short') },
];

/** The sensor kind whose markers a quantity colours; crowd quantities colour zones only. */
export function kindOf(quantity: Quantity): string | null {
  return quantity === 'density' || quantity === 'occupancy' ? null : quantity;
}

export interface Stop {
  v: number;
  color: string;
}

export interface Tick {
  v: number;
  label: string;
}

/** A named band of a categorical scale (Fruin's levels of service). */
export interface Band {
  label: string;
  from: number;
  to: number;
  color: string;
}

export interface ColorScale {
  quantity: Quantity;
  unit: string;
  stops: Stop[];
  ticks: Tick[];
  min: number;
  max: number;
  /** Set for stepped scales: the legend shows the bands by name. */
  bands?: Band[];
}

/**
 * Fruin's walkway levels of service by density (p/m²): A free flow to F
 * jammed. The upper bound of F is only where the legend stops.
 */
export const LEVELS_OF_SERVICE: Band[] = [
  { label: 'A', from: 0, to: 0.31, color: '#2fa56a' },
  { label: 'B', from: 0.31, to: 0.43, color: '#7dc25a' },
  { label: 'C', from: 0.43, to: 0.72, color: '#d6c445' },
  { label: 'D', from: 0.72, to: 1.08, color: '#f0a13a' },
  { label: 'E', from: 1.08, to: 2.17, color: '#e5612f' },
  { label: 'F', from: 2.17, to: 3, color: '#c42a4a' },
];

/** The level of service of a density, A..F. */
export function levelOfService(density: number): string {
  for (const band of LEVELS_OF_SERVICE) if (density < band.to) return band.label;
  return 'F';
}

/** Colour (sRGB 0..1) of a level-of-service letter; null for an unknown letter. */
export function levelColor(letter: string): [number, number, number] | null {
  const band = LEVELS_OF_SERVICE.find((b) => b.label === letter);
  return band === undefined ? null : hexToRgb(band.color);
}

type Rgb = [number, number, number];

function hexToRgb(hex: string): Rgb {
  const n = Number.parseInt(hex.slice(1), 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
}

/** Linear interpolation between stops, clamped at the ends. Returns sRGB 0..1. */
export function colorAt(scale: ColorScale, value: number): Rgb {
  const { stops } = scale;
  const first = stops[0];
  const last = stops[stops.length - 1];
  if (first === undefined || last === undefined) return [0.5, 0.5, 0.5];
  if (value <= first.v) return hexToRgb(first.color);
  if (value >= last.v) return hexToRgb(last.color);
  for (let i = 1; i < stops.length; i += 1) {
    const a = stops[i - 1] as Stop;
    const b = stops[i] as Stop;
    if (value <= b.v) {
      const t = b.v === a.v ? 1 : (value - a.v) / (b.v - a.v);
      const ca = hexToRgb(a.color);
      const cb = hexToRgb(b.color);
      return [ca[0] + (cb[0] - ca[0]) * t, ca[1] + (cb[1] - ca[1]) * t, ca[2] + (cb[2] - ca[2]) * t];
    }
  }
  return hexToRgb(last.color);
}

export function cssColorAt(scale: ColorScale, value: number): string {
  const [r, g, b] = colorAt(scale, value);
  return `rgb(${Math.round(r * 255)} ${Math.round(g * 255)} ${Math.round(b * 255)})`;
}

/** CSS gradient for the legend bar, stops placed at their true positions. */
export function cssGradient(scale: ColorScale): string {
  const span = scale.max - scale.min || 1;
  const parts = scale.stops.map((s) => `${s.color} ${(((s.v - scale.min) / span) * 100).toFixed(2)}%`);
  return `linear-gradient(to right, ${parts.join(', ')})`;
}

const DEFAULT_THRESHOLDS: Record<string, Thresholds> = {
  temperature: { low: 15, warn_low: 17, warn_high: 24, high: 27 },
  humidity: { low: 30, warn_low: 40, warn_high: 60, high: 70 },
  co2: { warn_high: 1000, high: 1500 },
  lux: { warn_high: 200, high: 300 },
};

/** The threshold set most sensors of this kind share. */
export function typicalThresholds(sensors: SensorDef[], kind: string): Thresholds {
  const counts = new Map<string, { n: number; t: Thresholds }>();
  for (const sensor of sensors) {
    if (sensor.kind !== kind || !sensor.thresholds) continue;
    const key = JSON.stringify(sensor.thresholds);
    const entry = counts.get(key) ?? { n: 0, t: sensor.thresholds };
    entry.n += 1;
    counts.set(key, entry);
  }
  let best: Thresholds | null = null;
  let bestN = 0;
  for (const { n, t } of counts.values()) {
    if (n > bestN) {
      best = t;
      bestN = n;
    }
  }
  return { ...DEFAULT_THRESHOLDS[kind], ...stripNulls(best ?? {}) };
}

function stripNulls(t: Thresholds): Thresholds {
  return Object.fromEntries(Object.entries(t).filter(([, v]) => typeof v === 'number')) as Thresholds;
}

function scale(quantity: Quantity, unit: string, stops: Stop[], ticks: Tick[]): ColorScale {
  const sorted = [...stops].sort((a, b) => a.v - b.v);
  return {
    quantity,
    unit,
    stops: sorted,
    ticks,
    min: sorted[0]?.v ?? 0,
    max: sorted[sorted.length - 1]?.v ?? 1,
  };
}

function tick(v: number, digits = 0): Tick {
  return { v, label: v.toFixed(digits) };
}

function num(v: number | null | undefined, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/** Round up to 1, 2 or 5 times a power of ten. */
export function niceCeil(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 5, 10]) if (value <= m * power) return m * power;
  return 10 * power;
}

/** A two-sided band: its defaults when the venue sets no thresholds, and its colours. */
interface Band2 {
  unit: string;
  low: number;
  high: number;
  /** warn_low defaults to low + this; warn_high to high - this. */
  warnLowInset: number;
  warnHighInset: number;
  /** How far the scale runs past each alarm limit. */
  margin: number;
  /** From below the low limit, through the middle of the warning band, to above the high limit. */
  colors: readonly [string, string, string, string, string, string, string];
}

const TEMPERATURE: Band2 = {
  unit: 'degC',
  low: 15,
  high: 27,
  warnLowInset: 2,
  warnHighInset: 3,
  margin: 3,
  colors: ['#2b4cc9', '#3b7ff0', '#3fb6d8', '#47c27f', '#f0c04a', '#f07a35', '#d92f4c'],
};

const HUMIDITY: Band2 = {
  unit: '%RH',
  low: 30,
  high: 70,
  warnLowInset: 10,
  warnHighInset: 10,
  margin: 10,
  colors: ['#b8502c', '#e0893a', '#e3c455', '#47c27f', '#3fb6d8', '#3b6ff0', '#6b3fd0'],
};

/** Alarm and warning limits on both sides (temperature, humidity); the four limits are the ticks. */
function bandScale(quantity: Quantity, t: Thresholds, d: Band2): ColorScale {
  const low = num(t.low, d.low);
  const warnLow = num(t.warn_low, low + d.warnLowInset);
  const high = num(t.high, d.high);
  const warnHigh = num(t.warn_high, high - d.warnHighInset);
  const c = d.colors;
  return scale(
    quantity,
    d.unit,
    [
      { v: low - d.margin, color: c[0] },
      { v: low, color: c[1] },
      { v: warnLow, color: c[2] },
      { v: (warnLow + warnHigh) / 2, color: c[3] },
      { v: warnHigh, color: c[4] },
      { v: high, color: c[5] },
      { v: high + d.margin, color: c[6] },
    ],
    [tick(low), tick(warnLow), tick(warnHigh), tick(high)],
  );
}

export function buildScale(quantity: Quantity, venue: VenueDef, occupancyMax = 50): ColorScale {
  const t = quantity === 'density' || quantity === 'occupancy' ? {} : typicalThresholds(venue.sensors, quantity);
  switch (quantity) {
    case 'temperature':
      return bandScale(quantity, t, TEMPERATURE);
    case 'humidity':
      return bandScale(quantity, t, HUMIDITY);
    case 'co2': {
      const high = num(t.high, 1500);
      const warnHigh = num(t.warn_high, 1000);
      return scale(
        quantity,
        'ppm',
        [
          { v: 400, color: '#47c27f' },
          { v: (400 + warnHigh) / 2, color: '#a5cf5c' },
          { v: warnHigh, color: '#f0c04a' },
          { v: high, color: '#f07a35' },
          { v: high + (high - warnHigh), color: '#d92f4c' },
        ],
        [tick(400), tick(warnHigh), tick(high)],
      );
    }
    case 'lux': {
      const high = num(t.high, 300);
      const warnHigh = num(t.warn_high, 200);
      return scale(
        quantity,
        'lx',
        [
          { v: 0, color: '#3a3f86' },
          { v: warnHigh / 2, color: '#4f86d9' },
          { v: warnHigh * 0.8, color: '#47c27f' },
          { v: warnHigh, color: '#f0c04a' },
          { v: high, color: '#f07a35' },
          { v: high * 1.5, color: '#d92f4c' },
        ],
        [tick(0), tick(warnHigh), tick(high)],
      );
    }
    case 'density': {
      // Stepped: a zone reads as its level of service, not a shade between two.
      const stops: Stop[] = LEVELS_OF_SERVICE.flatMap((b) => [
        { v: b.from, color: b.color },
        { v: b.to, color: b.color },
      ]);
      return {
        ...scale(quantity, 'p/m2', stops, LEVELS_OF_SERVICE.slice(1).map((b) => tick(b.from, 2))),
        bands: LEVELS_OF_SERVICE,
      };
    }
    case 'occupancy': {
      const max = niceCeil(occupancyMax);
      return scale(
        quantity,
        'people',
        [
          { v: 0, color: '#3b4a8f' },
          { v: max * 0.25, color: '#3a7fc0' },
          { v: max * 0.5, color: '#2aa3a0' },
          { v: max * 0.75, color: '#6cc45c' },
          { v: max, color: '#f0d04a' },
        ],
        [tick(0), tick(max / 2), tick(max)],
      );
    }
  }
}
