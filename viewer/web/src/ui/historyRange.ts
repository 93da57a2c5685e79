/**
 * Time ranges of the history chart: from the last hour to a year (imported
 * logger archives), each with a bucket width that keeps the chart to a few
 * hundred points.
 */

import { t } from '../i18n';
import { h } from './dom';

export interface HistoryRange {
  id: string;
  label: string;
  title: string;
  windowS: number;
  bucketS: number;
}

const DAY = 86_400;

// Operator-facing strings of this module, in one place (for the message catalogue).
export const HISTORY_RANGES: readonly HistoryRange[] = [
  { id: '1h', get label() { return t('range.label.1h'); }, get title() { return t('range.title.1h'); }, windowS: 3600, bucketS: 60 },
  { id: '1d', get label() { return t('range.label.1d'); }, get title() { return t('range.title.1d'); }, windowS: DAY, bucketS: 600 },
  { id: '30d', get label() { return t('range.label.30d'); }, get title() { return t('range.title.30d'); }, windowS: 30 * DAY, bucketS: 3 * 3600 },
  { id: '1y', get label() { return t('range.label.1y'); }, get title() { return t('range.title.1y'); }, windowS: 365 * DAY, bucketS: DAY },
];

export function bucketLabel(r: HistoryRange): string {
  if (r.bucketS < 3600) return t('range.bucketMin', { n: r.bucketS / 60 });
  if (r.bucketS < DAY) return t('range.bucketHour', { n: r.bucketS / 3600 });
  return t('range.bucketDay');
}

/** A row of buttons; ``onPick`` gets the chosen range. */
export function rangePicker(current: HistoryRange, onPick: (r: HistoryRange) => void): HTMLElement {
  const row = h('div', { class: 'segmented chart-ranges', role: 'radiogroup', 'aria-label': t('range.aria') });
  const buttons = HISTORY_RANGES.map((r) => {
    const b = h('button', {
      type: 'button',
      role: 'radio',
      class: 'segment',
      'data-testid': `history-range-${r.id}`,
      text: r.label,
    });
    b.setAttribute('aria-checked', String(r.id === current.id));
    b.addEventListener('click', () => {
      for (const other of buttons) other.setAttribute('aria-checked', String(other === b));
      onPick(r);
    });
    return b;
  });
  row.append(...buttons);
  return row;
}
