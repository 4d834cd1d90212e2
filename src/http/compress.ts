/**
 * Bodies serialised once and sent many times (the engine's cached reads, the server-rendered
 * overview page): the content coding a browser accepts, compressed once per body and coding, one
 * strong ETag per coding, and If-None-Match.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import {
  brotliCompress,
  brotliCompressSync,
  createBrotliCompress,
  createGzip,
  constants as zlib,
  gzip,
  gzipSync,
} from 'node:zlib';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** A serialised read of one engine version, with its compressed copies. */
export interface Cached {
  /** What the body was built from (an engine version). */
  version: number | string;
  /** Hash of the body (the ETag of the uncompressed form). */
  etag: string;
  body: Buffer;
  encoded: Partial<Record<'br' | 'gzip', Buffer>>;
  /** A first compression under way off the event loop (large bodies, compressedFor). */
  pending?: Partial<Record<'br' | 'gzip', Promise<Buffer>>>;
}

/** Bodies smaller than this are sent as they are (compression would not pay). */
const MIN_COMPRESS = 1024;

/** The content coding to send: brotli when accepted, else gzip, else none (q=0 refuses one). */
export function negotiate(header: string | string[] | undefined, size: number): 'br' | 'gzip' | 'identity' {
  if (size < MIN_COMPRESS || !header) return 'identity';
  const accepted = new Set<string>();
  for (const part of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((x) => /^\s*q=([\d.]+)\s*$/.exec(x)).find(Boolean);
    if (name && !(q && Number(q[1]) === 0)) accepted.add(name.trim());
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip') || accepted.has('x-gzip')) return 'gzip';
  return 'identity';
}

/** Each coding of a body is its own representation: its own strong ETag. */
export const etagOf = (hash: string, encoding: string) =>
  encoding === 'identity' ? `"${hash}"` : `"${hash}-${encoding}"`;

/** True when If-None-Match names any representation of this body (or is `*`). */
export function notModified(header: string | undefined, hash: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '');
    return v === '*' || v === `"${hash}"` || v === `"${hash}-br"` || v === `"${hash}-gzip"`;
  });
}

/**
 * The body in a coding, compressed on first use for this version: at once with a fast setting
 * (a few milliseconds for 100 KB), then again at its best setting off the event loop (brotli 11,
 * gzip 6), which replaces it when done (about 10-25 % smaller).
 */
export function precompressed(hit: Cached, encoding: 'br' | 'gzip'): Buffer {
  const done = hit.encoded[encoding];
  if (done) return done;
  // The fast setting at once (a large engine body — index results — is several megabytes: gzip
  // level 6 takes three to four times as long on the request that first asks for it).
  const fast =
    encoding === 'gzip'
      ? gzipSync(hit.body, FAST_GZIP)
      : brotliCompressSync(hit.body, { params: fastBrotli(hit.body.length) });
  hit.encoded[encoding] = fast;
  improveLater(hit, encoding, fast);
  return fast;
}

/** The fast settings of a first compression: gzip level 1, brotli quality 4. */
const FAST_GZIP = { level: 1 };
const fastBrotli = (size?: number) => ({
  ...(size === undefined ? {} : { [zlib.BROTLI_PARAM_SIZE_HINT]: size }),
  [zlib.BROTLI_PARAM_QUALITY]: 4,
});

/** Bodies from this size are first compressed off the event loop (compressedFor). */
const ASYNC_COMPRESS = 128 * 1024;

/**
 * As precompressed, but a large body's first compression runs on libuv's thread pool: the event
 * loop answers other requests meanwhile (a city index-results body of 1.5 MB takes 10-15 ms at
 * gzip level 1), and requests for the same body wait for the same compression.
 */
export async function compressedFor(hit: Cached, encoding: 'br' | 'gzip'): Promise<Buffer> {
  const done = hit.encoded[encoding];
  if (done) return done;
  if (hit.body.length < ASYNC_COMPRESS) return precompressed(hit, encoding);
  hit.pending ??= {};
  const running = hit.pending[encoding];
  if (running) return running;
  const first =
    encoding === 'gzip'
      ? gzipAsync(hit.body, FAST_GZIP)
      : brotliAsync(hit.body, { params: fastBrotli(hit.body.length) });
  hit.pending[encoding] = first;
  const fast = await first.finally(() => {
    delete hit.pending?.[encoding];
  });
  if (!hit.encoded[encoding]) {
    hit.encoded[encoding] = fast;
    improveLater(hit, encoding, fast);
  }
  return hit.encoded[encoding] ?? fast;
}

/** Compresses the body again at the best setting, off the loop; replaces `fast` when smaller. */
function improveLater(hit: Cached, encoding: 'br' | 'gzip', fast: Buffer): void {
  if (encoding === 'gzip') {
    gzip(hit.body, { level: 6 }, (err, best) => {
      if (!err && best.length < fast.length) hit.encoded.gzip = best;
    });
  } else {
    const params = { [zlib.BROTLI_PARAM_SIZE_HINT]: hit.body.length, [zlib.BROTLI_PARAM_QUALITY]: 11 };
    brotliCompress(hit.body, { params }, (err, best) => {
      if (!err && best.length < fast.length) hit.encoded.br = best;
    });
  }
}

/** Output buffer of a compressing stream: large, so that a piece takes one trip to the thread pool. */
const STREAM_CHUNK = 256 * 1024;

/** The ETag hash of a body (also of one made in pieces, updated piece by piece). */
export const bodyHash = (h: ReturnType<typeof createHash>) => h.digest('base64url').slice(0, 22);

/**
 * A body that arrives in pieces (a large engine read written in steps): hashed and kept as the
 * pieces come and, for the coding the asking client accepts, compressed as they come too — a
 * stream on the thread pool works on one piece while the next is written — so that little is
 * left to compress when the last piece arrives.
 */
export async function cacheChunks(
  version: number | string,
  chunks: AsyncIterable<Buffer>,
  encoding: 'br' | 'gzip' | 'identity',
): Promise<Cached> {
  const hash = createHash('sha1');
  const parts: Buffer[] = [];
  const z =
    encoding === 'gzip'
      ? createGzip({ ...FAST_GZIP, chunkSize: STREAM_CHUNK })
      : encoding === 'br'
        ? createBrotliCompress({ chunkSize: STREAM_CHUNK, params: fastBrotli() })
        : null;
  const out: Buffer[] = [];
  const compressed = z
    ? new Promise<Buffer>((resolve, reject) => {
        z.on('data', (b: Buffer) => out.push(b));
        z.once('end', () => resolve(Buffer.concat(out)));
        z.once('error', reject);
      })
    : null;
  // Awaited below; a failure before that point must not count as an unhandled rejection.
  compressed?.catch(() => {});
  try {
    for await (const c of chunks) {
      hash.update(c);
      parts.push(c);
      z?.write(c);
    }
  } catch (e) {
    z?.destroy();
    throw e;
  }
  z?.end();
  const hit: Cached = { version, etag: bodyHash(hash), body: Buffer.concat(parts), encoded: {} };
  if (z && compressed && encoding !== 'identity') {
    const fast = await compressed;
    if (hit.body.length >= MIN_COMPRESS) {
      hit.encoded[encoding] = fast;
      improveLater(hit, encoding, fast);
    }
  }
  return hit;
}
