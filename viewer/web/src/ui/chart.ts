/**
 * History chart for one sensor: the last hour in 1-minute buckets, mean as a
 * line over a min-max band, with the sensor's thresholds as dashed lines.
 */

import uPlot from 'uplot';
import { locale, t as msg } from '../i18n';
import 'uplot/dist/uPlot.min.css';
import { getHistory } from '../api';
import { formatNumber, unitLabel } from '../format';
import type { HistoryAnswer, Thresholds } from '../types';
import { h, setText } from './dom';
import { bucketLabel, HISTORY_RANGES, type HistoryRange, rangePicker } from './historyRange';
const REFRESH_MS = 30_000;

export interface ChartSubject {
  venue: string;
  sensor: string;
  kind: string;
  unit: string;
  thresholds: Thresholds | null;
  timezone: string | null;
}

type Series = [number[], (number | null)[], (number | null)[], (number | null)[]];

/** Bucketed or raw answer -> uPlot columns: time, mean, max, min. */
export function toSeries(answer: HistoryAnswer): Series {
  const xs: number[] = [];
  const mean: (number | null)[] = [];
  const max: (number | null)[] = [];
  const min: (number | null)[] = [];
  if (answer.buckets) {
    for (const b of answer.buckets) {
      xs.push(b.ts);
      mean.push(b.mean);
      max.push(b.max);
      min.push(b.min);
    }
  } else {
    for (const p of answer.points ?? []) {
      xs.push(p.ts);
      mean.push(p.value);
      max.push(null);
      min.push(null);
    }
  }
  return [xs, mean, max, min];
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function validTimezone(tz: string | null): string | null {
  if (tz === null) return null;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: tz });
    return tz;
  } catch {
    return null;
  }
}

export class HistoryChart {
  readonly root: HTMLElement;
  private readonly plotHost: HTMLElement;
  private readonly status: HTMLElement;
  private plot: uPlot | null = null;
  private subject: ChartSubject | null = null;
  private abort: AbortController | null = null;
  private refreshTimer: number | null = null;
  private readonly resizeObserver: ResizeObserver;
  private range: HistoryRange = HISTORY_RANGES[0]!;

  constructor() {
    this.plotHost = h('div', { class: 'chart-plot' });
    this.status = h('div', { class: 'chart-status', role: 'status' });
    const title = h('span', { text: this.range.title });
    const sub = h('span', { class: 'chart-sub', text: bucketLabel(this.range) });
    const picker = rangePicker(this.range, (r) => {
      this.range = r;
      setText(title, r.title);
      setText(sub, bucketLabel(r));
      if (this.subject !== null) this.show(this.subject);
    });
    this.root = h('div', { class: 'chart', 'data-testid': 'history-chart' }, h('div', { class: 'chart-title' }, title, sub), picker, this.plotHost, this.status);
    this.resizeObserver = new ResizeObserver(() => {
      if (this.plot !== null) this.plot.setSize({ width: this.width(), height: this.plot.height });
    });
    this.resizeObserver.observe(this.root);
  }

  private width(): number {
    return Math.max(200, this.root.clientWidth);
  }

  show(subject: ChartSubject): void {
    this.subject = subject;
    this.destroyPlot();
    setText(this.status, msg('chart.loading'));
    this.root.dataset.state = 'loading';
    void this.load();
    if (this.refreshTimer !== null) window.clearInterval(this.refreshTimer);
    this.refreshTimer = window.setInterval(() => void this.load(), REFRESH_MS);
  }

  hide(): void {
    this.subject = null;
    this.abort?.abort();
    if (this.refreshTimer !== null) window.clearInterval(this.refreshTimer);
    this.refreshTimer = null;
    this.destroyPlot();
  }

  /** Colours come from CSS: rebuild after a theme change. */
  restyle(): void {
    if (this.subject !== null) this.show(this.subject);
  }

  private async load(): Promise<void> {
    const subject = this.subject;
    if (subject === null) return;
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    const end = Math.ceil(Date.now() / 1000);
    let answer: HistoryAnswer;
    try {
      answer = await getHistory(subject.venue, subject.sensor, end - this.range.windowS, end, this.range.bucketS, abort.signal);
    } catch (err) {
      if (abort.signal.aborted || this.subject !== subject) return;
      setText(this.status, msg('chart.unavailable', { error: err instanceof Error ? err.message : String(err) }));
      this.root.dataset.state = 'error';
      return;
    }
    if (this.subject !== subject) return;
    const data = toSeries(answer);
    if (data[0].length === 0) {
      this.destroyPlot();
      setText(this.status, msg('chart.emptyRange', { range: this.range.title }));
      this.root.dataset.state = 'empty';
      return;
    }
    setText(this.status, '');
    this.root.dataset.state = 'ready';
    if (this.plot !== null) this.plot.setData(data);
    else this.plot = new uPlot(this.options(subject, end), data, this.plotHost);
  }

  private options(subject: ChartSubject, end: number): uPlot.Options {
    const line = cssVar('--accent');
    const band = cssVar('--chart-band');
    const axis = cssVar('--text-muted');
    const grid = cssVar('--chart-grid');
    const warn = cssVar('--warn');
    const alarm = cssVar('--alarm');
    const t = subject.thresholds ?? {};
    const lines: { v: number; color: string }[] = [];
    for (const [key, color] of [
      ['warn_low', warn],
      ['warn_high', warn],
      ['low', alarm],
      ['high', alarm],
    ] as const) {
      const v = t[key];
      if (typeof v === 'number') lines.push({ v, color });
    }
    const unit = unitLabel(subject.unit);
    const tz = validTimezone(subject.timezone);
    const fmt = (v: number | null): string => (v === null ? '—' : `${formatNumber(v, subject.kind)} ${unit}`);
    // Tick labels in venue-local time: HH:MM up to a day, the date beyond.
    const clock = new Intl.DateTimeFormat(
      locale(),
      this.range.windowS > 86_400
        ? { month: 'short', day: 'numeric', timeZone: tz ?? undefined }
        : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: tz ?? undefined },
    );
    const rem = Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 14;
    return {
      width: this.width(),
      height: Math.round(rem * 11),
      ...(tz !== null ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), tz) } : {}),
      legend: { show: false },
      cursor: { points: { size: 6 }, drag: { x: false, y: false } },
      scales: {
        x: { time: true, range: () => [end - this.range.windowS, end] },
        y: {
          range: (_u, min, max) => {
            // Show the nearest thresholds when the data come close to them.
            let lo = min;
            let hi = max;
            const span = Math.max(max - min, Math.abs(max) * 0.02, 1e-6);
            const reach = span + Math.abs(max) * 0.25;
            for (const { v } of lines) {
              if (v >= min - reach && v <= max + reach) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
              }
            }
            const pad = (hi - lo) * 0.12 || 1;
            return [lo - pad, hi + pad];
          },
        },
      },
      axes: [
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid },
          space: Math.round(rem * 4),
          values: (_u, splits) => splits.map((ts) => clock.format(new Date(ts * 1000))),
        },
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid },
          size: 52,
          values: (_u, splits) => splits.map((v) => formatNumber(v, subject.kind)),
        },
      ],
      series: [
        {},
        { label: msg('chart.mean'), stroke: line, width: 2, value: (_u, v) => fmt(v) },
        { label: msg('chart.max'), stroke: 'transparent', value: (_u, v) => fmt(v) },
        { label: msg('chart.min'), stroke: 'transparent', value: (_u, v) => fmt(v) },
      ],
      bands: [{ series: [2, 3], fill: band }],
      hooks: {
        draw: [
          (u) => {
            const { ctx } = u;
            ctx.save();
            ctx.setLineDash([5 * devicePixelRatio, 4 * devicePixelRatio]);
            ctx.lineWidth = devicePixelRatio;
            for (const { v, color } of lines) {
              const y = u.valToPos(v, 'y', true);
              if (y < u.bbox.top || y > u.bbox.top + u.bbox.height) continue;
              ctx.strokeStyle = color;
              ctx.beginPath();
              ctx.moveTo(u.bbox.left, y);
              ctx.lineTo(u.bbox.left + u.bbox.width, y);
              ctx.stroke();
            }
            ctx.restore();
          },
        ],
      },
    };
  }

  private destroyPlot(): void {
    this.plot?.destroy();
    this.plot = null;
  }
}
