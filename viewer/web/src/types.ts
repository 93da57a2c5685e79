/** Shapes of the backend's REST answers and WebSocket frames (protocol v1). */

export type SensorKind =
  | 'temperature'
  | 'humidity'
  | 'co2'
  | 'lux'
  | 'people_count'
  | 'people_tracker'
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
  /** Named storeys (IFC imports); absent: storeys are the zones' floor levels. */
  storeys?: StoreyDef[];
}

export interface StoreyDef {
  id: string;
  name: string;
  elevation?: number | null;
  zones: string[];
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
  /** From the analytics: Fruin level of service of the zone's density. */
  level_of_service?: LevelOfService | null;
}

export type Role = 'viewer' | 'operator' | 'engineer' | 'admin';

export interface LoginAnswer {
  token: string;
  username: string;
  role: Role;
  expires_at: number;
}

export interface HelloFrame {
  type: 'hello';
  v: number;
  server_time: number;
  username?: string;
  role?: Role;
}

export type Severity = 'info' | 'warning' | 'critical';
export type AlarmState = 'raised' | 'acknowledged' | 'cleared_unacknowledged' | 'cleared' | 'shelved';

export interface Alarm {
  id: string;
  venue: string;
  /** A sensor, zone or artefact id (or a rule subject the venue does not define). */
  source: string;
  kind: string;
  severity: Severity;
  state: AlarmState;
  /** English text; `message_key` and `message_params` render it in the page's language. */
  message: string;
  message_key?: string | null;
  message_params?: Record<string, string | number> | null;
  value: number | null;
  count: number;
  raised_at: number;
  updated_at: number;
  acknowledged_by: string | null;
  note: string | null;
  shelved_until: number | null;
  /** The condition is present now; a shelved alarm stays shelved after it clears. */
  active?: boolean;
  /**
   * One more on every change: of two copies the higher is newer. `updated_at`
   * cannot order them (a reading's time or the server's).
   */
  revision: number;
}

/** One change in an alarm's life, oldest first in a history. */
export interface AlarmTransition {
  ts: number;
  action: string;
  user: string | null;
  note: string | null;
  state: AlarmState;
}

export type CommandState =
  | 'pending_confirmation'
  | 'sent'
  | 'acknowledged'
  | 'failed'
  | 'timed_out'
  | 'rejected_by_operator'
  | 'expired';

export interface Command {
  id: string;
  venue: string;
  target: string;
  action: string;
  params: Record<string, unknown>;
  state: CommandState;
  /** What asked for it, e.g. `rule:corridor-crowding`. */
  origin: string;
  created_at: number;
  updated_at: number;
  expires_at: number | null;
  detail: string | null;
  confirmed_by: string | null;
}

export type LevelOfService = 'A' | 'B' | 'C' | 'D' | 'E' | 'F';

export interface ZoneAnalytics {
  occupancy?: number | null;
  density?: number | null;
  level_of_service?: LevelOfService | null;
  safety_band?: string | null;
  capacity?: number | null;
  capacity_ratio?: number | null;
  climate_class?: string | null;
  dew_point?: number | null;
  in_class_pct?: number | null;
  occupancy_sd?: number | null;
  inflow_per_s?: number | null;
  outflow_per_s?: number | null;
  dwell_s?: number | null;
  speed_m_s?: number | null;
  tracked_density?: number | null;
  voronoi_density?: number | null;
  tracker_offline?: boolean | null;
  tracked_positions?: [number, number][] | null;
}

export interface ArtefactAnalytics {
  dose_lxh?: number | null;
  budget_lxh?: number | null;
  dose_ratio?: number | null;
  exhausted_at?: number | null;
}

export interface Anomaly {
  sensor: string;
  kind: string;
  score: number;
  explanation: string;
  ts: number;
}

export interface Analytics {
  venue?: string;
  ts?: number | null;
  zones?: Record<string, ZoneAnalytics>;
  artefacts?: Record<string, ArtefactAnalytics>;
  anomalies?: Anomaly[];
}

export interface ReplaySession {
  id: string;
  venue: string;
  start: number;
  end: number;
  /** Replay position, epoch seconds. */
  t: number;
  speed: number;
  playing: boolean;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface AlarmFrame {
  type: 'alarm';
  alarm: Alarm;
}

export interface CommandFrame {
  type: 'command';
  command: Command;
}

export interface StateFrame {
  type: 'snapshot' | 'delta';
  v: number;
  venue: string;
  server_time: number;
  sensors?: Record<string, Partial<SensorState>>;
  zones?: Record<string, ZoneState>;
  /** Snapshot only: open alarms and pending/sent commands of the venue. */
  alarms?: Alarm[];
  commands?: Command[];
  /** Full analytics in a snapshot, changed parts in a delta. */
  analytics?: Analytics | null;
  /** The replay session watched, or null when live. */
  replay?: ReplaySession | null;
  /** Live only: the clock the venue is judged on (``data`` while a catch-up replays the past). */
  clock?: ClockInfo;
}

export interface ClockInfo {
  mode: 'wall' | 'data';
  /** Seconds the data runs behind the wall clock. */
  lag_s: number;
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

export type ServerFrame = HelloFrame | StateFrame | HeartbeatFrame | ErrorFrame | AlarmFrame | CommandFrame;

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
