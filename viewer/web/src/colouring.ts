/**
 * What the scene's colours say: the selected quantity and its scale, applied
 * to sensor markers, zone floors (one colour per zone, or the GPU field of
 * the sensors' values) and zone labels.
 */

import type { ViewContext } from './context';
import { buildScale, type ColorScale, colorAt, kindOf, levelColor, levelOfService, niceCeil, type Quantity } from './scales';
import { venueToWorld } from './scene/coords';
import type { SensorMarkers } from './scene/markers';
import type { VenueModel } from './scene/venueModel';
import type { VenueTwinHook } from './testHook';
import { setText } from './ui/dom';
import { formatZoneValue, zoneValue } from './ui/lists';

/** Quantities the floors show as a GPU-interpolated field of the sensors' values. */
const FIELD_KINDS = new Set(['temperature', 'humidity', 'co2', 'lux']);

export class Colouring {
  quantity: Quantity = 'temperature';
  scale: ColorScale;
  private occupancyMax = 50;

  constructor(
    private readonly ctx: ViewContext,
    private readonly model: VenueModel,
    private readonly markers: SensorMarkers,
    private readonly zoneLabelValues: Map<string, HTMLElement>,
    private readonly hook: VenueTwinHook,
  ) {
    this.scale = buildScale(this.quantity, ctx.venue);
  }

  /** Switch quantity (or rebuild the scale of the current one); recolours everything. */
  setQuantity(quantity: Quantity): void {
    this.quantity = quantity;
    this.scale = buildScale(quantity, this.ctx.venue, this.occupancyMax);
    for (const sensor of this.ctx.venue.sensors) this.sensor(sensor.id);
    for (const zone of this.ctx.venue.zones) this.zone(zone.id);
    this.refreshField();
  }

  sensor(id: string): void {
    const sensor = this.ctx.sensorsById.get(id);
    if (sensor === undefined) return;
    const state = this.ctx.store.sensors.get(id);
    const kindScale = this.ctx.kindScales.get(sensor.kind);
    const value = state?.value;
    this.markers.update(id, {
      color: kindScale !== undefined && typeof value === 'number' ? colorAt(kindScale, value) : null,
      status: state?.status ?? 'unknown',
      emphasised: kindOf(this.quantity) === sensor.kind,
    });
    this.model.field.setValue(id, this.fieldValue(id));
  }

  zone(id: string): void {
    const state = this.ctx.store.zones.get(id);
    const v = zoneValue(state, this.quantity);
    if (this.quantity === 'density') {
      // The analytics' level of service when known; else the letter of the density.
      const letter = state?.level_of_service ?? (v === null ? null : levelOfService(v));
      this.model.setZoneColor(id, letter === null ? null : levelColor(letter));
    } else {
      this.model.setZoneColor(id, v === null ? null : colorAt(this.scale, v));
    }
    const label = this.zoneLabelValues.get(id);
    if (label) setText(label, formatZoneValue(state, this.quantity));
  }

  /** Occupancy has no natural ceiling: grow the scale with the busiest zone. True when the shown scale changed. */
  refreshOccupancyScale(): boolean {
    let max = 0;
    for (const state of this.ctx.store.zones.values()) max = Math.max(max, state.occupancy ?? 0);
    const next = Math.max(20, niceCeil(max));
    if (next === this.occupancyMax) return false;
    this.occupancyMax = next;
    return this.quantity === 'occupancy';
  }

  /** A sensor's value as the floor field weighs it: none when offline or without a reading. */
  private fieldValue(id: string): number | null {
    const state = this.ctx.store.sensors.get(id);
    return state === undefined || state.status === 'offline' || typeof state.value !== 'number' ? null : state.value;
  }

  /** Floors show the GPU field of the quantity's sensors, or (crowd quantities) one colour per zone. */
  private refreshField(): void {
    const kind = kindOf(this.quantity);
    if (kind === null || !FIELD_KINDS.has(kind)) {
      this.model.field.setSensors(null);
      this.hook.floorField = { quantity: this.quantity, interpolated: false, sensors: 0 };
      return;
    }
    const sensors = this.ctx.venue.sensors
      .filter((s) => s.kind === kind && s.zone !== null)
      .map((s) => {
        const p = venueToWorld(...s.position);
        return { id: s.id, zone: s.zone as string, x: p.x, z: p.z };
      });
    this.model.field.setSensors(sensors);
    this.model.field.setScale(this.scale);
    for (const sensor of sensors) this.model.field.setValue(sensor.id, this.fieldValue(sensor.id));
    this.hook.floorField = { quantity: this.quantity, interpolated: true, sensors: sensors.length };
  }
}
