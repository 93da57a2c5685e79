/**
 * Status summary and the sensor and zone lists. Rows are built once and then
 * only their text and attributes change, so 4 Hz deltas cost little layout.
 */

import { STATUS_LABELS, STATUS_ORDER, type Selection, type ViewContext } from '../context';
import { t } from '../i18n';
import { formatAge, formatNumber, formatValue, kindLabel, unitLabel } from '../format';
import { type ColorScale, cssColorAt, type Quantity } from '../scales';
import type { SensorStatus, ZoneDef, ZoneState } from '../types';
import type { AlarmLog } from './alarmLog';
import { h, setText } from './dom';

type Tab = 'sensors' | 'zones' | 'log';

interface SensorRow {
  row: HTMLElement;
  swatch: HTMLElement;
  value: HTMLElement;
  status: HTMLElement;
  age: HTMLElement;
}

interface ZoneRow {
  row: HTMLElement;
  swatch: HTMLElement;
  value: HTMLElement;
  occupancy: HTMLElement;
  groupValue: HTMLElement | undefined;
}

const QUANTITY_UNITS: Record<Quantity, string> = {
  temperature: 'degC',
  humidity: '%RH',
  co2: 'ppm',
  lux: 'lx',
  density: 'p/m2',
  occupancy: 'people',
};

export function zoneValue(state: ZoneState | undefined, quantity: Quantity): number | null {
  const v = state?.[quantity];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function formatZoneValue(state: ZoneState | undefined, quantity: Quantity): string {
  const text = formatValue(zoneValue(state, quantity), quantity, QUANTITY_UNITS[quantity]);
  // Density reads with its Fruin level of service.
  return quantity === 'density' && state?.level_of_service ? `${text} · ${state.level_of_service}` : text;
}

export class Lists {
  readonly root: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly chips = new Map<SensorStatus, HTMLElement>();
  private readonly sensorRows = new Map<string, SensorRow>();
  private readonly zoneRows = new Map<string, ZoneRow>();
  private readonly sensorList: HTMLElement;
  private readonly zoneList: HTMLElement;
  private readonly tabs: Partial<Record<Tab, HTMLButtonElement>>;
  private filter: SensorStatus | null = null;
  private quantity: Quantity = 'temperature';
  private scale: ColorScale | null = null;

  constructor(
    private readonly ctx: ViewContext,
    private readonly onSelect: (selection: Selection) => void,
    private readonly log: AlarmLog | null = null,
    /** Multi-storey venues: the zone list is grouped under these headings. */
    private readonly storeyGroups: readonly { name: string; zones: readonly string[] }[] | null = null,
  ) {
    this.summary = h('div', { class: 'summary', 'data-testid': 'status-summary', role: 'group', 'aria-label': t('lists.byStatus') });
    for (const status of STATUS_ORDER) {
      const chip = h(
        'button',
        { class: `chip chip-${status}`, type: 'button', 'data-testid': `status-chip-${status}`, 'aria-pressed': 'false' },
        h('span', { class: 'chip-count', text: '0' }),
        h('span', { class: 'chip-label', text: STATUS_LABELS[status] }),
      );
      chip.addEventListener('click', () => this.setFilter(this.filter === status ? null : status));
      this.chips.set(status, chip);
      this.summary.append(chip);
    }

    this.sensorList = h('ul', { class: 'list', 'data-testid': 'sensor-list', 'aria-label': t('lists.sensors') });
    this.zoneList = h('ul', { class: 'list', 'data-testid': 'zone-list', 'aria-label': t('lists.zones'), hidden: true });
    this.buildSensorRows();
    this.buildZoneRows();

    const tab = (id: Tab, label: string): HTMLButtonElement => {
      const button = h('button', { class: 'tab', type: 'button', role: 'tab', 'data-testid': `tab-${id}`, text: label });
      button.addEventListener('click', () => this.showTab(id));
      return button;
    };
    this.tabs = {
      sensors: tab('sensors', t('lists.sensorsTab', { n: ctx.venue.sensors.length })),
      zones: tab('zones', t('lists.zonesTab', { n: ctx.venue.zones.length })),
      log: log === null ? undefined : tab('log', t('lists.alarmLog')),
    };
    this.root = h(
      'section',
      { class: 'lists' },
      this.summary,
      h('div', { class: 'tabs', role: 'tablist' }, this.tabs.sensors ?? null, this.tabs.zones ?? null, this.tabs.log ?? null),
      this.sensorList,
      this.zoneList,
      log?.root ?? null,
    );
    this.showTab('sensors');
  }

  private buildSensorRows(): void {
    const zoneIds: (string | null)[] = [...this.ctx.venue.zones.map((z) => z.id), null];
    for (const zoneId of zoneIds) {
      const sensors = this.ctx.sensorsIn(zoneId);
      if (sensors.length === 0) continue;
      const zone = zoneId === null ? undefined : this.ctx.zonesById.get(zoneId);
      const groupValue = h('span', { class: 'group-value' });
      const group = h('li', { class: 'group', 'data-zone': zoneId ?? '' }, h('span', { text: zone?.name ?? t('lists.unzoned') }), groupValue);
      if (zoneId !== null) {
        group.addEventListener('click', () => this.onSelect({ type: 'zone', id: zoneId }));
        const row = this.zoneRows.get(zoneId);
        if (row) row.groupValue = groupValue;
      }
      this.sensorList.append(group);
      for (const sensor of sensors) {
        const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
        const value = h('span', { class: 'row-value', 'data-testid': `sensor-value-${sensor.id}`, text: '—' });
        const status = h('span', { class: 'badge', text: '' });
        const age = h('span', { class: 'row-age' });
        const row = h(
          'li',
          { class: 'row', tabindex: 0, role: 'button', 'data-testid': `sensor-row-${sensor.id}`, 'data-sensor': sensor.id, 'data-status': 'unknown' },
          swatch,
          h('span', { class: 'row-name' }, h('span', { class: 'row-title', text: kindLabel(sensor.kind) }), h('span', { class: 'row-id', text: sensor.id })),
          h('span', { class: 'row-right' }, value, h('span', { class: 'row-meta' }, status, age)),
        );
        const select = (): void => this.onSelect({ type: 'sensor', id: sensor.id });
        row.addEventListener('click', select);
        row.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            select();
          }
        });
        this.sensorRows.set(sensor.id, { row, swatch, value, status, age });
        this.sensorList.append(row);
      }
    }
  }

  private buildZoneRows(): void {
    const order = this.storeyGroups ?? [{ name: '', zones: this.ctx.venue.zones.map((z) => z.id) }];
    for (const group of order) {
      if (this.storeyGroups !== null) {
        this.zoneList.append(h('li', { class: 'group', 'data-storey': group.name, 'data-testid': 'zone-storey', text: `${group.name} (${group.zones.length})` }));
      }
      for (const zoneId of group.zones) {
        const zone = this.ctx.zonesById.get(zoneId);
        if (zone !== undefined) this.buildZoneRow(zone);
      }
    }
    // Group headers in the sensor list were built first; link them now.
    for (const group of this.sensorList.querySelectorAll<HTMLElement>('li.group')) {
      const zoneRow = this.zoneRows.get(group.dataset.zone ?? '');
      if (zoneRow) zoneRow.groupValue = group.querySelector<HTMLElement>('.group-value') ?? undefined;
    }
  }

  private buildZoneRow(zone: ZoneDef): void {
    const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
    const value = h('span', { class: 'row-value', 'data-testid': `zone-value-${zone.id}`, text: '—' });
    const occupancy = h('span', { class: 'row-meta' });
    const area = typeof zone.area_m2 === 'number' ? `${Math.round(zone.area_m2)} m²` : '';
    const row = h(
      'li',
      { class: 'row', tabindex: 0, role: 'button', 'data-testid': `zone-row-${zone.id}`, 'data-zone': zone.id },
      swatch,
      h('span', { class: 'row-name' }, h('span', { class: 'row-title', text: zone.name }), h('span', { class: 'row-id', text: area })),
      h('span', { class: 'row-right' }, value, occupancy),
    );
    row.addEventListener('click', () => this.onSelect({ type: 'zone', id: zone.id }));
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.onSelect({ type: 'zone', id: zone.id });
    });
    this.zoneRows.set(zone.id, { row, swatch, value, occupancy, groupValue: undefined });
    this.zoneList.append(row);
  }

  private showTab(id: Tab): void {
    this.sensorList.hidden = id !== 'sensors';
    this.zoneList.hidden = id !== 'zones';
    this.log?.show(id === 'log');
    for (const [tab, button] of Object.entries(this.tabs)) button?.setAttribute('aria-selected', String(tab === id));
  }

  private setFilter(status: SensorStatus | null): void {
    this.filter = status;
    for (const [s, chip] of this.chips) chip.setAttribute('aria-pressed', String(s === status));
    this.showTab('sensors');
    this.applyFilter();
  }

  private applyFilter(): void {
    for (const [id, row] of this.sensorRows) {
      row.row.hidden = this.filter !== null && this.ctx.statusOf(id) !== this.filter;
    }
    // Hide zone headings with nothing left under them.
    for (const group of this.sensorList.querySelectorAll<HTMLElement>('li.group')) {
      let next = group.nextElementSibling as HTMLElement | null;
      let any = false;
      while (next !== null && !next.classList.contains('group')) {
        any ||= !next.hidden;
        next = next.nextElementSibling as HTMLElement | null;
      }
      group.hidden = !any;
    }
  }

  updateSensors(ids: Iterable<string>): void {
    for (const id of ids) {
      const row = this.sensorRows.get(id);
      const sensor = this.ctx.sensorsById.get(id);
      if (row === undefined || sensor === undefined) continue;
      const state = this.ctx.store.sensors.get(id);
      const status = state?.status ?? 'unknown';
      setText(row.value, formatValue(state?.value, sensor.kind, sensor.unit));
      row.row.dataset.status = status;
      row.row.dataset.value = typeof state?.value === 'number' ? String(state.value) : '';
      setText(row.status, status === 'ok' ? '' : STATUS_LABELS[status]);
      const scale = this.ctx.kindScales.get(sensor.kind);
      row.swatch.style.background =
        scale !== undefined && typeof state?.value === 'number' && status !== 'offline' ? cssColorAt(scale, state.value) : '';
    }
    const counts = new Map<SensorStatus, number>();
    for (const sensor of this.ctx.venue.sensors) {
      const status = this.ctx.statusOf(sensor.id);
      counts.set(status, (counts.get(status) ?? 0) + 1);
    }
    for (const [status, chip] of this.chips) {
      const n = counts.get(status) ?? 0;
      setText(chip.querySelector('.chip-count') as Element, String(n));
      chip.dataset.count = String(n);
    }
    if (this.filter !== null) this.applyFilter();
  }

  /** Sensors per status, for the summary and the page title. */
  count(status: SensorStatus): number {
    return Number(this.chips.get(status)?.dataset.count ?? 0);
  }

  updateZones(ids: Iterable<string>): void {
    for (const id of ids) {
      const row = this.zoneRows.get(id);
      if (row === undefined) continue;
      const state = this.ctx.store.zones.get(id);
      const text = formatZoneValue(state, this.quantity);
      setText(row.value, text);
      if (row.groupValue) setText(row.groupValue, text);
      const occupancy = state?.occupancy;
      setText(
        row.occupancy,
        typeof occupancy === 'number'
          ? `${t('lists.people', { n: formatNumber(occupancy, 'occupancy') })} · ${formatNumber(state?.density, 'density')} ${unitLabel('p/m2')}`
          : '',
      );
      const v = zoneValue(state, this.quantity);
      row.swatch.style.background = this.scale !== null && v !== null ? cssColorAt(this.scale, v) : '';
    }
  }

  setQuantity(quantity: Quantity, scale: ColorScale): void {
    this.quantity = quantity;
    this.scale = scale;
    this.updateZones(this.zoneRows.keys());
  }

  setSelected(selection: Selection): void {
    for (const [id, row] of this.sensorRows) row.row.classList.toggle('selected', selection?.type === 'sensor' && selection.id === id);
    for (const [id, row] of this.zoneRows) row.row.classList.toggle('selected', selection?.type === 'zone' && selection.id === id);
    if (selection?.type === 'sensor') this.sensorRows.get(selection.id)?.row.scrollIntoView({ block: 'nearest' });
  }

  /** Once a second: ages move even when values do not. */
  tickAges(): void {
    for (const [id, row] of this.sensorRows) {
      const age = this.ctx.ageOf(id);
      setText(row.age, age === null ? '' : formatAge(age));
    }
  }
}
