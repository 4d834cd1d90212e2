/**
 * The API client: fetch with JSON in and out. Every failure becomes an ApiError carrying the
 * server's RFC 9457 problem (code, Vietnamese and English messages, the field or row at fault), so
 * pages show it in the reader's language; a network failure carries its own two messages.
 */
import { activeLang, type Lang } from '../i18n/i18n.tsx';

export interface ProblemItem {
  code: string;
  vi: string;
  en: string;
  field?: string;
  row?: number;
  column?: string;
  position?: number;
}

export interface Problem extends ProblemItem {
  status: number;
  title?: string;
  detail?: string;
  errors?: ProblemItem[];
  [k: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.en);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }
  get code(): string {
    return this.problem.code;
  }
  /** The message in the reader's language. */
  text(lang: Lang): string {
    return lang === 'en' ? this.problem.en : this.problem.vi;
  }
  /** Every fault the server listed (the main one when it listed none). */
  get items(): ProblemItem[] {
    return this.problem.errors?.length ? this.problem.errors : [this.problem];
  }
}

const NETWORK: ProblemItem = {
  code: 'network',
  vi: 'Không kết nối được máy chủ. Kiểm tra kết nối mạng rồi thử lại.',
  en: 'The server could not be reached. Check the network connection and try again.',
};

const BAD_RESPONSE: ProblemItem = {
  code: 'bad_response',
  vi: 'Máy chủ trả lời không đúng định dạng.',
  en: 'The server sent a response in an unexpected format.',
};

/** Set by the session (issue 3: the CSRF token from GET /api/auth/me) and sent with every write. */
let csrfToken: string | null = null;
export const setCsrfToken = (token: string | null): void => {
  csrfToken = token;
};

export type Query = Record<string, string | number | boolean | null | undefined>;

/** `/api/x` + the query string, leaving out empty parameters. */
export function apiUrl(path: string, query?: Query): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

async function toError(res: Response): Promise<ApiError> {
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      const body = (await res.json()) as Partial<Problem>;
      if (typeof body.vi === 'string' && typeof body.en === 'string') {
        return new ApiError({ ...body, code: body.code ?? 'error', status: res.status } as Problem);
      }
    } catch {
      // fall through
    }
  }
  return new ApiError({
    code: `http_${res.status}`,
    status: res.status,
    vi: `Máy chủ báo lỗi ${res.status}.`,
    en: `The server answered with error ${res.status}.`,
  });
}

export interface RequestOptions {
  signal?: AbortSignal | undefined;
  headers?: Record<string, string>;
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = {
    accept: 'application/json, application/problem+json',
    'accept-language': activeLang(),
    ...options.headers,
  };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body instanceof Blob) {
    // a file sent as it is (an .xlsx template): its own type, else bytes
    headers['content-type'] = body.type || 'application/octet-stream';
    payload = body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: payload ?? null,
      credentials: 'same-origin',
      signal: options.signal ?? null,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError({ ...NETWORK, status: 0 });
  }
  if (!res.ok) throw await toError(res);
  if (res.status === 204) return undefined as T;
  try {
    return (await res.json()) as T;
  } catch {
    throw new ApiError({ ...BAD_RESPONSE, status: res.status });
  }
}

export const api = {
  get: <T>(path: string, query?: Query, options?: RequestOptions) =>
    request<T>('GET', apiUrl(path, query), undefined, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>('POST', path, body, options),
  put: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PUT', path, body, options),
  patch: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>('PATCH', path, body, options),
  delete: <T>(path: string, options?: RequestOptions) => request<T>('DELETE', path, undefined, options),
};
