/** Shapes of the backend's REST answers and WebSocket frames (protocol v1). */

export type SensorKind =
  | 'temperature'
  | 'humidity'
  | 'co2'
  | 'lux'
  | 'people_count'
  | 'gate_counter'
  | 'vibration'
  | 'uv';

export type SensorStatus = 'ok' | 'warn' | 'alarm' | 'stale' | 'offline' | 'unknown';

export interface Thresholds {
  low?: number | null;
  warn_low?: number | null;
  warn_high?: number | null;
  high?: number | null;
  physical_min?: number | null;
  physical_max?: number | null;
}

export interface ZoneDef {
  id: string;
  name: string;
  /** Floor polygon, (x, y) in venue metres, Z up. */
  floor: [number, number][];
  level?: number | null;
  height?: number | null;
  outdoor?: boolean;
  area_m2?: number | null;
}

export interface GateDef {
  id: string;
  name: string;
  from_zone: string | null;
  to_zone: string | null;
  position: [number, number];
  width_m?: number | null;
}

export interface SensorDef {
  id: string;
  kind: SensorKind | string;
  unit: string;
  zone: string | null;
  position: [number, number, number];
  interval_s?: number | null;
  thresholds?: Thresholds | null;
}

export interface VenueSummary {
  id: string;
  name: string;
}

export interface VenueDef {
  id: string;
  name: string;
  timezone?: string | null;
  frame?: { units?: string; up_axis?: string } | null;
  zones: ZoneDef[];
  gates: GateDef[];
  sensors: SensorDef[];
  artefacts?: ArtefactDef[];
}

export interface ArtefactDef {
  id: string;
  name: string;
  zone?: string | null;
  position: [number, number, number];
  light_sensitivity?: string | null;
  sensors?: string[];
}

export interface SensorState {
  value: number | null;
  ts: number | null;
  status: SensorStatus;
}

export interface ZoneState {
  occupancy?: number | null;
  density?: number | null;
  temperature?: number | null;
  humidity?: number | null;
  co2?: number | null;
  lux?: number | null;
}

export interface HelloFrame {
  type: 'hello';
  v: number;
  server_time: number;
}

export interface StateFrame {
  type: 'snapshot' | 'delta';
  v: number;
  venue: string;
  server_time: number;
  sensors?: Record<string, Partial<SensorState>>;
  zones?: Record<string, ZoneState>;
}

export interface HeartbeatFrame {
  type: 'heartbeat';
  server_time: number;
}

export interface ErrorFrame {
  type: 'error';
  code: string;
  message: string;
}

export type ServerFrame = HelloFrame | StateFrame | HeartbeatFrame | ErrorFrame;

export interface HistoryPoint {
  ts: number;
  value: number;
}

export interface HistoryBucket {
  ts: number;
  min: number;
  max: number;
  mean: number;
  count: number;
}

export interface HistoryAnswer {
  sensor: string;
  unit: string;
  bucket_s: number | null;
  points?: HistoryPoint[];
  buckets?: HistoryBucket[];
}
