/**
 * The live WebSocket connection: subscribe, parse frames, reconnect.
 *
 * Reconnects with capped exponential backoff and full jitter so a server
 * restart is not met by every wall display at the same instant. A connection
 * that stays silent for longer than two heartbeats is treated as dead: proxies
 * and sleeping laptops can leave a socket open that no longer delivers.
 */

import { accessToken, signalUnauthorized } from '../auth';
import type { Alarm, Command, HelloFrame, ServerFrame, StateFrame } from '../types';
import { CompactDecoder, type CompactFrame, isCompact } from './compact';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface LiveHandlers {
  onState(frame: StateFrame): void;
  onConnection(state: ConnectionState): void;
  /** Any frame, including heartbeats: keeps the clock offset fresh. */
  onServerTime(serverTime: number): void;
  onProtocolError(code: string, message: string): void;
  onAlarm?(alarm: Alarm): void;
  onCommand?(command: Command): void;
  onHello?(hello: HelloFrame): void;
}

/** Close code (and error code) of a socket whose token the server refused. */
export const UNAUTHORIZED_CLOSE = 4401;

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  /** After this long without a connection the indicator says offline. */
  offlineAfterMs: number;
  /** No frame at all for this long closes the socket (heartbeats come every 10 s). */
  silenceMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  baseMs: 500,
  capMs: 15_000,
  offlineAfterMs: 30_000,
  silenceMs: 25_000,
};

/** Delay before reconnect attempt `attempt` (0-based): full jitter in [cap/2, cap]. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 16));
  return ceiling / 2 + random() * (ceiling / 2);
}

/** The socket URL: never carries the token (URLs end up in logs); it goes in the first frame. */
export function liveUrl(location: Location): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

/**
 * The frames a fresh socket sends, in order: auth first, then the subscription,
 * which asks for the compact format (docs/websocket.md, version 2).
 */
export function openingFrames(token: string | null, venue: string, replay: string | null): string[] {
  const subscribe: Record<string, string> = { type: 'subscribe', venue, format: 'compact' };
  if (replay !== null) subscribe.replay = replay;
  return [JSON.stringify({ type: 'auth', token: token ?? '' }), JSON.stringify(subscribe)];
}

/** A server frame; compact snapshots and deltas come back in the version 1 shape. */
export function parseFrame(data: unknown, compact: CompactDecoder): ServerFrame | null {
  if (typeof data !== 'string') return null;
  try {
    const frame = JSON.parse(data) as unknown;
    if (typeof frame === 'object' && frame !== null && typeof (frame as { type?: unknown }).type === 'string') {
      if (isCompact(frame as { v?: unknown; type?: unknown })) return compact.decode(frame as CompactFrame);
      return frame as ServerFrame;
    }
  } catch {
    // Fall through: a malformed frame is dropped, not fatal.
  }
  return null;
}

export class LiveClient {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: number | null = null;
  private silenceTimer: number | null = null;
  private pingTimer: number | null = null;
  private lostAt: number | null = null;
  private state: ConnectionState = 'connecting';
  private stopped = false;
  private replay: string | null = null;
  private compact = new CompactDecoder();

  constructor(
    private readonly venue: string,
    private readonly handlers: LiveHandlers,
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
  ) {}

  start(): void {
    this.stopped = false;
    window.addEventListener('online', this.onBrowserOnline);
    this.open();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.onBrowserOnline);
    this.clearTimers();
    this.socket?.close(1000, 'client stopped');
    this.socket = null;
  }

  get connection(): ConnectionState {
    return this.state;
  }

  /** Watch a replay session (its id) or, with null, the live venue. Re-subscribing switches. */
  watch(replay: string | null): void {
    this.replay = replay;
    const socket = this.socket;
    if (socket !== null && socket.readyState === WebSocket.OPEN) {
      const subscribe = openingFrames(null, this.venue, replay)[1] as string;
      socket.send(subscribe);
    }
  }

  private readonly onBrowserOnline = (): void => {
    // The network is back: retry now rather than waiting out the backoff.
    if (this.socket === null && !this.stopped) {
      this.attempt = 0;
      this.open();
    }
  };

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    this.handlers.onConnection(state);
  }

  private open(): void {
    if (this.retryTimer !== null) {
      window.clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    let socket: WebSocket;
    try {
      socket = new WebSocket(liveUrl(window.location));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.compact = new CompactDecoder(); // index tables belong to one connection
    socket.onopen = () => {
      for (const frame of openingFrames(accessToken(), this.venue, this.replay)) socket.send(frame);
      this.armSilenceTimer();
      this.pingTimer = window.setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'ping' }));
      }, 15_000);
    };
    socket.onmessage = (event: MessageEvent) => this.onMessage(event.data);
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      if (event.code === UNAUTHORIZED_CLOSE) {
        // Retrying with the same token cannot help: back to the login screen.
        this.stopped = true;
        signalUnauthorized();
        return;
      }
      if (!this.stopped) this.scheduleReconnect();
    };
    // onerror is always followed by onclose, which does the work.
    socket.onerror = () => undefined;
  }

  private onMessage(data: unknown): void {
    const frame = parseFrame(data, this.compact);
    if (frame === null) return;
    this.armSilenceTimer();
    if ('server_time' in frame && typeof frame.server_time === 'number') {
      this.handlers.onServerTime(frame.server_time);
    }
    switch (frame.type) {
      case 'snapshot':
        // Live only once state has arrived: a connection that accepts but never
        // answers the subscription is not live.
        this.attempt = 0;
        this.lostAt = null;
        this.handlers.onState(frame);
        this.setState('live');
        break;
      case 'delta':
        this.handlers.onState(frame);
        break;
      case 'error':
        if (frame.code === 'unauthorized') {
          this.stopped = true;
          this.socket?.close(1000, 'unauthorized');
          this.socket = null;
          this.clearTimers();
          signalUnauthorized();
          return;
        }
        this.handlers.onProtocolError(frame.code, frame.message);
        break;
      case 'hello':
        this.handlers.onHello?.(frame);
        break;
      case 'alarm':
        this.handlers.onAlarm?.(frame.alarm);
        break;
      case 'command':
        this.handlers.onCommand?.(frame.command);
        break;
      default:
        break;
    }
  }

  private armSilenceTimer(): void {
    if (this.silenceTimer !== null) window.clearTimeout(this.silenceTimer);
    this.silenceTimer = window.setTimeout(() => {
      this.socket?.close(4000, 'no frames');
    }, this.policy.silenceMs);
  }

  private clearTimers(): void {
    for (const timer of [this.silenceTimer, this.retryTimer]) {
      if (timer !== null) window.clearTimeout(timer);
    }
    if (this.pingTimer !== null) window.clearInterval(this.pingTimer);
    this.silenceTimer = this.retryTimer = this.pingTimer = null;
  }

  private scheduleReconnect(): void {
    const now = Date.now();
    this.lostAt ??= now;
    const offline = !navigator.onLine || now - this.lostAt >= this.policy.offlineAfterMs;
    this.setState(offline ? 'offline' : 'reconnecting');
    const delay = backoffDelay(this.attempt, this.policy);
    this.attempt += 1;
    this.retryTimer = window.setTimeout(() => this.open(), delay);
  }
}
