/**
 * The page's composition root: load the venue, build the scene and panel,
 * connect the live feed and route state changes to whatever shows them.
 */

import type { Object3D } from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { getMesh, getState, getVenue, listVenues } from './api';
import { type Selection, ViewContext } from './context';
import { formatValue, kindLabel } from './format';
import { type ConnectionState, LiveClient } from './live/client';
import { LiveStore, type StateChange } from './live/store';
import { buildScale, type ColorScale, colorAt, kindOf, niceCeil, QUANTITIES, type Quantity } from './scales';
import { venueToWorld } from './scene/coords';
import { ArtefactMarkers } from './scene/artefacts';
import { SensorMarkers } from './scene/markers';
import { attachPointer } from './scene/pointer';
import { DARK, LIGHT, type ScenePalette } from './scene/palette';
import { levelKey, VenueModel } from './scene/venueModel';
import { VenueView } from './scene/view';
import type { VenueTwinHook } from './testHook';
import type { StateFrame, VenueDef, VenueSummary } from './types';
import { DetailsPane } from './ui/details';
import { h, setText } from './ui/dom';
import { Header } from './ui/header';
import { Legend } from './ui/legend';
import { formatZoneValue, Lists, zoneValue } from './ui/lists';
import { currentTheme, initTheme, type Theme } from './ui/theme';

function paletteFor(theme: Theme): ScenePalette {
  return theme === 'dark' ? DARK : LIGHT;
}

/** `?lod=1..3` asks for a decimated mesh (slow kiosks, huge scans); default full detail. */
function meshLod(): number {
  const lod = Number(new URL(window.location.href).searchParams.get('lod') ?? 0);
  return Number.isInteger(lod) && lod >= 0 && lod <= 3 ? lod : 0;
}

function chooseVenue(venues: VenueSummary[]): string {
  const wanted = new URL(window.location.href).searchParams.get('venue');
  const found = venues.find((v) => v.id === wanted) ?? venues[0];
  if (found === undefined) throw new Error('The server has no venues configured.');
  return found.id;
}

async function parseMesh(buffer: ArrayBuffer | null): Promise<Object3D | null> {
  if (buffer === null) return null;
  try {
    return (await new GLTFLoader().parseAsync(buffer, '')).scene;
  } catch (err) {
    // The zone polygons are enough to draw the venue: degrade, don't fail.
    console.warn('venue mesh unreadable, drawing zones from their polygons', err);
    return null;
  }
}

function inside(polygon: [number, number][], x: number, y: number): boolean {
  let result = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i, i += 1) {
    const [xi, yi] = polygon[i] as [number, number];
    const [xj, yj] = polygon[j] as [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) result = !result;
  }
  return result;
}

/**
 * Where a zone's label sits: towards the zone's front-left corner (nearest the
 * default camera) rather than its centre, where sensors usually are.
 */
function labelAnchor(zone: VenueDef['zones'][number]): [number, number] {
  const xs = zone.floor.map(([x]) => x);
  const ys = zone.floor.map(([, y]) => y);
  const minX = Math.min(...xs);
  const minY = Math.min(...ys);
  const x = minX + (Math.max(...xs) - minX) * 0.22;
  const y = minY + (Math.max(...ys) - minY) * 0.22;
  return inside(zone.floor, x, y) ? [x, y] : centroid(zone);
}

function centroid(zone: VenueDef['zones'][number]): [number, number] {
  let x = 0;
  let y = 0;
  for (const [px, py] of zone.floor) {
    x += px;
    y += py;
  }
  return [x / zone.floor.length, y / zone.floor.length];
}

export async function startApp(root: HTMLElement, hook: VenueTwinHook): Promise<void> {
  const viewport = h('main', { class: 'viewport', 'data-testid': 'viewport' });
  const loading = h('div', { class: 'loading', role: 'status', text: 'Loading venue…' });
  viewport.append(loading);
  const panel = h('aside', { class: 'panel', 'aria-label': 'Venue status' });
  root.replaceChildren(viewport, panel);

  let onTheme: (theme: Theme) => void = () => undefined;
  const theme = initTheme((t) => onTheme(t));

  const venues = await listVenues();
  const venueId = chooseVenue(venues);
  hook.venue = venueId;
  const [venue, meshBuffer] = await Promise.all([getVenue(venueId), getMesh(venueId, meshLod()).catch(() => null)]);
  const gltfRoot = await parseMesh(meshBuffer);
  document.title = `${venue.name} · venue-twin`;

  const store = new LiveStore();
  const ctx = new ViewContext(venue, store);
  const view = new VenueView(viewport, paletteFor(currentTheme()));
  const model = new VenueModel(venue, gltfRoot, paletteFor(currentTheme()));
  const bounds = model.bounds();
  // A venue without zone geometry (sensors only, or an empty file) still gets a sensible frame.
  for (const sensor of venue.sensors) bounds.expandByPoint(venueToWorld(...sensor.position));
  if (bounds.isEmpty()) bounds.setFromPoints([venueToWorld(-10, -10, 0), venueToWorld(10, 10, 3)]);
  const extent = Math.max(bounds.max.x - bounds.min.x, bounds.max.z - bounds.min.z);
  const markerRadius = Math.min(2, Math.max(0.35, extent / 100));
  const markers = new SensorMarkers(venue.sensors, ctx.zonesById, paletteFor(currentTheme()), markerRadius);
  const artefacts = new ArtefactMarkers(venue.artefacts ?? [], paletteFor(currentTheme()), markerRadius * 0.8);
  view.add(model.group);
  view.add(markers.group);
  view.add(artefacts.group);
  view.fit(bounds);
  loading.remove();

  let quantity: Quantity = 'temperature';
  let occupancyMax = 50;
  let scale: ColorScale = buildScale(quantity, venue);

  // Zone labels float over each floor with the zone's value.
  const zoneLabelValues = new Map<string, HTMLElement>();
  for (const zone of venue.zones) {
    const [cx, cy] = labelAnchor(zone);
    const value = h('span', { class: 'zone-label-value' });
    const label = h('button', { class: 'zone-label', type: 'button', 'data-testid': `zone-label-${zone.id}` }, h('span', { class: 'zone-label-name', text: zone.name }), value);
    label.addEventListener('click', () => select({ type: 'zone', id: zone.id }));
    view.labels.set(zone.id, venueToWorld(cx, cy, (zone.level ?? 0) + 0.1), label);
    zoneLabelValues.set(zone.id, value);
  }

  const header = new Header(venue.name, venue.timezone ?? null, venues, venueId);
  const legend = new Legend();
  const details = new DetailsPane(ctx, (s) => select(s));
  const lists = new Lists(ctx, (s) => select(s));
  panel.append(header.root, legend.root, details.root, lists.root);

  // Toolbar over the viewport: what to colour by, and view controls.
  const quantityButtons = new Map<Quantity, HTMLButtonElement>();
  const segmented = h('div', { class: 'segmented', role: 'radiogroup', 'aria-label': 'Colour by' });
  for (const q of QUANTITIES) {
    const button = h('button', { type: 'button', role: 'radio', class: 'segment', 'data-testid': `quantity-${q.id}`, text: q.label });
    button.addEventListener('click', () => setQuantity(q.id));
    quantityButtons.set(q.id, button);
    segmented.append(button);
  }
  const homeButton = h('button', { type: 'button', class: 'tool-button', title: 'Reset view (Home)', 'data-testid': 'reset-view', text: 'Reset view' });
  homeButton.addEventListener('click', () => view.home());
  const themeButton = h('button', { type: 'button', class: 'tool-button', 'data-testid': 'theme-toggle', 'aria-label': 'Switch light or dark theme' });

  // Storeys: on a multi-storey venue upper floors hide lower ones, so the
  // operator can show one storey at a time.
  const levels = model.levels();
  const storeyButtons = new Map<number | null, HTMLButtonElement>();
  const storeys = h('div', { class: 'segmented', role: 'radiogroup', 'aria-label': 'Storey', 'data-testid': 'storeys' });
  const setLevel = (level: number | null): void => {
    model.setLevel(level);
    markers.setLevel(level);
    const zoneVisible = (zoneId: string | null): boolean =>
      level === null || (zoneId !== null && levelKey(ctx.zonesById.get(zoneId)?.level) === level);
    artefacts.filter(zoneVisible);
    for (const zone of venue.zones) view.labels.setHidden(zone.id, !zoneVisible(zone.id));
    for (const [key, button] of storeyButtons) button.setAttribute('aria-checked', String(key === level));
    view.requestRender();
  };
  if (levels.length > 1) {
    for (const [i, level] of [null, ...levels].entries()) {
      const label = level === null ? 'All storeys' : `Storey ${i - 1}`;
      const button = h('button', {
        type: 'button',
        role: 'radio',
        class: 'segment',
        'data-testid': `storey-${level === null ? 'all' : i - 1}`,
        title: level === null ? 'Show every storey' : `Floor at ${level.toFixed(1)} m`,
        text: label,
      });
      button.addEventListener('click', () => setLevel(level));
      storeyButtons.set(level, button);
      storeys.append(button);
    }
    setLevel(null);
  }
  themeButton.addEventListener('click', () => theme.toggle());
  const tooltip = h('div', { class: 'tooltip', role: 'tooltip', hidden: true });
  viewport.append(
    h('div', { class: 'toolbar' }, h('div', { class: 'toolbar-start' }, segmented, levels.length > 1 ? storeys : null), h('div', { class: 'toolbar-end' }, homeButton, themeButton)),
    tooltip,
  );

  function recolorSensor(id: string): void {
    const sensor = ctx.sensorsById.get(id);
    if (sensor === undefined) return;
    const state = store.sensors.get(id);
    const kindScale = ctx.kindScales.get(sensor.kind);
    const value = state?.value;
    markers.update(id, {
      color: kindScale !== undefined && typeof value === 'number' ? colorAt(kindScale, value) : null,
      status: state?.status ?? 'unknown',
      emphasised: kindOf(quantity) === sensor.kind,
    });
  }

  function recolorZone(id: string): void {
    const state = store.zones.get(id);
    const v = zoneValue(state, quantity);
    model.setZoneColor(id, v === null ? null : colorAt(scale, v));
    const label = zoneLabelValues.get(id);
    if (label) setText(label, formatZoneValue(state, quantity));
  }

  /** Occupancy has no natural ceiling: grow the scale with the busiest zone. */
  function refreshOccupancyScale(): boolean {
    let max = 0;
    for (const state of store.zones.values()) max = Math.max(max, state.occupancy ?? 0);
    const next = Math.max(20, niceCeil(max));
    if (next === occupancyMax) return false;
    occupancyMax = next;
    return quantity === 'occupancy';
  }

  function setQuantity(q: Quantity): void {
    quantity = q;
    scale = buildScale(q, venue, occupancyMax);
    for (const [id, button] of quantityButtons) button.setAttribute('aria-checked', String(id === q));
    legend.show(scale);
    lists.setQuantity(q, scale);
    view.labels.remeasure();
    for (const sensor of venue.sensors) recolorSensor(sensor.id);
    for (const zone of venue.zones) recolorZone(zone.id);
    view.requestRender();
  }

  function select(next: Selection): void {
    markers.setSelected(next?.type === 'sensor' ? next.id : null);
    model.setSelectedZone(next?.type === 'zone' ? next.id : null);
    lists.setSelected(next);
    details.show(next);
    // Master-detail: the details take the list's place in the panel, so the
    // 3D view is never covered.
    lists.root.hidden = next !== null;
    view.requestRender();
  }

  let stateShownAtFrame: number | null = null;
  store.subscribe((change: StateChange) => {
    const sensorIds = change.full ? venue.sensors.map((s) => s.id) : change.sensors;
    const zoneIds = change.full ? venue.zones.map((z) => z.id) : change.zones;
    if (refreshOccupancyScale()) setQuantity(quantity);
    for (const id of sensorIds) recolorSensor(id);
    for (const id of zoneIds) recolorZone(id);
    lists.updateSensors(sensorIds);
    lists.updateZones(zoneIds);
    details.update();
    hook.sensorValues = store.sensorValues();
    const urgent = lists.count('alarm') + lists.count('warn');
    document.title = `${urgent > 0 ? `(${urgent}) ` : ''}${venue.name} · venue-twin`;
    stateShownAtFrame ??= view.framesRendered;
    view.requestRender();
  });

  hook.sensorScreenPosition = (id) => {
    const position = markers.position(id);
    if (position === null) return null;
    const rect = viewport.getBoundingClientRect();
    const p = view.project(position);
    const x = rect.left + p.x;
    const y = rect.top + p.y;
    return x >= rect.left && x <= rect.right && y >= rect.top && y <= rect.bottom ? { x, y } : null;
  };

  view.addFrameHook((time) => {
    hook.framesRendered = view.framesRendered;
    if (!hook.ready && stateShownAtFrame !== null && view.framesRendered > stateShownAtFrame) hook.ready = true;
    return markers.animate(time);
  });

  onTheme = (t) => {
    const palette = paletteFor(t);
    view.setPalette(palette);
    model.setPalette(palette);
    markers.setPalette(palette);
    artefacts.setPalette(palette);
    setText(themeButton, t === 'dark' ? 'Light theme' : 'Dark theme');
    setQuantity(quantity);
    details.restyle();
  };
  onTheme(currentTheme());

  attachPointer(view, markers, () => model.floorMeshes(), (object, face) => model.zoneAt(object, face), {
    onPick: (hit) => select(hit),
    onHover: (hit, clientX, clientY) => {
      const sensor = hit?.type === 'sensor' ? ctx.sensorsById.get(hit.id) : undefined;
      if (sensor === undefined) {
        tooltip.hidden = true;
        return;
      }
      tooltip.replaceChildren(
        h('strong', { text: formatValue(store.sensors.get(sensor.id)?.value, sensor.kind, sensor.unit) }),
        h('span', { text: `${kindLabel(sensor.kind)} · ${sensor.id}` }),
      );
      const rect = viewport.getBoundingClientRect();
      tooltip.style.transform = `translate(${clientX - rect.left + 14}px, ${clientY - rect.top + 14}px)`;
      tooltip.hidden = false;
    },
    onLeave: () => {
      tooltip.hidden = true;
    },
  });
  window.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
    if (e.key === 'Escape') select(null);
    if (e.key === 'Home') view.home();
  });

  // Live feed. The REST state paints values immediately while the socket connects.
  const onConnection = (state: ConnectionState): void => {
    header.setConnection(state);
    // Values on screen are last known, not live, until the feed is back.
    root.dataset.connection = state;
    hook.connection = state;
  };
  const live = new LiveClient(venueId, {
    onState: (frame: StateFrame) => {
      if (frame.type === 'snapshot') header.showNotice(null);
      store.apply(frame);
    },
    onConnection,
    onServerTime: (t) => {
      store.noteServerTime(t);
      header.noteMessage();
      hook.lastFrameAt = Date.now();
    },
    onProtocolError: (code, message) => header.showNotice(`Server: ${message} (${code})`),
  });
  live.start();
  getState(venueId)
    .then((frame) => {
      // Only if the socket has not delivered its own snapshot meanwhile.
      if (store.lastFrameAt === 0) store.apply({ ...frame, type: 'snapshot' });
    })
    .catch(() => undefined);
  window.addEventListener('pagehide', () => live.stop());

  const tick = (): void => {
    header.tick();
    lists.tickAges();
    details.tick();
  };
  tick();
  window.setInterval(tick, 1000);
}
