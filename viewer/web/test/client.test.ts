import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, liveUrl, openingFrames } from '../src/live/client';

describe('reconnect backoff', () => {
  it('doubles from the base, stays within [half, all] of the step and caps', () => {
    const low = (n: number): number => backoffDelay(n, DEFAULT_BACKOFF, () => 0);
    const high = (n: number): number => backoffDelay(n, DEFAULT_BACKOFF, () => 1);
    expect(low(0)).toBe(250);
    expect(high(0)).toBe(500);
    expect(high(3)).toBe(4000);
    expect(high(30)).toBe(DEFAULT_BACKOFF.capMs);
    expect(low(30)).toBe(DEFAULT_BACKOFF.capMs / 2);
  });
});

describe('live URL and opening frames', () => {
  it('follows the page scheme and never carries a token', () => {
    const page = (href: string): Location => new URL(href) as unknown as Location;
    expect(liveUrl(page('http://h:8000/?token=x'))).toBe('ws://h:8000/ws');
    expect(liveUrl(page('https://twin.example/'))).toBe('wss://twin.example/ws');
  });

  it('authenticates first, then subscribes to live or to a replay', () => {
    const [auth, live] = openingFrames('t0k', 'museum-wing', null);
    expect(JSON.parse(auth as string)).toEqual({ type: 'auth', token: 't0k' });
    expect(JSON.parse(live as string)).toEqual({ type: 'subscribe', venue: 'museum-wing', format: 'compact' });
    const replay = openingFrames('t0k', 'museum-wing', 'r1')[1] as string;
    expect(JSON.parse(replay)).toEqual({ type: 'subscribe', venue: 'museum-wing', format: 'compact', replay: 'r1' });
  });
});
