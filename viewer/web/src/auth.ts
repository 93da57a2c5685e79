/**
 * The signed-in user: token, name and role, kept in sessionStorage so a page
 * reload stays signed in but closing the tab signs out. Tokens never go in
 * URLs (they end up in proxy logs and screenshots): REST sends them as
 * `Authorization: Bearer`, the WebSocket as its first frame.
 */

import type { Role } from './types';

const STORAGE_KEY = 'venue-twin.session';

export interface Session {
  token: string;
  username: string;
  role: Role;
  /** Epoch seconds. */
  expires_at: number;
}

/** Each role includes the ones before it. */
export const ROLE_ORDER: Role[] = ['viewer', 'operator', 'engineer', 'admin'];

export function roleAtLeast(role: Role | null | undefined, needed: Role): boolean {
  if (role === null || role === undefined) return false;
  return ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(needed);
}

let memorySession: Session | null = null;

function isSession(value: unknown): value is Session {
  const v = value as Partial<Session> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.token === 'string' &&
    typeof v.username === 'string' &&
    typeof v.role === 'string' &&
    ROLE_ORDER.includes(v.role)
  );
}

export function currentSession(): Session | null {
  let session: Session | null = memorySession;
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (raw !== null) {
      const parsed = JSON.parse(raw) as unknown;
      session = isSession(parsed) ? parsed : null;
    }
  } catch {
    // Storage disabled or corrupt: fall back to this page load's memory.
  }
  // An expired token would only earn a 401: treat it as signed out now.
  if (session !== null && typeof session.expires_at === 'number' && session.expires_at * 1000 < Date.now()) return null;
  return session;
}

export function saveSession(session: Session): void {
  memorySession = session;
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  } catch {
    // The session then lives only for this page load.
  }
}

export function clearSession(): void {
  memorySession = null;
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing stored.
  }
}

/**
 * A server with authentication off (a closed network) answers ``/api/auth/me``
 * without a token: its user needs no sign-in. Null when the server wants one.
 * Not stored: each page load asks the server again.
 */
export async function openServerSession(): Promise<Session | null> {
  try {
    const response = await fetch('/api/auth/me', { headers: { Accept: 'application/json' } });
    if (!response.ok) return null;
    const me = (await response.json()) as { username?: unknown; role?: unknown };
    if (typeof me.username !== 'string' || !ROLE_ORDER.includes(me.role as Role)) return null;
    return { token: '', username: me.username, role: me.role as Role, expires_at: Number.POSITIVE_INFINITY };
  } catch {
    return null; // unreachable: the login screen reports it when the user signs in
  }
}

export function accessToken(): string | null {
  return currentSession()?.token ?? null;
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called when the server refuses the token (401 on REST, 4401 on the socket). */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function signalUnauthorized(): void {
  clearSession();
  for (const listener of [...unauthorizedListeners]) listener();
}
