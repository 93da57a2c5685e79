/** Details of the selected sensor or zone: value, status, thresholds, history. */

import { STATUS_LABELS, type Selection, type ViewContext } from '../context';
import { t as msg, label as termLabel } from '../i18n';
import { formatAge, formatNumber, formatValue, kindLabel, occupancyBand, unitLabel } from '../format';
import type { Quantity } from '../scales';
import type { SensorDef, ZoneDef } from '../types';
import { HistoryChart } from './chart';
import { deviceHealthSection } from './deviceHealth';
import { h, setText } from './dom';
import { formatZoneValue } from './lists';

const ZONE_FIELDS: { q: Quantity; label: string }[] = [
  { q: 'occupancy', label: msg('quantity.occupancy') },
  { q: 'density', label: msg('quantity.density.short') },
  { q: 'temperature', label: msg('quantity.temperature') },
  { q: 'humidity', label: msg('quantity.humidity') },
  { q: 'co2', label: msg('quantity.co2') },
  { q: 'lux', label: msg('quantity.lux') },
];

export class DetailsPane {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;
  private readonly title: HTMLElement;
  private readonly subtitle: HTMLElement;
  private readonly chart = new HistoryChart();
  private selection: Selection = null;
  /** Live-updated fields of what is shown. */
  private fields = new Map<string, HTMLElement>();

  constructor(
    private readonly ctx: ViewContext,
    private readonly onSelect: (selection: Selection) => void,
  ) {
    this.title = h('h2', { class: 'details-title' });
    this.subtitle = h('div', { class: 'details-sub' });
    const close = h('button', { class: 'back-button', type: 'button', title: msg('details.backTitle'), 'data-testid': 'details-close', text: msg('details.back') });
    close.addEventListener('click', () => this.onSelect(null));
    this.body = h('div', { class: 'details-body' });
    this.root = h(
      'section',
      { class: 'details', 'data-testid': 'details', hidden: true, 'aria-live': 'polite' },
      close,
      h('div', { class: 'details-head' }, h('div', {}, this.title, this.subtitle)),
      this.body,
    );
  }

  show(selection: Selection): void {
    this.selection = selection;
    this.fields = new Map();
    this.chart.hide();
    this.root.hidden = selection === null;
    if (selection === null) return;
    this.root.dataset.type = selection.type;
    if (selection.type === 'sensor') {
      const sensor = this.ctx.sensorsById.get(selection.id);
      if (sensor) this.renderSensor(sensor);
    } else {
      const zone = this.ctx.zonesById.get(selection.id);
      if (zone) this.renderZone(zone);
    }
    this.update();
  }

  private field(key: string, cls: string, testid?: string): HTMLElement {
    const el = h('span', { class: cls, 'data-testid': testid });
    this.fields.set(key, el);
    return el;
  }

  private renderSensor(sensor: SensorDef): void {
    setText(this.title, kindLabel(sensor.kind));
    const zone = sensor.zone ? this.ctx.zonesById.get(sensor.zone) : undefined;
    setText(this.subtitle, `${sensor.id}${zone ? ` · ${zone.name}` : ''}`);
    const t = sensor.thresholds ?? {};
    const cell = (label: string, v: number | null | undefined, cls: string): HTMLElement =>
      h('div', { class: `threshold ${cls}` }, h('span', { class: 'threshold-label', text: label }), h('span', { class: 'threshold-value', text: formatNumber(v, sensor.kind) }));
    const hasThresholds = ['low', 'warn_low', 'warn_high', 'high'].some((k) => typeof t[k as keyof typeof t] === 'number');
    this.body.replaceChildren(
      h(
        'div',
        { class: 'readout' },
        this.field('value', 'readout-value', 'details-value'),
        h('div', { class: 'readout-meta' }, this.field('status', 'badge badge-lg', 'details-status'), this.field('age', 'readout-age')),
      ),
      ...(hasThresholds
        ? [
            h(
            'div',
            { class: 'thresholds', 'aria-label': msg('details.thresholdsIn', { unit: unitLabel(sensor.unit) }) },
            cell(msg('details.alarmLow'), t.low, 'alarm'),
            cell(msg('details.warnLow'), t.warn_low, 'warn'),
            cell(msg('details.warnHigh'), t.warn_high, 'warn'),
            cell(msg('details.alarmHigh'), t.high, 'alarm'),
            ),
          ]
        : []),
      h(
        'dl',
        { class: 'facts' },
        h('dt', { text: msg('details.unit') }),
        h('dd', { text: unitLabel(sensor.unit) }),
        h('dt', { text: msg('details.reportsEvery') }),
        h('dd', { text: typeof sensor.interval_s === 'number' ? msg('age.s', { n: sensor.interval_s }) : '—' }),
        h('dt', { text: msg('details.position') }),
        h('dd', { text: sensor.position.map((v) => v.toFixed(1)).join(', ') + ' m' }),
      ),
      deviceHealthSection(this.ctx.venue.id, sensor.id),
      this.chart.root,
      ...this.neighbours(sensor),
    );
    this.chart.show({
      venue: this.ctx.venue.id,
      sensor: sensor.id,
      kind: sensor.kind,
      unit: sensor.unit,
      thresholds: sensor.thresholds ?? null,
      timezone: this.ctx.venue.timezone ?? null,
    });
  }

  /** The other sensors of the same zone: one click away, with live values. */
  private neighbours(sensor: SensorDef): HTMLElement[] {
    const others = this.ctx.sensorsIn(sensor.zone).filter((s) => s.id !== sensor.id);
    if (others.length === 0) return [];
    const zone = sensor.zone ? this.ctx.zonesById.get(sensor.zone) : undefined;
    return [h('div', { class: 'section-label', text: zone ? msg('details.alsoIn', { zone: zone.name }) : msg('details.alsoInVenue') }), this.sensorRows(others)];
  }

  private sensorRows(sensors: SensorDef[]): HTMLElement {
    const list = h('ul', { class: 'list compact' });
    for (const sensor of sensors) {
      const row = h(
        'li',
        { class: 'row', role: 'button', tabindex: 0 },
        h('span', { class: 'row-name' }, h('span', { class: 'row-title', text: kindLabel(sensor.kind) }), h('span', { class: 'row-id', text: sensor.id })),
        h('span', { class: 'row-right' }, this.field(`sensor:${sensor.id}`, 'row-value')),
      );
      row.addEventListener('click', () => this.onSelect({ type: 'sensor', id: sensor.id }));
      row.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') this.onSelect({ type: 'sensor', id: sensor.id });
      });
      list.append(row);
    }
    return list;
  }

  private renderZone(zone: ZoneDef): void {
    setText(this.title, zone.name);
    const area = typeof zone.area_m2 === 'number' ? `${Math.round(zone.area_m2)} m²` : '';
    setText(this.subtitle, [zone.id, area, zone.outdoor ? msg('details.outdoor') : ''].filter(Boolean).join(' · '));
    const grid = h('div', { class: 'zone-grid' });
    for (const { q, label } of ZONE_FIELDS) {
      grid.append(h('div', { class: 'zone-cell' }, h('span', { class: 'threshold-label', text: label }), this.field(`zone:${q}`, 'zone-cell-value', `zone-${q}`)));
      // The count's band beside the count.
      if (q === 'occupancy') {
        grid.append(h('div', { class: 'zone-cell' }, h('span', { class: 'threshold-label', text: msg('details.occupancyBand') }), this.field('zone:band', 'zone-cell-value', 'zone-occupancy-band')));
      }
    }
    grid.append(
      h('div', { class: 'zone-cell' }, h('span', { class: 'threshold-label', text: msg('details.levelOfService') }), this.field('zone:los', 'zone-cell-value', 'zone-los')),
      h('div', { class: 'zone-cell' }, h('span', { class: 'threshold-label', text: msg('details.climateClass') }), this.field('zone:climate', 'zone-cell-value', 'zone-climate')),
      h('div', { class: 'zone-cell' }, h('span', { class: 'threshold-label', text: msg('details.flowInOut') }), this.field('zone:flow', 'zone-cell-value', 'zone-flow')),
      h('div', { class: 'zone-cell' }, h('span', { class: 'threshold-label', text: msg('details.dwellSpeed') }), this.field('zone:dwell', 'zone-cell-value', 'zone-dwell')),
    );
    // A people tracker's positions give densities of their own (classic, Voronoi).
    if (this.ctx.sensorsIn(zone.id).some((s) => s.kind === 'people_tracker')) {
      grid.append(h('div', { class: 'zone-cell' }, h('span', { class: 'threshold-label', text: msg('details.trackedDensity') }), this.field('zone:tracked', 'zone-cell-value', 'zone-tracked')));
    }
    const sensors = this.sensorRows(this.ctx.sensorsIn(zone.id));
    const artefacts = (this.ctx.venue.artefacts ?? []).filter((a) => a.zone === zone.id);
    const artefactList = h('ul', { class: 'list compact' });
    for (const artefact of artefacts) {
      artefactList.append(
        h(
          'li',
          { class: 'row static' },
          h('span', { class: 'row-name' }, h('span', { class: 'row-title', text: `◆ ${artefact.name}` }), h('span', { class: 'row-id', text: artefact.id })),
          h(
            'span',
            { class: 'row-right' },
            this.field(`artefact:${artefact.id}`, 'row-value', `artefact-dose-${artefact.id}`),
            h('span', { class: 'row-meta', text: artefact.light_sensitivity ? msg('details.lightSensitivity', { level: termLabel('sensitivity.', artefact.light_sensitivity) }) : '' }),
          ),
        ),
      );
    }
    this.body.replaceChildren(
      grid,
      h('div', { class: 'section-label', text: msg('details.sensorsInZone') }),
      sensors,
      ...(artefacts.length > 0 ? [h('div', { class: 'section-label', text: msg('details.artefacts') }), artefactList] : []),
    );
  }

  /** Refresh live fields; cheap enough to call on every state change. */
  update(): void {
    const selection = this.selection;
    if (selection === null) return;
    if (selection.type === 'sensor') {
      const sensor = this.ctx.sensorsById.get(selection.id);
      if (sensor === undefined) return;
      const state = this.ctx.store.sensors.get(sensor.id);
      const status = state?.status ?? 'unknown';
      const value = this.fields.get('value');
      if (value) setText(value, formatValue(state?.value, sensor.kind, sensor.unit));
      const badge = this.fields.get('status');
      if (badge) {
        setText(badge, STATUS_LABELS[status]);
        badge.dataset.status = status;
      }
      this.updateSensorFields(this.ctx.sensorsIn(sensor.zone));
      this.tick();
      return;
    }
    const state = this.ctx.store.zones.get(selection.id);
    for (const { q } of ZONE_FIELDS) {
      const el = this.fields.get(`zone:${q}`);
      if (el) setText(el, formatZoneValue(state, q));
    }
    const analytics = this.ctx.store.zoneAnalytics.get(selection.id);
    const los = this.fields.get('zone:los');
    if (los) {
      const letter = state?.level_of_service ?? analytics?.level_of_service ?? null;
      setText(los, letter ?? '—');
      los.dataset.los = letter ?? '';
    }
    const climate = this.fields.get('zone:climate');
    if (climate) {
      const pct = analytics?.in_class_pct;
      setText(climate, analytics?.climate_class ? `${analytics.climate_class}${typeof pct === 'number' ? ` · ${msg('details.inClass', { pct: pct.toFixed(0) })}` : ''}` : '—');
    }
    const flow = this.fields.get('zone:flow');
    if (flow) {
      const fin = analytics?.inflow_per_s;
      const fout = analytics?.outflow_per_s;
      // People per second over the last crowd step, corrected for counter misses.
      setText(flow, typeof fin === 'number' && typeof fout === 'number' ? `${fin.toFixed(2)} · ${fout.toFixed(2)} /s` : '—');
    }
    const dwell = this.fields.get('zone:dwell');
    if (dwell) {
      const w = analytics?.dwell_s;
      const v = analytics?.speed_m_s;
      const parts = [typeof w === 'number' ? (w < 120 ? msg('age.s', { n: w.toFixed(0) }) : msg('age.min', { n: (w / 60).toFixed(0) })) : '—'];
      if (typeof v === 'number') parts.push(`${v.toFixed(2)} m/s`);
      setText(dwell, parts.join(' · '));
    }
    const tracked = this.fields.get('zone:tracked');
    if (tracked) {
      const c = analytics?.tracked_density;
      const v = analytics?.voronoi_density;
      // An offline tracker's figures are unknown: say so rather than show a dash.
      const offline = analytics?.tracker_offline === true;
      setText(tracked, offline ? msg('details.trackerOffline') : typeof c === 'number' && typeof v === 'number' ? `${c.toFixed(2)} · ${v.toFixed(2)} ${msg('unit.density')}` : '—');
      tracked.dataset.offline = String(offline);
    }
    const band = this.fields.get('zone:band');
    if (band) {
      // The estimate's 95 % band, so an operator sees how far to trust the figure.
      const b = occupancyBand(analytics?.occupancy, analytics?.occupancy_sd);
      setText(band, b === null ? '—' : msg('lists.people', { n: b[0] === b[1] ? String(b[0]) : `${b[0]}–${b[1]}` }));
    }
    for (const artefact of this.ctx.venue.artefacts ?? []) {
      const el = this.fields.get(`artefact:${artefact.id}`);
      if (el === undefined) continue;
      const ratio = this.ctx.store.artefactAnalytics.get(artefact.id)?.dose_ratio;
      // The light dose rate against the artefact's yearly budget: above 1 it runs out early.
      setText(el, typeof ratio === 'number' ? msg('details.lightDose', { ratio: ratio.toFixed(2) }) : msg('details.lightDoseNone'));
      el.dataset.over = String(typeof ratio === 'number' && ratio > 1);
      el.title = msg('details.lightDoseTitle');
    }
    this.updateSensorFields(this.ctx.sensorsIn(selection.id));
  }

  private updateSensorFields(sensors: SensorDef[]): void {
    for (const sensor of sensors) {
      const el = this.fields.get(`sensor:${sensor.id}`);
      if (el) setText(el, formatValue(this.ctx.store.sensors.get(sensor.id)?.value, sensor.kind, sensor.unit));
    }
  }

  tick(): void {
    if (this.selection?.type !== 'sensor') return;
    const age = this.fields.get('age');
    if (age) {
      const text = formatAge(this.ctx.ageOf(this.selection.id));
      setText(age, text === '—' ? msg('details.noReading') : text === msg('age.now') ? msg('connection.updatedNow') : msg('connection.updatedAgo', { age: text }));
    }
  }

  restyle(): void {
    this.chart.restyle();
  }
}
