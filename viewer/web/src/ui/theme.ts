/**
 * Light and dark themes. Follows the system setting until the operator picks
 * one with the toggle; the choice is remembered on this browser.
 */

export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'venue-twin.theme';

function saved(): Theme | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'light' || value === 'dark' ? value : null;
  } catch {
    return null;
  }
}

const media = window.matchMedia('(prefers-color-scheme: dark)');

function system(): Theme {
  return media.matches ? 'dark' : 'light';
}

export function currentTheme(): Theme {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

function apply(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
}

/** Apply the saved or system theme now (the login screen, before the app starts). */
export function applyInitialTheme(): void {
  apply(saved() ?? system());
}

/** Apply the initial theme and call `onChange` whenever it changes. */
export function initTheme(onChange: (theme: Theme) => void): { toggle(): void } {
  apply(saved() ?? system());
  media.addEventListener('change', () => {
    if (saved() !== null) return;
    apply(system());
    onChange(currentTheme());
  });
  return {
    toggle(): void {
      const next: Theme = currentTheme() === 'dark' ? 'light' : 'dark';
      try {
        localStorage.setItem(STORAGE_KEY, next);
      } catch {
        // Not remembered, but still applied.
      }
      apply(next);
      onChange(next);
    },
  };
}
