/**
 * The page's composition root: load the venue, build the scene and panel,
 * connect the live feed and route state changes to whatever shows them.
 */

import type { Vector3 } from 'three';
import { t, t as msg } from './i18n';
import { getAnalytics, getMesh, getState, getVenue, listVenues } from './api';
import { clearSession, roleAtLeast, type Session } from './auth';
import { type Selection, ViewContext } from './context';
import { dateTimeFormatter, formatValue, kindLabel } from './format';
import { Colouring } from './colouring';
import { chooseVenue, meshLod, parseMesh } from './loading';
import { Incidents } from './incidents';
import { type ConnectionState, LiveClient } from './live/client';
import { LiveStore, type StateChange } from './live/store';
import { QUANTITIES, type Quantity } from './scales';
import { labelAnchor } from './scene/anchors';
import { venueToWorld } from './scene/coords';
import { ArtefactMarkers } from './scene/artefacts';
import { TrackedPeople } from './scene/trackedPeople';
import { SensorMarkers } from './scene/markers';
import { attachPointer } from './scene/pointer';
import { DARK, LIGHT, type ScenePalette } from './scene/palette';
import { STOREY_TEXT, StoreyPlan } from './scene/storeys';
import { VenueModel } from './scene/venueModel';
import { VenueView } from './scene/view';
import type { VenueTwinHook } from './testHook';
import type { StateFrame } from './types';
import { DetailsPane } from './ui/details';
import { h, setText } from './ui/dom';
import { Header } from './ui/header';
import { Legend } from './ui/legend';
import { AlarmLog } from './ui/alarmLog';
import { Lists } from './ui/lists';
import { ReplayBar } from './ui/replay';
import { PlacementPanel } from './ui/placement';
import { currentTheme, initTheme, type Theme } from './ui/theme';

function paletteFor(theme: Theme): ScenePalette {
  return theme === 'dark' ? DARK : LIGHT;
}

export async function startApp(root: HTMLElement, hook: VenueTwinHook, session: Session): Promise<void> {
  const canAct = roleAtLeast(session.role, 'operator');
  const canReplay = roleAtLeast(session.role, 'engineer');
  root.dataset.role = session.role;
  const viewport = h('main', { class: 'viewport', 'data-testid': 'viewport' });
  const loading = h('div', { class: 'loading', role: 'status', text: t('app.loadingVenue') });
  viewport.append(loading);
  const panel = h('aside', { class: 'panel', 'aria-label': t('app.venueStatus') });
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
  const plan = new StoreyPlan(venue);
  const model = new VenueModel(venue, gltfRoot, paletteFor(currentTheme()), plan);
  const bounds = model.bounds();
  // A venue without zone geometry (sensors only, or an empty file) still gets a sensible frame.
  for (const sensor of venue.sensors) bounds.expandByPoint(venueToWorld(...sensor.position));
  if (bounds.isEmpty()) bounds.setFromPoints([venueToWorld(-10, -10, 0), venueToWorld(10, 10, 3)]);
  const extent = Math.max(bounds.max.x - bounds.min.x, bounds.max.z - bounds.min.z);
  const markerRadius = Math.min(2, Math.max(0.35, extent / 100));
  const markers = new SensorMarkers(venue.sensors, ctx.zonesById, paletteFor(currentTheme()), markerRadius, (z) => plan.keyOf(z));
  const artefacts = new ArtefactMarkers(venue.artefacts ?? [], paletteFor(currentTheme()), markerRadius * 0.8);
  view.add(model.group);
  view.add(markers.group);
  view.add(artefacts.group);
  // Where people trackers see people: dots on the floor (scene/trackedPeople.ts).
  const trackedPeople = new TrackedPeople(venue.zones);
  view.add(trackedPeople.group);
  view.fit(bounds);
  loading.remove();


  // Zone labels float over each floor with the zone's value.
  const zoneLabelValues = new Map<string, HTMLElement>();
  const colouring = new Colouring(ctx, model, markers, zoneLabelValues, hook);
  for (const zone of venue.zones) {
    const [cx, cy] = labelAnchor(zone);
    const value = h('span', { class: 'zone-label-value' });
    const label = h('button', { class: 'zone-label', type: 'button', 'data-testid': `zone-label-${zone.id}` }, h('span', { class: 'zone-label-name', text: zone.name }), value);
    label.addEventListener('click', () => select({ type: 'zone', id: zone.id }));
    view.labels.set(zone.id, venueToWorld(cx, cy, (zone.level ?? 0) + 0.1), label);
    zoneLabelValues.set(zone.id, value);
  }

  const logout = (): void => {
    live.stop();
    clearSession();
    window.location.reload();
  };
  const header = new Header(venue.name, venue.timezone ?? null, venues, venueId, session, logout);
  const legend = new Legend();
  const details = new DetailsPane(ctx, (s) => select(s));
  let urgentSensors = 0;
  let openAlarms = 0;
  const retitle = (): void => {
    const urgent = Math.max(urgentSensors, openAlarms);
    document.title = `${urgent > 0 ? `(${urgent}) ` : ''}${venue.name} · venue-twin`;
  };
  const incidents = new Incidents({
    ctx,
    canAct,
    labels: view.labels,
    hook,
    pointOf: (source) => sourcePoint(source),
    zoneLabel: (zoneId) => (ctx.zonesById.has(zoneId) ? view.labels.get(zoneId) : undefined),
    focusSource: (source) => focusSource(source),
    onCount: (n) => {
      openAlarms = n;
      retitle();
    },
  });
  const logClock = dateTimeFormatter(venue.timezone);
  const alarmLog = new AlarmLog({
    venue: venueId,
    describeSource: (source) => incidents.describe(source),
    formatTime: (ts) => logClock.format(new Date(ts * 1000)),
    timezone: venue.timezone ?? null,
  });
  incidents.alarms.subscribe(() => alarmLog.invalidate());
  const lists = new Lists(ctx, (s) => select(s), alarmLog, plan.storeys.length > 1 ? plan.storeys : null);
  panel.append(header.root, incidents.commandsPanel.root, incidents.alarmsPanel.root, legend.root, details.root, lists.root);

  // Toolbar over the viewport: what to colour by, and view controls.
  const quantityButtons = new Map<Quantity, HTMLButtonElement>();
  const segmented = h('div', { class: 'segmented', role: 'radiogroup', 'aria-label': t('app.colourBy') });
  for (const q of QUANTITIES) {
    const button = h('button', { type: 'button', role: 'radio', class: 'segment', 'data-testid': `quantity-${q.id}`, text: q.label });
    button.addEventListener('click', () => setQuantity(q.id));
    quantityButtons.set(q.id, button);
    segmented.append(button);
  }
  const homeButton = h('button', { type: 'button', class: 'tool-button', title: t('app.resetViewTitle'), 'data-testid': 'reset-view', text: t('app.resetView') });
  homeButton.addEventListener('click', () => view.home());
  const themeButton = h('button', { type: 'button', class: 'tool-button', 'data-testid': 'theme-toggle', 'aria-label': t('app.themeToggle') });

  // Storeys: on a multi-storey venue upper floors hide lower ones, so the
  // operator can show one storey at a time, or pull the stack apart.
  const levels = plan.storeys.map((st) => st.key);
  const storeyButtons = new Map<number | null | 'exploded', HTMLButtonElement>();
  let currentLevel: number | null = null;
  let exploded = false;
  const storeys = h('div', { class: 'segmented', role: 'radiogroup', 'aria-label': t('app.storey'), 'data-testid': 'storeys' });
  const zoneVisibleAt = (level: number | null) => (zoneId: string | null): boolean =>
    level === null || (zoneId !== null && plan.keyOf(zoneId) === level);
  const placeLabels = (offsets: Map<number, number> | null): void => {
    for (const zone of venue.zones) {
      const [cx, cy] = labelAnchor(zone);
      const element = zoneLabelValues.get(zone.id)?.parentElement;
      const anchor = venueToWorld(cx, cy, (zone.level ?? 0) + 0.1);
      anchor.y += offsets?.get(plan.keyOf(zone.id)) ?? 0;
      if (element) view.labels.set(zone.id, anchor, element);
    }
  };
  const setLevel = (level: number | null, explode = false): void => {
    const offsets = explode ? plan.offsets(Math.max(4, extent * 0.25)) : null;
    if (explode !== exploded) {
      model.explode(offsets);
      markers.lift(offsets);
      placeLabels(offsets);
      exploded = explode;
    }
    model.setLevel(level);
    markers.setLevel(level);
    const zoneVisible = zoneVisibleAt(level);
    artefacts.filter(zoneVisible);
    trackedPeople.filter(zoneVisible);
    for (const zone of venue.zones) view.labels.setHidden(zone.id, !zoneVisible(zone.id));
    incidents.setStoreyFilter((source) => zoneVisible(sourceZone(source)));
    currentLevel = level;
    for (const [key, button] of storeyButtons) button.setAttribute('aria-checked', String(explode ? key === 'exploded' : key === level));
    hook.storey = explode ? 'exploded' : level === null ? 'all' : (plan.storeys.find((st) => st.key === level)?.name ?? null);
    if (explode) view.fit(model.bounds());
    view.requestRender();
  };
  if (levels.length > 1) {
    const choices: [number | null | 'exploded', string, string, string][] = [
      [null, STOREY_TEXT.all, STOREY_TEXT.allTitle, 'all'],
      ...plan.storeys.map((st, i): [number, string, string, string] => [st.key, st.name, `${st.name}: ${st.key.toFixed(2)} m`, String(i)]),
      ['exploded', STOREY_TEXT.exploded, STOREY_TEXT.explodedTitle, 'exploded'],
    ];
    for (const [key, label, title, testid] of choices) {
      const button = h('button', { type: 'button', role: 'radio', class: 'segment', 'data-testid': `storey-${testid}`, title, text: label });
      button.addEventListener('click', () => (key === 'exploded' ? setLevel(null, true) : setLevel(key, false)));
      storeyButtons.set(key, button);
      storeys.append(button);
    }
    setLevel(null);
  }
  themeButton.addEventListener('click', () => theme.toggle());
  const tooltip = h('div', { class: 'tooltip', role: 'tooltip', hidden: true });
  // Replay (engineers): the time slider docks under the view, the banner over it.
  const replay = canReplay
    ? new ReplayBar({
        venue: venueId,
        timezone: venue.timezone ?? null,
        now: () => store.serverNow(),
        enter: (s) => {
          incidents.resync(true);
          root.dataset.mode = 'replay';
          header.setReplay(true);
          hook.replay = { id: s.id, t: s.t, playing: s.playing, speed: s.speed };
          live.watch(s.id);
        },
        exit: () => {
          incidents.resync(false);
          root.dataset.mode = 'live';
          header.setReplay(false);
          hook.replay = null;
          live.watch(null);
        },
      })
    : null;
  root.dataset.mode = 'live';
  viewport.append(
    h('div', { class: 'toolbar' }, h('div', { class: 'toolbar-start' }, segmented, levels.length > 1 ? storeys : null), h('div', { class: 'toolbar-end' }, homeButton, themeButton)),
    h('div', { class: 'overlay-top' }, replay?.banner ?? null, incidents.cue),
    tooltip,
  );
  if (replay !== null) viewport.append(h('div', { class: 'replay-dock' }, replay.root));

  /** The zone a sensor, zone or artefact id belongs to. */
  function sourceZone(source: string): string | null {
    if (ctx.zonesById.has(source)) return source;
    const sensor = ctx.sensorsById.get(source);
    if (sensor !== undefined) return sensor.zone;
    return (venue.artefacts ?? []).find((a) => a.id === source)?.zone ?? null;
  }

  /** Scene position of a sensor or artefact (alarm badges); null for zones and unknown ids. */
  function sourcePoint(source: string): Vector3 | null {
    const sensor = ctx.sensorsById.get(source);
    if (sensor !== undefined) return venueToWorld(...sensor.position);
    const artefact = (venue.artefacts ?? []).find((a) => a.id === source);
    return artefact === undefined ? null : venueToWorld(...artefact.position);
  }

  /** Show an alarm's source: select it and glide the camera to it. */
  function focusSource(source: string): boolean {
    const zoneId = sourceZone(source);
    const zone = zoneId === null ? undefined : ctx.zonesById.get(zoneId);
    // A source on a storey not shown: show every storey again.
    if (currentLevel !== null && zone !== undefined && plan.keyOf(zone.id) !== currentLevel) setLevel(null, exploded);
    const point = sourcePoint(source) ?? (zone === undefined ? null : venueToWorld(...labelAnchor(zone), zone.level ?? 0));
    if (point === null) return false;
    select(ctx.sensorsById.has(source) ? { type: 'sensor', id: source } : zoneId !== null ? { type: 'zone', id: zoneId } : null);
    view.focus(point, Math.max(12, extent * 0.45));
    return true;
  }

  function setQuantity(q: Quantity): void {
    colouring.setQuantity(q);
    for (const [id, button] of quantityButtons) button.setAttribute('aria-checked', String(id === q));
    legend.show(colouring.scale);
    lists.setQuantity(q, colouring.scale);
    view.labels.remeasure();
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
    if (colouring.refreshOccupancyScale()) setQuantity(colouring.quantity);
    for (const id of sensorIds) colouring.sensor(id);
    for (const id of zoneIds) colouring.zone(id);
    for (const id of zoneIds) {
      trackedPeople.update(id, store.zoneAnalytics.get(id)?.tracked_positions);
      hook.trackedPeople[id] = trackedPeople.count(id);
    }
    lists.updateSensors(sensorIds);
    lists.updateZones(zoneIds);
    details.update();
    hook.sensorValues = store.sensorValues();
    urgentSensors = lists.count('alarm') + lists.count('warn');
    retitle();
    if (replay !== null && store.replay !== null) {
      replay.update(store.replay);
      if (hook.replay !== null) hook.replay = { id: store.replay.id, t: store.replay.t, playing: store.replay.playing, speed: store.replay.speed };
    }
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
  hook.venueScreenPosition = (x, y, z) => {
    const rect = viewport.getBoundingClientRect();
    const p = view.project(venueToWorld(x, y, z));
    const px = rect.left + p.x;
    const py = rect.top + p.y;
    return px >= rect.left && px <= rect.right && py >= rect.top && py <= rect.bottom ? { x: px, y: py } : null;
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
    setText(themeButton, t === 'dark' ? msg('app.lightTheme') : msg('app.darkTheme'));
    setQuantity(colouring.quantity);
    details.restyle();
  };
  onTheme(currentTheme());

  // Engineers place unplaced sensors by clicking the floor (ui/placement.ts).
  if (canReplay) panel.append(new PlacementPanel(venue.id, view, () => model.floorMeshes()).root);
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
      if (frame.type === 'snapshot') {
        header.showNotice(null);
        if (frame.alarms !== undefined) incidents.alarms.replace(frame.alarms);
        if (frame.commands !== undefined) incidents.commands.merge(frame.commands);
      }
      store.apply(frame);
    },
    onAlarm: (alarm) => incidents.alarms.upsert(alarm),
    onCommand: (command) => incidents.commands.upsert(command),
    onConnection,
    onServerTime: (t) => {
      store.noteServerTime(t);
      header.noteMessage();
      hook.lastFrameAt = Date.now();
    },
    onProtocolError: (code, message) => header.showNotice(t('app.serverNotice', { message, code })),
  });
  live.start();
  getState(venueId)
    .then((frame) => {
      // Only if the socket has not delivered its own snapshot meanwhile.
      if (store.lastFrameAt === 0) store.apply({ ...frame, type: 'snapshot' });
    })
    .catch(() => undefined);
  getAnalytics(venueId)
    .then((a) => store.applyAnalytics(a.zones ?? {}, a.artefacts ?? {}))
    .catch(() => undefined); // the snapshot brings them too
  incidents.loadRecentCommands();
  window.addEventListener('pagehide', () => live.stop());

  const tick = (): void => {
    header.tick(store.replay === null ? store.clock : undefined, store.serverNow());
    lists.tickAges();
    details.tick();
    incidents.tick();
  };
  tick();
  window.setInterval(tick, 1000);
}
