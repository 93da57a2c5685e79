/**
 * `window.__venueTwin`: a small, stable read-only surface for end-to-end
 * tests and kiosk health checks, so they wait on facts instead of sleeping.
 */

import type { ConnectionState } from './live/client';
import type { Role } from './types';

export interface VenueTwinHook {
  /** Venue, mesh and a first state are loaded and a frame showing them has been drawn. */
  ready: boolean;
  /** Date.now() (ms) when the last WebSocket frame arrived; 0 before the first. */
  lastFrameAt: number;
  /** Latest numeric value per sensor id. */
  sensorValues: Record<string, number>;
  connection: ConnectionState;
  venue: string | null;
  /** WebGL frames drawn so far. */
  framesRendered: number;
  /** Fatal start-up error, if any. */
  error: string | null;
  /** Page coordinates (CSS px) of a sensor marker, for clicking it; null if unknown or off screen. */
  sensorScreenPosition(id: string): { x: number; y: number } | null;
  /** Page coordinates (CSS px) of a venue point (metres, Z up); null if off screen. */
  venueScreenPosition(x: number, y: number, z: number): { x: number; y: number } | null;
  /** The signed-in user, null on the login screen. */
  user: { username: string; role: Role } | null;
  /** Ids of the open alarms shown in the panel, in display order. */
  alarmIds: string[];
  /** The quantity the floors show and whether they show the GPU sensor field. */
  floorField: { quantity: string; interpolated: boolean; sensors: number };
  /** Replay session watched, or null when live. */
  replay: { id: string; t: number; playing: boolean; speed: number } | null;
  /** Storey shown: its name, 'all' or 'exploded'; null on a single-storey venue. */
  storey: string | null;
  /** People drawn per zone from its trackers' positions. */
  trackedPeople: Record<string, number>;
}

declare global {
  interface Window {
    __venueTwin: VenueTwinHook;
  }
}

export function installHook(): VenueTwinHook {
  const hook: VenueTwinHook = {
    ready: false,
    lastFrameAt: 0,
    sensorValues: {},
    connection: 'connecting',
    venue: null,
    framesRendered: 0,
    error: null,
    sensorScreenPosition: () => null,
    venueScreenPosition: () => null,
    user: null,
    alarmIds: [],
    floorField: { quantity: 'temperature', interpolated: false, sensors: 0 },
    replay: null,
    storey: null,
    trackedPeople: {},
  };
  window.__venueTwin = hook;
  return hook;
}
