/**
 * Sensor placement for engineers: the sensors that report but have no place
 * (auto-registered devices, imported archives) are listed; pick one, choose
 * its kind, then click the floor where it hangs. The server finds the zone
 * from the point, saves the venue file and writes an audit line.
 */

import type { Object3D } from 'three';
import { listUnplaced, placeSensor, type UnplacedSensor } from '../api';
import { t } from '../i18n';
import type { VenueView } from '../scene/view';
import { h, setText } from './dom';
import './placement.css';

/** Movement beyond this (CSS px) between press and release is an orbit, not a drop. */
const CLICK_SLOP_PX = 5;
/** A dropped sensor hangs this high above the floor that was clicked (metres). */
const MOUNT_HEIGHT_M = 1.5;
const KINDS = ['temperature', 'humidity', 'co2', 'lux', 'uv', 'vibration', 'people_count', 'people_tracker', 'gate_counter'];

// Operator-facing strings of this module, in one place (for the message catalogue).
const TEXT = {
  get heading(): string { return t('placement.heading'); },
  get none(): string { return t('placement.none'); },
  get place(): string { return t('placement.place'); },
  get refresh(): string { return t('placement.refresh'); },
  get cancel(): string { return t('common.cancel'); },
  get kind(): string { return t('placement.kind'); },
  clickFloor: (s: string) => t('placement.clickFloor', { sensor: s, height: MOUNT_HEIGHT_M }),
  placed: (s: string, z: string) => t('placement.placed', { sensor: s, zone: z }),
  failed: (m: string) => t('placement.failed', { error: m }),
  get missed(): string { return t('placement.missed'); },
};

/** A kind guessed from the sensor's name, which the engineer can change. */
function guessKind(sensor: string): string {
  const s = sensor.toLowerCase();
  if (/rh|humid/.test(s)) return 'humidity';
  if (/co2/.test(s)) return 'co2';
  if (/lux|light|illum/.test(s)) return 'lux';
  if (/uv/.test(s)) return 'uv';
  if (/vib/.test(s)) return 'vibration';
  return 'temperature';
}

export class PlacementPanel {
  readonly root: HTMLElement;
  private readonly list: HTMLElement;
  private readonly status: HTMLElement;
  private placing: { sensor: string; kind: HTMLSelectElement } | null = null;

  constructor(
    private readonly venue: string,
    private readonly view: VenueView,
    private readonly floors: () => Object3D[],
  ) {
    this.list = h('ul', { class: 'placement-list' });
    this.status = h('div', { class: 'placement-status', role: 'status' });
    const refresh = h('button', { type: 'button', class: 'link-button', text: TEXT.refresh });
    refresh.addEventListener('click', () => void this.load());
    this.root = h(
      'section',
      { class: 'placement', 'data-testid': 'placement', 'aria-label': TEXT.heading },
      h('div', { class: 'section-head' }, h('h2', { class: 'section-title', text: TEXT.heading }), refresh),
      this.list,
      this.status,
    );
    this.attachDrop();
    void this.load();
  }

  async load(): Promise<void> {
    let items: UnplacedSensor[];
    try {
      items = await listUnplaced(this.venue);
    } catch (err) {
      setText(this.status, TEXT.failed(err instanceof Error ? err.message : String(err)));
      return;
    }
    this.root.hidden = items.length === 0 && this.placing === null;
    this.list.replaceChildren(
      ...items.map((u) => {
        const button = h('button', { type: 'button', class: 'place-button', 'data-testid': `place-${u.sensor}`, text: TEXT.place });
        button.addEventListener('click', () => this.start(u.sensor));
        return h('li', {}, h('span', { class: 'mono', text: u.sensor }), button);
      }),
    );
    if (items.length === 0 && !this.status.textContent) setText(this.status, TEXT.none);
  }

  private start(sensor: string): void {
    const kind = h('select', { 'aria-label': TEXT.kind, 'data-testid': 'placement-kind' });
    for (const k of KINDS) kind.append(h('option', { value: k, text: k }));
    kind.value = guessKind(sensor);
    const cancel = h('button', { type: 'button', class: 'link-button', text: TEXT.cancel });
    cancel.addEventListener('click', () => this.stop(''));
    this.placing = { sensor, kind };
    this.status.replaceChildren(h('div', { text: TEXT.clickFloor(sensor) }), kind, cancel);
    this.view.renderer.domElement.style.cursor = 'crosshair';
  }

  private stop(message: string): void {
    this.placing = null;
    this.view.renderer.domElement.style.cursor = '';
    setText(this.status, message);
  }

  /** While placing, a click on the canvas is a drop, not a selection. */
  private attachDrop(): void {
    const canvas = this.view.renderer.domElement;
    let downAt: { x: number; y: number } | null = null;
    canvas.addEventListener('pointerdown', (e) => {
      downAt = { x: e.clientX, y: e.clientY };
    });
    canvas.addEventListener(
      'pointerup',
      (e) => {
        if (this.placing === null || downAt === null) return;
        const moved = Math.hypot(e.clientX - downAt.x, e.clientY - downAt.y);
        downAt = null;
        if (moved > CLICK_SLOP_PX) return;
        e.stopImmediatePropagation();
        void this.drop(e.clientX, e.clientY);
      },
      { capture: true },
    );
  }

  private async drop(x: number, y: number): Promise<void> {
    const placing = this.placing;
    if (placing === null) return;
    const hit = this.view.pick(x, y, this.floors())[0];
    if (hit === undefined) {
      setText(this.status, TEXT.missed);
      return;
    }
    const ray = this.view.rayAt(x, y);
    const p = ray.origin.clone().addScaledVector(ray.direction, hit.distance);
    // three.js is Y up; the venue frame is Z up: (x, y, z)world = (x, z, -y)venue.
    const position: [number, number, number] = [p.x, -p.z, p.y + MOUNT_HEIGHT_M];
    try {
      const placed = await placeSensor(this.venue, placing.sensor, { position, kind: placing.kind.value });
      this.stop(TEXT.placed(placed.sensor, placed.zone));
      void this.load();
    } catch (err) {
      setText(this.status, TEXT.failed(err instanceof Error ? err.message : String(err)));
    }
  }
}
