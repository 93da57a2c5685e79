import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, liveUrl } from '../src/live/client';

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

describe('live URL', () => {
  it('follows the page scheme and carries the token', () => {
    const page = (href: string): Location => new URL(href) as unknown as Location;
    expect(liveUrl(page('http://h:8000/'), null)).toBe('ws://h:8000/ws');
    expect(liveUrl(page('https://twin.example/'), 'a b')).toBe('wss://twin.example/ws?token=a+b');
  });
});
