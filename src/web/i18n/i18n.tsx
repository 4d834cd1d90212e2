/**
 * Translations: Vietnamese by default, English on request (remembered in localStorage). Every string
 * the interface shows comes from the translation files through `t`; keys are checked by the compiler.
 *
 * Files: vi.json / en.json hold the common and public strings (every page); work/vi.json and
 * work/en.json the namespace "work" — the strings of the signed-in pages (workspace, review,
 * administration). Only the active language is loaded: Vietnamese is in the first bundle, English is
 * fetched when chosen (`loadLanguage`, before the switch shows); the "work" namespace is fetched in
 * the active language with the first workspace or administration page (router.tsx `withNamespace`).
 * A key of a namespace not loaded yet shows as the key itself.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import vi from './vi.json' with { type: 'json' };

export type Lang = 'vi' | 'en';
export const LANGS: readonly Lang[] = ['vi', 'en'];
export type Namespace = 'common' | 'work';

type Paths<T> = {
  [K in keyof T & string]: T[K] extends string ? K : `${K}.${Paths<T[K]>}`;
}[keyof T & string];

type WorkDict = typeof import('./work/vi.json', { with: { type: 'json' }});

/** Every translation key, as a dotted path into vi.json or work/vi.json. */
export type Key = Paths<typeof vi> | Paths<WorkDict>;
export type Vars = Record<string, string | number>;
export type Translate = (key: Key, vars?: Vars) => string;

type Dict = Record<string, unknown>;

/** How each language's files of each namespace are loaded (one chunk each, English on demand). */
const LOADERS: Record<Lang, Record<Namespace, () => Promise<Dict>>> = {
  vi: {
    common: async () => vi,
    work: () => import('./work/vi.json', { with: { type: 'json' } }).then((m) => m.default),
  },
  en: {
    common: () => import('./en.json', { with: { type: 'json' } }).then((m) => m.default),
    work: () => import('./work/en.json', { with: { type: 'json' } }).then((m) => m.default),
  },
};

/** The loaded dictionaries: language → namespace → strings. */
const DICTS: Record<Lang, Partial<Record<Namespace, Dict>>> = { vi: { common: vi }, en: {} };
/** Namespaces asked for so far (a language switch loads them in the new language too). */
const wanted = new Set<Namespace>(['common']);
const STORAGE_KEY = 'chiso.lang';

function lookup(dict: unknown, key: string): string | undefined {
  let node: unknown = dict;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' ? node : undefined;
}

function find(lang: Lang, key: string): string | undefined {
  const d = DICTS[lang];
  return lookup(d.common, key) ?? (d.work ? lookup(d.work, key) : undefined);
}

/** Fills `{name}` placeholders. */
export function interpolate(template: string, vars?: Vars): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** The translate function of a language (its loaded files, then Vietnamese, then the key). */
export function translator(lang: Lang): Translate {
  return (key, vars) => interpolate(find(lang, key) ?? find('vi', key) ?? key, vars);
}

/** Loads the files of a language: its common strings and every namespace asked for so far. */
export async function loadLanguage(lang: Lang): Promise<void> {
  await Promise.all(
    [...wanted].map(async (ns) => {
      DICTS[lang][ns] ??= await LOADERS[lang][ns]();
    }),
  );
}

/** Loads a namespace in the active language (and in any language switched to later). */
export async function loadNamespace(ns: Namespace): Promise<void> {
  wanted.add(ns);
  await loadLanguage(activeLang());
}

/**
 * The reader's language: `?lang=` in the address (the language link followed before the page's code
 * ran) is remembered and taken out of the address; otherwise the one remembered; Vietnamese by default.
 */
export function storedLang(): Lang {
  try {
    const loc = globalThis.location;
    const url = loc ? new URL(loc.href) : null;
    const asked = url?.searchParams.get('lang');
    if (url && (asked === 'en' || asked === 'vi')) {
      globalThis.localStorage?.setItem(STORAGE_KEY, asked);
      url.searchParams.delete('lang');
      globalThis.history?.replaceState(globalThis.history.state, '', url.pathname + url.search + url.hash);
      return asked;
    }
    const v = globalThis.localStorage?.getItem(STORAGE_KEY);
    return v === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t: Translate;
}

const I18nContext = createContext<I18n>({ lang: 'vi', setLang: () => {}, t: translator('vi') });

/**
 * `initial`: the language to show first; its files must be loaded (`loadLanguage`) before the
 * provider renders, or its strings show in Vietnamese until they are.
 */
export function I18nProvider({ children, initial }: { children: ReactNode; initial?: Lang }) {
  const [lang, setLangState] = useState<Lang>(() => initial ?? activeLang());
  const setLang = useCallback((l: Lang) => {
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, l);
    } catch {
      // private mode: the choice lasts for this page only
    }
    currentLang = l;
    // the new language shows once its files are there (the old one stays until then)
    loadLanguage(l).then(
      () => setLangState(l),
      () => setLangState(l),
    );
  }, []);
  useEffect(() => {
    // only when it changes: setting the attribute, even to the same value, restyles the whole page
    if (document.documentElement.lang !== lang) document.documentElement.lang = lang;
    currentLang = lang;
  }, [lang]);
  const value = useMemo(() => ({ lang, setLang, t: translator(lang) }), [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export const useI18n = (): I18n => useContext(I18nContext);
export const useT = (): Translate => useContext(I18nContext).t;

// Read on first use, not when this module loads: the first read of localStorage can take a phone
// tens of milliseconds, and the application's start (main.tsx) gives it a task of its own.
let currentLang: Lang | undefined;
/**
 * The language in use (the reader's, `storedLang`, until one is chosen), for code outside React
 * (the API client's Accept-Language) and the application's start.
 */
export const activeLang = (): Lang => (currentLang ??= storedLang());

/** A catalogue name in the reader's language, falling back to Vietnamese. */
export function pick(lang: Lang, vi: string, en?: string | null): string {
  return lang === 'en' && en ? en : vi;
}
