/**
 * Translations: Vietnamese by default, English on request (remembered in localStorage). Every string
 * the interface shows comes from vi.json / en.json through `t`; keys are checked by the compiler.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import en from './en.json' with { type: 'json' };
import vi from './vi.json' with { type: 'json' };

export type Lang = 'vi' | 'en';
export const LANGS: readonly Lang[] = ['vi', 'en'];

type Paths<T> = {
  [K in keyof T & string]: T[K] extends string ? K : `${K}.${Paths<T[K]>}`;
}[keyof T & string];

/** Every translation key, as a dotted path into vi.json. */
export type Key = Paths<typeof vi>;
export type Vars = Record<string, string | number>;
export type Translate = (key: Key, vars?: Vars) => string;

const DICTS: Record<Lang, unknown> = { vi, en };
const STORAGE_KEY = 'chiso.lang';

function lookup(dict: unknown, key: string): string | undefined {
  let node: unknown = dict;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/** Fills `{name}` placeholders. */
export function interpolate(template: string, vars?: Vars): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

export function translator(lang: Lang): Translate {
  return (key, vars) => interpolate(lookup(DICTS[lang], key) ?? lookup(DICTS.vi, key) ?? key, vars);
}

export function storedLang(): Lang {
  try {
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

export function I18nProvider({ children, initial }: { children: ReactNode; initial?: Lang }) {
  const [lang, setLangState] = useState<Lang>(initial ?? storedLang());
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, l);
    } catch {
      // private mode: the choice lasts for this page only
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
    currentLang = lang;
  }, [lang]);
  const value = useMemo(() => ({ lang, setLang, t: translator(lang) }), [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export const useI18n = (): I18n => useContext(I18nContext);
export const useT = (): Translate => useContext(I18nContext).t;

let currentLang: Lang = storedLang();
/** The language in use, for code outside React (the API client's Accept-Language). */
export const activeLang = (): Lang => currentLang;

/** A catalogue name in the reader's language, falling back to Vietnamese. */
export function pick(lang: Lang, vi: string, en?: string | null): string {
  return lang === 'en' && en ? en : vi;
}
