// The freshness benchmark's client (bench/suite-freshness.ts): a worker thread with its own event
// loop, so that what the approving engine does after its commit in the benchmark's main thread
// (the write-behind of index rows) does not hold back the client reading the answers — a client
// of the API is never inside the approving server. Plain JavaScript: a worker has no TS loader.
//
// It asks as a browser or fetch() does (Accept-Encoding: gzip, If-None-Match with the ETag of the
// body before) over node:http, and a changed answer counts as seen once its last byte has arrived:
// a 200 whose strong ETag (the server's hash of the body) differs from the one before. Decoding
// the body is the client's own work and is done after the timing, where the body is checked to
// differ from the one before.
//
// Messages in: { before: true } — read each URL once, keep its body and ETag, answer { ready };
// { poll: true } — poll each URL back to back until it changes, answer { seen, headers, polls }
// (absolute times: performance.timeOrigin + performance.now(), comparable across threads).
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { parentPort, workerData } from 'node:worker_threads';

const urls = workerData.urls;
const before = {};
const now = () => performance.timeOrigin + performance.now();
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/** One GET: status, ETag, the raw body bytes, when the headers and the last byte arrived. */
function get(u, etag) {
  return new Promise((resolve, reject) => {
    const headers = { 'accept-encoding': 'gzip' };
    if (etag) headers['if-none-match'] = etag;
    const req = http.get(u, { agent, headers }, (res) => {
      const at = now();
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          etag: res.headers.etag,
          gzip: res.headers['content-encoding'] === 'gzip',
          raw: Buffer.concat(chunks),
          headers: at,
          end: now(),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const text = (r) => (r.gzip ? gunzipSync(r.raw) : r.raw).toString('utf8');

parentPort.on('message', async (msg) => {
  try {
    if (msg.before) {
      for (const [k, u] of Object.entries(urls)) {
        const r = await get(u);
        if (r.status !== 200) throw new Error(`GET ${u} → ${r.status}: ${text(r).slice(0, 300)}`);
        before[k] = { etag: r.etag, body: text(r) };
      }
      parentPort.postMessage({ ready: true });
      return;
    }
    if (msg.poll) {
      const seen = {};
      const headers = {};
      const polls = {};
      const last = {};
      const deadline = now() + 60_000;
      await Promise.all(
        Object.entries(urls).map(async ([k, u]) => {
          polls[k] = 0;
          while (now() < deadline) {
            polls[k]++;
            const r = await get(u, before[k].etag);
            if (r.status === 304) continue;
            if (r.status !== 200) throw new Error(`GET ${u} → ${r.status}: ${text(r).slice(0, 300)}`);
            // Without an ETag the body itself is compared (decoded inside the timing).
            if (r.etag ? r.etag !== before[k].etag : text(r) !== before[k].body) {
              seen[k] = r.end;
              headers[k] = r.headers;
              last[k] = r;
              return;
            }
          }
        }),
      );
      // After the timing: each new body really differs from the one before.
      for (const [k, r] of Object.entries(last)) {
        if (text(r) === before[k].body) throw new Error(`${k}: a new ETag for the same body`);
      }
      parentPort.postMessage({ seen, headers, polls });
    }
  } catch (e) {
    parentPort.postMessage({ error: String(e?.stack ?? e) });
  }
});
