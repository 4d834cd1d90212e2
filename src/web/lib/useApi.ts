/**
 * Reading the API from components: `useApi(path, query)` gives {data, error, loading}. Answers are
 * shared between components for a short while and dropped after a write (`invalidate`).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api, apiUrl, type Query } from './api.ts';

const TTL_MS = 30_000;
/** `done`: the answer is there (`value`), so a component can render it at once. */
const cache = new Map<string, { at: number; promise: Promise<unknown>; done?: boolean; value?: unknown }>();

function load<T>(url: string): Promise<T> {
  const hit = cache.get(url);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.promise as Promise<T>;
  const promise = api.get<T>(url);
  const entry: { at: number; promise: Promise<unknown>; done?: boolean; value?: unknown } = {
    at: Date.now(),
    promise,
  };
  cache.set(url, entry);
  promise.then(
    (value) => {
      entry.done = true;
      entry.value = value;
    },
    () => cache.delete(url),
  );
  return promise;
}

/** A cached answer that is already there (within its time to live), for the first render. */
function ready<T>(url: string | null): T | undefined {
  const hit = url === null ? undefined : cache.get(url);
  return hit?.done && Date.now() - hit.at < TTL_MS ? (hit.value as T) : undefined;
}

/**
 * An answer known before the first render — the server's copy embedded in the page (src/http/web.ts)
 * or, on the server, the data it renders with: components asking for `url` render it at once.
 */
export function seed(url: string, value: unknown): void {
  cache.set(url, { at: Date.now(), promise: Promise.resolve(value), done: true, value });
}

/**
 * Starts loading an answer before a component asks for it (the landing page's data while its code
 * loads); the component's `useApi` with the same path and query then shares it.
 */
export function prefetch(path: string, query?: Query): void {
  load(apiUrl(path, query)).catch(() => {});
}

/** Forgets cached answers whose URL starts with one of the prefixes (every answer without one). */
export function invalidate(...prefixes: string[]): void {
  for (const k of [...cache.keys()]) {
    if (prefixes.length === 0 || prefixes.some((p) => k.startsWith(p))) cache.delete(k);
  }
}

export interface ApiState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload(): void;
}

/**
 * `fresh`: ask the server again on every mount (work in progress changes under the user's feet;
 * public catalogue data may be shared for a while). `keep`: keep showing the last answer while a
 * new query loads.
 */
export function useApi<T>(
  path: string | null,
  query?: Query,
  options: { fresh?: boolean; keep?: boolean } = {},
): ApiState<T> {
  const url = path === null ? null : apiUrl(path, query);
  const fresh = options.fresh ?? false;
  // an answer already there renders with the first render (no loading state, nothing to hydrate twice)
  const initial = useRef<string | null>(null);
  const [state, setState] = useState<{ url: string | null; data?: T; error?: ApiError }>(() => {
    const data = fresh ? undefined : ready<T>(url);
    if (data === undefined) return { url: null };
    initial.current = url;
    return { url, data };
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (url === null) return;
    if (initial.current === url && tick === 0) return; // rendered from the cache already
    initial.current = null;
    let live = true;
    if (fresh) cache.delete(url);
    load<T>(url).then(
      (data) => live && setState({ url, data }),
      (error: unknown) =>
        live &&
        setState({
          url,
          error:
            error instanceof ApiError
              ? error
              : new ApiError({ code: 'client', status: 0, vi: String(error), en: String(error) }),
        }),
    );
    return () => {
      live = false;
    };
  }, [url, tick, fresh]);
  const reload = useCallback(() => {
    if (url) cache.delete(url);
    setTick((n) => n + 1);
  }, [url]);
  const current = state.url === url;
  return {
    // `keep`: show the previous answer while the next one loads (filters stay on screen and focused)
    data: current || options.keep ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: url !== null && !current,
    reload,
  };
}

/** Several GETs at once (a list whose length depends on data); all must succeed. */
export function useApiAll<T>(urls: string[]): ApiState<T[]> {
  const key = urls.join('\n');
  const [state, setState] = useState<{ key: string | null; data?: T[]; error?: ApiError }>({ key: null });
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: key stands for urls; tick forces a reload
  useEffect(() => {
    let live = true;
    Promise.all(urls.map((u) => load<T>(u))).then(
      (data) => live && setState({ key, data }),
      (error: unknown) =>
        live &&
        setState({
          key,
          error:
            error instanceof ApiError
              ? error
              : new ApiError({ code: 'client', status: 0, vi: String(error), en: String(error) }),
        }),
    );
    return () => {
      live = false;
    };
  }, [key, tick]);
  const reload = useCallback(() => {
    for (const u of urls) cache.delete(u);
    setTick((n) => n + 1);
  }, [urls]);
  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: !current,
    reload,
  };
}
