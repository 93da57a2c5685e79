/**
 * Alarm messages in the page's language, from the message key and parameters
 * the server sends with each alarm (`message_key`, `message_params`).
 *
 * The catalogue is the server's (`alarm-texts.json`, generated from
 * `twin/alarms/texts.py`; a Python test keeps the copy current). Parameters
 * are formatted by name as on the server: `..._s` durations, `..._at` times in
 * the venue's zone, `..._pct` whole percentages, other numbers in the locale's
 * digits without scientific notation. Alarms without a key show `message`.
 */

import { formatDuration } from '../format';
import { locale } from './index';
import data from './alarm-texts.json';

type Catalogue = Record<string, string>;
const CATALOGUES = data.catalogues as Record<string, Catalogue>;
const TERMS = data.terms as Record<string, Record<string, Record<string, string>>>;

export interface AlarmTextSource {
  message: string;
  kind: string;
  message_key?: string | null;
  message_params?: Record<string, string | number> | null;
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString(locale(), { useGrouping: false });
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.min(6, Math.max(0, 2 - magnitude));
  return value.toLocaleString(locale(), { maximumFractionDigits: decimals, useGrouping: false });
}

function formatTime(epoch: number, timeZone: string | null | undefined): string {
  const options: Intl.DateTimeFormatOptions = {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    timeZoneName: 'short',
  };
  try {
    return new Intl.DateTimeFormat(locale(), { ...options, timeZone: timeZone ?? undefined }).format(new Date(epoch * 1000));
  } catch {
    return new Intl.DateTimeFormat(locale(), options).format(new Date(epoch * 1000));
  }
}

function formatParam(name: string, value: string | number, timeZone: string | null | undefined): string {
  if (typeof value === 'string') {
    const shown = TERMS[locale()]?.[name]?.[value.trim()] ?? value.trim();
    if (name === 'unit') return shown ? ` ${shown}` : ''; // "21 °C", "13 people"
    return TERMS[locale()]?.[name]?.[value] ?? value;
  }
  if (name.endsWith('_s')) return formatDuration(value);
  if (name.endsWith('_at')) return formatTime(value, timeZone);
  if (name.endsWith('_pct')) return String(Math.round(value));
  return formatNumber(value);
}

/** The alarm's message in the page's language; times in `timeZone` (the venue's). */
export function alarmMessage(alarm: AlarmTextSource, timeZone: string | null | undefined): string {
  const key = alarm.message_key;
  if (!key) return alarm.message || alarm.kind;
  // A rule's text is the venue file's wording, translated there (`messages:` of the rule).
  const own = alarm.message_params?.[`text.${locale()}`];
  if (key === 'rule' && typeof own === 'string') return own;
  const template = CATALOGUES[locale()]?.[key] ?? CATALOGUES.en?.[key];
  if (template === undefined) return alarm.message || alarm.kind;
  const params = alarm.message_params ?? {};
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : formatParam(name, value, timeZone);
  });
}
