/**
 * Reading the API from components: `useApi(path, query)` gives {data, error, loading}. Answers are
 * shared between components for a short while and dropped after a write (`invalidate`).
 */
import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, apiUrl, type Query } from './api.ts';

const TTL_MS = 30_000;
const cache = new Map<string, { at: number; promise: Promise<unknown> }>();

function load<T>(url: string): Promise<T> {
  const hit = cache.get(url);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.promise as Promise<T>;
  const promise = api.get<T>(url);
  cache.set(url, { at: Date.now(), promise });
  promise.catch(() => cache.delete(url));
  return promise;
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
  const [state, setState] = useState<{ url: string | null; data?: T; error?: ApiError }>({ url: null });
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick forces a reload
  useEffect(() => {
    if (url === null) return;
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
