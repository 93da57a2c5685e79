/** REST client for the viewer backend (contract v1). All URLs are same-origin. */

import { accessToken, signalUnauthorized } from './auth';
import type {
  Alarm,
  AlarmTransition,
  Analytics,
  Command,
  HistoryAnswer,
  LoginAnswer,
  Page,
  ReplaySession,
  StateFrame,
  VenueDef,
  VenueSummary,
} from './types';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function headers(body: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  const token = accessToken();
  if (token !== null) out.Authorization = `Bearer ${token}`;
  if (body) out['Content-Type'] = 'application/json';
  return out;
}

/** The server's `{"detail": ...}`, or the status line when there is none. */
async function errorMessage(path: string, response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { detail?: unknown };
    if (typeof body.detail === 'string') return body.detail;
  } catch {
    // Not JSON.
  }
  return `${path} answered ${response.status} ${response.statusText}`;
}

interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal | undefined;
  /** Login itself answers 401 for a wrong password: that is not "signed out". */
  anonymous?: boolean;
}

async function request(path: string, options: RequestOptions = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers: options.anonymous ? { 'Content-Type': 'application/json' } : headers(options.body !== undefined),
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal: options.signal ?? null,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(`cannot reach the server (${path})`, null);
  }
  if (!response.ok) {
    const message = await errorMessage(path, response);
    // A refused token anywhere sends the operator back to the login screen.
    if (response.status === 401 && !options.anonymous) signalUnauthorized();
    throw new ApiError(message, response.status);
  }
  return response;
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await request(path, { signal })).json()) as T;
}

async function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  return (await (await request(path, { method: 'POST', body })).json()) as T;
}

const enc = encodeURIComponent;

export async function login(username: string, password: string): Promise<LoginAnswer> {
  const response = await request('/api/auth/login', { method: 'POST', body: { username, password }, anonymous: true });
  return (await response.json()) as LoginAnswer;
}

export function listVenues(): Promise<VenueSummary[]> {
  return getJson<VenueSummary[]>('/api/venues');
}

export function getVenue(venue: string): Promise<VenueDef> {
  return getJson<VenueDef>(`/api/venues/${enc(venue)}`);
}

export function getState(venue: string): Promise<StateFrame> {
  return getJson<StateFrame>(`/api/venues/${enc(venue)}/state`);
}

export function getAnalytics(venue: string): Promise<Analytics> {
  return getJson<Analytics>(`/api/venues/${enc(venue)}/analytics`);
}

/** The venue mesh; without ``lod`` the server picks the finest level a browser draws smoothly. */
export async function getMesh(venue: string, lod: number | null = null): Promise<ArrayBuffer> {
  const query = lod === null ? '' : `?lod=${lod}`;
  return (await request(`/api/venues/${enc(venue)}/mesh.glb${query}`)).arrayBuffer();
}

export function getHistory(
  venue: string,
  sensor: string,
  start: number,
  end: number,
  bucketS: number | null,
  signal?: AbortSignal,
): Promise<HistoryAnswer> {
  const query = new URLSearchParams({ start: start.toFixed(0), end: end.toFixed(0) });
  if (bucketS !== null) query.set('bucket', String(bucketS));
  return getJson<HistoryAnswer>(`/api/venues/${enc(venue)}/sensors/${enc(sensor)}/history?${query.toString()}`, signal);
}

export function listAlarms(venue: string, limit = 200): Promise<Page<Alarm>> {
  return getJson<Page<Alarm>>(`/api/alarms?venue=${enc(venue)}&state=open&limit=${limit}`);
}

/** Recent alarms of a venue in every state, cleared ones included. */
export function listAlarmLog(venue: string, limit = 100): Promise<Page<Alarm>> {
  return getJson<Page<Alarm>>(`/api/alarms?venue=${enc(venue)}&state=all&order=recent&limit=${limit}`);
}

export async function alarmHistory(id: string): Promise<AlarmTransition[]> {
  return (await getJson<{ items: AlarmTransition[] }>(`/api/alarms/${enc(id)}/history`)).items;
}

export function acknowledgeAlarm(id: string, note: string | null): Promise<Alarm> {
  return postJson<Alarm>(`/api/alarms/${enc(id)}/acknowledge`, note ? { note } : {});
}

export function shelveAlarm(id: string, durationS: number, note: string | null): Promise<Alarm> {
  return postJson<Alarm>(`/api/alarms/${enc(id)}/shelve`, note ? { duration_s: durationS, note } : { duration_s: durationS });
}

export function unshelveAlarm(id: string): Promise<Alarm> {
  return postJson<Alarm>(`/api/alarms/${enc(id)}/unshelve`);
}

export function listCommands(venue: string, limit = 50): Promise<Page<Command>> {
  return getJson<Page<Command>>(`/api/commands?venue=${enc(venue)}&limit=${limit}`);
}

export function confirmCommand(id: string): Promise<Command> {
  return postJson<Command>(`/api/commands/${enc(id)}/confirm`);
}

export function rejectCommand(id: string, note: string | null): Promise<Command> {
  return postJson<Command>(`/api/commands/${enc(id)}/reject`, note ? { note } : {});
}

export async function createReplay(venue: string, start: number, end: number, speed: number): Promise<ReplaySession> {
  return postJson<ReplaySession>('/api/replay', { venue, start, end, speed });
}

export type ReplayControl =
  | { action: 'play' }
  | { action: 'pause' }
  | { action: 'seek'; t: number }
  | { action: 'speed'; speed: number };

export function controlReplay(id: string, control: ReplayControl): Promise<ReplaySession> {
  return postJson<ReplaySession>(`/api/replay/${enc(id)}/control`, control);
}

export async function deleteReplay(id: string): Promise<void> {
  await request(`/api/replay/${enc(id)}`, { method: 'DELETE' });
}

/** Sensors that report but have no place in the venue yet (engineers place them). */
export interface UnplacedSensor {
  sensor: string;
  value: number | null;
  ts: number | null;
}

export interface PlacementAnswer {
  sensor: string;
  zone: string;
  position: [number, number, number];
  kind: string;
  venue_file: string;
}

/** Radio and battery facts a payload adapter keeps for a sensor's device. */
export interface DeviceHealth {
  sensor: string;
  rssi_dbm: number | null;
  snr_db: number | null;
  gateway: string | null;
  link_quality: number | null;
  battery: number | null;
  weak_signal: boolean;
  low_battery: boolean;
}

export function listDeviceHealth(venue: string): Promise<DeviceHealth[]> {
  return getJson<DeviceHealth[]>(`/api/venues/${enc(venue)}/device-health`);
}

export function listUnplaced(venue: string): Promise<UnplacedSensor[]> {
  return getJson<UnplacedSensor[]>(`/api/venues/${enc(venue)}/unplaced`);
}

export async function placeSensor(
  venue: string,
  sensor: string,
  body: { position: [number, number, number]; kind?: string },
): Promise<PlacementAnswer> {
  const path = `/api/venues/${enc(venue)}/sensors/${enc(sensor)}/placement`;
  return (await (await request(path, { method: 'PUT', body })).json()) as PlacementAnswer;
}
