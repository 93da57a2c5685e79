/**
 * Where the access token comes from. The backend will require a token on REST
 * (Authorization: Bearer) and on the WebSocket (?token=); until then both are
 * simply omitted when no token is set.
 *
 * A token given once as `?token=` in the page URL is kept in sessionStorage and
 * removed from the address bar so it does not end up in screenshots or history.
 */

const STORAGE_KEY = 'venue-twin.token';

export function captureTokenFromUrl(): void {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token === null) return;
  try {
    sessionStorage.setItem(STORAGE_KEY, token);
  } catch {
    // Storage can be disabled; the token then lives only for this page load.
    memoryToken = token;
  }
  url.searchParams.delete('token');
  window.history.replaceState(null, '', url.toString());
}

let memoryToken: string | null = null;

export function accessToken(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY) ?? memoryToken;
  } catch {
    return memoryToken;
  }
}
