/** REST client for the viewer backend. All URLs are same-origin. */

import { accessToken } from './auth';
import type { HistoryAnswer, StateFrame, VenueDef, VenueSummary } from './types';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function authHeaders(): HeadersInit {
  const token = accessToken();
  return token === null ? {} : { Authorization: `Bearer ${token}` };
}

async function request(path: string, signal?: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, { headers: authHeaders(), signal: signal ?? null });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(`cannot reach the server (${path})`, null);
  }
  if (!response.ok) {
    throw new ApiError(`${path} answered ${response.status} ${response.statusText}`, response.status);
  }
  return response;
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await request(path, signal)).json()) as T;
}

const enc = encodeURIComponent;

export function listVenues(): Promise<VenueSummary[]> {
  return getJson<VenueSummary[]>('/api/venues');
}

export function getVenue(venue: string): Promise<VenueDef> {
  return getJson<VenueDef>(`/api/venues/${enc(venue)}`);
}

export function getState(venue: string): Promise<StateFrame> {
  return getJson<StateFrame>(`/api/venues/${enc(venue)}/state`);
}

export async function getMesh(venue: string, lod = 0): Promise<ArrayBuffer> {
  const query = lod > 0 ? `?lod=${lod}` : '';
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
  return getJson<HistoryAnswer>(
    `/api/venues/${enc(venue)}/sensors/${enc(sensor)}/history?${query.toString()}`,
    signal,
  );
}
