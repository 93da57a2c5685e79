/**
 * The page's language: one typed message catalogue per locale (en, zh-CN).
 *
 * Every text on screen goes through `t(key, params)`. `en.ts` defines the keys;
 * `zh-CN.ts` is typed `Record<MessageKey, string>`, so a key added in English
 * and missing in Chinese fails the build. The language follows the browser
 * (`navigator.languages`), can be forced with `?lang=zh-CN` and is switched
 * from the header (remembered in localStorage; the page reloads, so module-level
 * labels are rebuilt). Numbers and dates go through `Intl` in the same locale.
 */

import { en, type MessageKey } from './en';
import { zhCN } from './zh-CN';

export type { MessageKey } from './en';
export type Locale = 'en' | 'zh-CN';
export type Params = Record<string, string | number>;

export const LOCALES: { id: Locale; label: string }[] = [
  { id: 'en', label: 'English' },
  { id: 'zh-CN', label: '中文' },
];

const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };
const STORAGE_KEY = 'venue-twin.lang';

function supported(tag: string | null | undefined): Locale | null {
  if (!tag) return null;
  const lower = tag.toLowerCase();
  if (lower.startsWith('zh')) return 'zh-CN';
  if (lower.startsWith('en')) return 'en';
  return null;
}

/** `?lang=`, then the saved choice, then the browser's preferred languages; English otherwise. */
export function detectLocale(): Locale {
  try {
    const fromUrl = supported(new URL(window.location.href).searchParams.get('lang'));
    if (fromUrl) return fromUrl;
    const saved = supported(window.localStorage.getItem(STORAGE_KEY));
    if (saved) return saved;
  } catch {
    // No window (unit tests) or storage refused: fall through.
  }
  const preferred = typeof navigator === 'undefined' ? [] : [...(navigator.languages ?? []), navigator.language];
  for (const tag of preferred) {
    const found = supported(tag);
    if (found) return found;
  }
  return 'en';
}

let current: Locale = detectLocale();
if (typeof document !== 'undefined') document.documentElement.lang = current;

export function locale(): Locale {
  return current;
}

/** For tests: render in another locale without a page. */
export function useLocale(next: Locale): void {
  current = next;
}

/** Remember the choice and reload, so every label is built in the new language. */
export function switchLocale(next: Locale): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Storage refused: the URL parameter still carries it.
  }
  const url = new URL(window.location.href);
  url.searchParams.delete('lang');
  window.location.assign(url.toString());
}

/** The message `key` in the page's language, with `{name}` placeholders filled. */
export function t(key: MessageKey, params?: Params): string {
  const template = CATALOGUES[current][key] ?? en[key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/** Whether `key` names a message (for keys built from server values, like alarm kinds). */
export function hasMessage(key: string): key is MessageKey {
  return key in en;
}

/** `t(prefix + value)` when the catalogue has it, else the value itself (an id or unknown enum). */
export function label(prefix: string, value: string): string {
  const key = `${prefix}${value}`;
  return hasMessage(key) ? t(key) : value;
}
