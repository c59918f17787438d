#!/usr/bin/env node
// The load generator: a separate process, the same for both servers. It takes one task as a JSON
// argument, runs it, and prints one JSON line with the result.
//
//   load      C closed-loop clients for warm-up + duration; requests/s, p50/p90/p99, errors
//             (reads from the data set, the search, create_model_version or set_alias); with
//             `authorization`, that header on every request (authentication on)
//   paging    search_model_versions page after page; latency of each page
//   upload    one streaming PUT of a file
//   download  one GET, body counted and discarded
//   batch     a list of the above, in order; prints the list of results
import fs from 'node:fs';
import http from 'node:http';
import { READS, searchModelsPath } from './dataset.mjs';
import { prng, summarizeLatencies } from './stats.mjs';


function request(agent, base, method, path, body, timeoutMs = 0, authorization = undefined) {
  return new Promise((resolve) => {
    const url = new URL(path, base);
    const headers = body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {};
    if (authorization) headers.authorization = authorization;
    const req = http.request(url, { method, agent, headers, ...(timeoutMs ? { timeout: timeoutMs } : {}) }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      res.on('error', (err) => resolve({ status: 0, error: err.message }));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ status: 0, error: 'timeout', timedOut: true });
    });
    req.on('error', (err) => resolve({ status: 0, error: err.message }));
    req.end(body);
  });
}

async function runLoad(task) {
  const { base, kind, models, concurrency, warmupMs, durationMs, seed = 1, writeModel, authorization } = task;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const t0 = performance.now();
  const measureFrom = t0 + warmupMs;
  const measureTo = measureFrom + durationMs;
  const latencies = [];
  const errors = {};
  const versions = [];
  let completed = 0;
  let sample = null;
  const searchPath = kind === 'search_registered_models' ? searchModelsPath(models) : null;

  async function worker(id) {
    const rnd = prng(seed * 1000 + id);
    let n = 0;
    while (performance.now() < measureTo) {
      let method = 'GET';
      let path;
      let body;
      if (kind === 'create_model_version') {
        method = 'POST';
        path = '/api/2.0/mlflow/model-versions/create';
        body = JSON.stringify({ name: writeModel, source: `s3://bench-writes/${writeModel}/${id}-${n++}` });
      } else if (kind === 'set_alias') {
        // Each client moves its own aliases over version 1 (which the caller created).
        method = 'POST';
        path = '/api/2.0/mlflow/registered-models/alias';
        body = JSON.stringify({ name: writeModel, alias: `bench-${id}-${n++ % 4}`, version: '1' });
      } else if (searchPath) {
        path = searchPath;
      } else {
        path = READS[kind](models, rnd);
      }
      const start = performance.now();
      const res = await request(agent, base, method, path, body, 0, authorization);
      const end = performance.now();
      // A request counts for the window in which its response arrived.
      const inWindow = end >= measureFrom && end <= measureTo;
      const ok = res.status === 200;
      if (kind === 'create_model_version' && ok) {
        // Every created version counts (warm-up included) for the duplicate check.
        try {
          versions.push(Number(JSON.parse(res.body.toString()).model_version.version));
        } catch {
          errors.badBody = (errors.badBody ?? 0) + 1;
        }
      }
      if (!ok) {
        const key = res.status ? String(res.status) : `socket: ${res.error}`;
        errors[key] = (errors[key] ?? 0) + 1;
        if (!sample) sample = res.body ? res.body.toString().slice(0, 300) : res.error;
      }
      if (inWindow) {
        if (ok) latencies.push(end - start);
        completed += 1;
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  const wallMs = performance.now() - t0;
  agent.destroy();
  const okCount = latencies.length;
  const seconds = durationMs / 1000;
  const distinct = new Set(versions);
  return {
    kind,
    concurrency,
    seconds,
    wallMs,
    requests: completed,
    ok: okCount,
    rps: okCount / seconds,
    errors,
    errorCount: Object.values(errors).reduce((a, b) => a + b, 0),
    errorSample: sample,
    latencyMs: summarizeLatencies(latencies),
    ...(kind === 'create_model_version'
      ? { created: versions.length, duplicates: versions.length - distinct.size, maxVersion: Math.max(0, ...versions) }
      : {}),
  };
}

/**
 * Pages through a search. A page that takes longer than `pageTimeoutMs` ends the pass: the result
 * is then `finished: false`, and that page counts with the time waited (a lower bound).
 */
async function runPaging(task) {
  const { base, filter, pageSize, pageTimeoutMs = 0 } = task;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const pages = [];
  let token = null;
  let total = 0;
  const t0 = performance.now();
  do {
    const qs = new URLSearchParams({ filter, max_results: String(pageSize) });
    if (token) qs.set('page_token', token);
    const start = performance.now();
    const res = await request(agent, base, 'GET', `/api/2.0/mlflow/model-versions/search?${qs}`, undefined, pageTimeoutMs);
    const ms = performance.now() - start;
    if (res.timedOut) {
      pages.push({ ms, items: 0, bytes: 0, timedOut: true });
      agent.destroy();
      const latencyMs = summarizeLatencies(pages.map((p) => p.ms));
      return { finished: false, pagesDone: pages.length - 1, total, totalMs: performance.now() - t0, latencyMs, pages };
    }
    if (res.status !== 200) throw new Error(`page ${pages.length + 1}: HTTP ${res.status} ${String(res.body ?? res.error).slice(0, 300)}`);
    const json = JSON.parse(res.body.toString());
    const n = (json.model_versions ?? []).length;
    total += n;
    pages.push({ ms, items: n, bytes: res.body.length });
    token = json.next_page_token || null;
  } while (token);
  agent.destroy();
  return { finished: true, pagesDone: pages.length, pages, total, totalMs: performance.now() - t0, latencyMs: summarizeLatencies(pages.map((p) => p.ms)) };
}

function runUpload(task) {
  const { url, file } = task;
  const size = fs.statSync(file).size;
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = http.request(url, { method: 'PUT', headers: { 'content-length': size, 'content-type': 'application/octet-stream' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const seconds = (performance.now() - start) / 1000;
        if (res.statusCode !== 200) reject(new Error(`upload: HTTP ${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 300)}`));
        else resolve({ bytes: size, seconds, mbps: size / 1e6 / seconds });
      });
    });
    req.on('error', reject);
    fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(req);
  });
}

function runDownload(task) {
  const { url, expectBytes } = task;
  return new Promise((resolve, reject) => {
    const start = performance.now();
    http
      .get(url, (res) => {
        let bytes = 0;
        res.on('data', (c) => (bytes += c.length));
        res.on('end', () => {
          const seconds = (performance.now() - start) / 1000;
          if (res.statusCode !== 200) reject(new Error(`download: HTTP ${res.statusCode}`));
          else if (expectBytes && bytes !== expectBytes) reject(new Error(`download: ${bytes} bytes, expected ${expectBytes}`));
          else resolve({ bytes, seconds, mbps: bytes / 1e6 / seconds });
        });
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Several tasks one after the other (saves a process start per measurement). */
async function runBatch(task) {
  const results = [];
  for (const t of task.tasks) results.push(await runners[t.mode](t));
  return results;
}

const runners = { load: runLoad, paging: runPaging, upload: runUpload, download: runDownload, batch: runBatch };
try {
  const task = JSON.parse(process.argv[2]);
  const result = await runners[task.mode](task);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (err) {
  process.stderr.write(`client: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
