// The query benchmark's client (bench/suite-query.ts): a worker thread with its own event loop
// and a small heap, so that the benchmark process's own state and work do not delay the client's
// clock (the API suite's autocannon runs in a worker thread for the same reason). Plain
// JavaScript: a worker has no TS loader.
//
// workerData: { url, warmUps, requests }. Sends `warmUps` then `requests` sequential GETs with
// fetch(), each timed until its whole body has been read as text; posts
// { times: number[] (ms), rows: number (data lines of the last answer) } or { error }.
import { parentPort, workerData } from 'node:worker_threads';

const { url, warmUps, requests } = workerData;

async function once() {
  const t = performance.now();
  const r = await fetch(url);
  const body = await r.text();
  const ms = performance.now() - t;
  if (r.status !== 200) throw new Error(`GET ${url} → ${r.status}: ${body.slice(0, 300)}`);
  return { ms, rows: body.trimEnd().split('\n').length - 1 };
}

try {
  for (let k = 0; k < warmUps; k++) await once();
  const times = [];
  let rows = 0;
  for (let k = 0; k < requests; k++) {
    const r = await once();
    times.push(r.ms);
    rows = r.rows;
  }
  parentPort.postMessage({ times, rows });
} catch (e) {
  parentPort.postMessage({ error: String(e?.stack ?? e) });
}
