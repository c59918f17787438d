#!/usr/bin/env node
// `npm run bench`: flowreg against the pinned `mlflow server`, on the same machine, the same
// backend and the same data, in one run. Writes report.md, results.json and chart.svg into one
// output folder and prints its path.
//
//   npm run bench                          full run: SQLite and PostgreSQL (tens of minutes)
//   npm run bench -- --quick               reduced smoke run, SQLite only (under 2 minutes)
//   options: --backends sqlite,postgres  --reps N  --file-mb N  --out DIR  --keep
//            --steps reads,auth,paging,writes,audit,artifacts,journey  (a subset, to measure only those)
//   environment: FLOWREG_BIN (a flowreg build elsewhere, used as is), FLOWREG_CACHE (virtualenvs),
//                FLOWREG_BENCH_PG_URL (a PostgreSQL superuser URL instead of scripts/postgres.sh)
//
// Exit code 0 when every measurement ran; 1 when one could not run. Never fails for slowness.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIG_MODEL, READS, modelName, searchFilter, ALIAS, ALIAS_VERSION } from './dataset.mjs';
import { AUTH_CONCURRENCY, AUTH_READS, AUTH_VARIANTS, authSettings, prepareReader } from './auth-reads.mjs';
import { ensureFlowreg, ensurePostgres, ensureVenv, machineInfo } from './env.mjs';
import { diskCopy, makeFile, runClient, startSink } from './load.mjs';
import { writeReport } from './report.mjs';
import { createPgDatabase, dropPgDatabase, nodeSqliteVersion, seedDatabase, terminatePgSessions } from './seed.mjs';
import { SERVER_NAMES, freePort, startServer, stopAllServers, stopServer, treeCpuSeconds, treeMemory, waitQuiet, watchMemory } from './servers.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MB = 1024 * 1024;

const FULL = {
  mode: 'full',
  backends: ['sqlite', 'postgres'],
  models: 10_000,
  bigVersions: 100_000,
  pageSize: 10_000, // the MLflow client's default page size for search_model_versions
  pageTimeoutMs: 120_000, // a page slower than this ends the pass (reported as "at least")
  reps: 3,
  globalWarmupMs: 20_000, // per server, before the first measurement
  warmupMs: 2_000,
  durationMs: 5_000,
  concurrency: [1, 16, 64],
  searchConcurrency: [1, 16],
  writeConcurrency: 32,
  writeWarmupMs: 1_000,
  writeDurationMs: 10_000,
  fileMB: 1024,
  warmupFileMB: 64,
  restarts: 3,
  quietMaxMs: 180_000, // after a start, wait for the server to go idle (at most this long)
  settleMs: 5_000,
  idleCpuMs: 10_000,
  journeyReps: 3,
  journeyWarmup: true,
  authMlflow: true, // `mlflow server --app-name basic-auth` beside flowreg's auth rows
  auditWriteDurationMs: 10_000, // per kind, variant and repetition
};

const STEPS = ['reads', 'auth', 'paging', 'writes', 'audit', 'artifacts', 'journey'];

const QUICK = {
  ...FULL,
  mode: 'quick',
  backends: ['sqlite'],
  models: 500,
  bigVersions: 2_000,
  pageSize: 500,
  pageTimeoutMs: 20_000,
  reps: 1,
  globalWarmupMs: 2_000,
  warmupMs: 200,
  durationMs: 500,
  writeWarmupMs: 200,
  writeDurationMs: 1_000,
  fileMB: 64,
  warmupFileMB: 0,
  restarts: 0,
  quietMaxMs: 5_000,
  settleMs: 1_000,
  idleCpuMs: 1_000,
  journeyReps: 1,
  journeyWarmup: false,
  // `mlflow server --app-name basic-auth` takes about a minute to start on this 2-core machine
  // and checks a password hash per request (seconds per request at 16 clients): too long for the
  // smoke run, which keeps flowreg's three auth rows.
  authMlflow: false,
  auditWriteDurationMs: 3_000,
};

function parseArgs(argv) {
  const opts = { quick: false, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--quick':
        opts.quick = true;
        break;
      case '--keep':
        opts.keep = true;
        break;
      case '--backends':
        opts.backends = value().split(',').map((s) => s.trim()).filter(Boolean);
        break;
      case '--reps':
        opts.reps = Number(value());
        break;
      case '--file-mb':
        opts.fileMB = Number(value());
        break;
      case '--out':
        opts.out = value();
        break;
      case '--steps':
        opts.steps = value().split(',').map((s) => s.trim()).filter(Boolean);
        break;
      case '--help':
      case '-h':
        console.log('usage: npm run bench [-- --quick] [--backends sqlite,postgres] [--reps N] [--file-mb N] [--out DIR] [--keep] [--steps ${STEPS.join(',')}]');
        process.exit(0);
        break;
      default:
        console.error(`bench: unknown option ${argv[i]}`);
        process.exit(2);
    }
  }
  for (const b of opts.backends ?? []) if (!['sqlite', 'postgres'].includes(b)) throw new Error(`unknown backend ${b}`);
  for (const s of opts.steps ?? []) if (!STEPS.includes(s)) throw new Error(`unknown step ${s} (steps: ${STEPS.join(', ')})`);
  return opts;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (msg) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

async function api(server, method, pathAndQuery, body) {
  const res = await fetch(`${server.base}${pathAndQuery}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${server.name} ${method} ${pathAndQuery}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** Counts through the API what each server holds, so that both are known to hold the same data. */
async function verifyData(server, cfg) {
  let models = 0;
  let token = null;
  do {
    const qs = new URLSearchParams({ filter: "name LIKE 'model-%'", max_results: '200' });
    if (token) qs.set('page_token', token);
    const page = await api(server, 'GET', `/api/2.0/mlflow/registered-models/search?${qs}`);
    models += (page.registered_models ?? []).length;
    token = page.next_page_token || null;
  } while (token);
  const { filter, expected } = searchFilter(cfg.models);
  const found = await api(server, 'GET', `/api/2.0/mlflow/registered-models/search?${new URLSearchParams({ filter, max_results: '100' })}`);
  const names = (found.registered_models ?? []).map((m) => m.name).sort();
  const alias = await api(server, 'GET', `/api/2.0/mlflow/registered-models/alias?name=${modelName(0)}&alias=${ALIAS}`);
  const big = await api(server, 'GET', `/api/2.0/mlflow/registered-models/get?name=${BIG_MODEL}`);
  return {
    models,
    searchMatches: names.length,
    searchMatchesExpected: JSON.stringify(names) === JSON.stringify([...expected].sort()),
    aliasVersion: Number(alias.model_version.version),
    bigLatestVersion: Number(big.registered_model.latest_versions?.[0]?.version ?? 0),
  };
}

function serverEnv() {
  return {
    MLFLOW_DISABLE_TELEMETRY: 'true',
    DO_NOT_TRACK: 'true',
    PYTHONWARNINGS: 'ignore',
  };
}

class Bench {
  constructor(cfg, opts) {
    this.cfg = cfg;
    this.opts = opts;
    this.failures = [];
    this.stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    this.outDir = path.resolve(opts.out ?? path.join(repo, 'bench-out', `${this.stamp}${cfg.mode === 'quick' ? '-quick' : ''}`));
    this.workDir = path.join(this.outDir, 'work');
    this.logDir = path.join(this.outDir, 'logs');
    fs.mkdirSync(this.workDir, { recursive: true });
    fs.mkdirSync(this.logDir, { recursive: true });
  }

  /** Runs one measurement; a failure is recorded (and makes the exit code 1) without ending the run. */
  async step(label, fn) {
    try {
      return await fn();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log(`FAILED ${label}: ${message}`);
      this.failures.push({ step: label, error: message });
      return undefined;
    }
  }

  /**
   * flowreg's answers must be right, whatever their speed: a request answered with an error, a
   * duplicate version number or an acknowledged version that was not stored is recorded as a
   * failure (exit code 1), so the smoke run in `npm test` catches a broken endpoint. Errors of
   * `mlflow server` are only reported (the errors column of the tables).
   */
  expectCorrect(label, res) {
    const problems = [];
    if (res.errorCount) problems.push(`${res.errorCount} failed request(s) ${JSON.stringify(res.errors)}: ${res.errorSample ?? ''}`);
    if (!res.ok) problems.push('no successful request in the measured window');
    if (res.duplicates) problems.push(`${res.duplicates} duplicate version number(s)`);
    if (res.stored !== undefined && res.stored !== res.created) problems.push(`${res.created} version(s) acknowledged, ${res.stored} stored`);
    if (problems.length) {
      const message = `flowreg: ${problems.join('; ')}`;
      log(`FAILED ${label}: ${message}`);
      this.failures.push({ step: label, error: message });
    }
  }

  async prepare() {
    log('preparing: flowreg build, MLflow virtualenv');
    const flowregBin = ensureFlowreg(repo);
    const { venv, info } = ensureVenv(repo);
    this.venvInfo = info;
    let pgAdmin = null;
    if (this.cfg.backends.includes('postgres')) pgAdmin = ensurePostgres(repo);
    this.env = { flowregBin, venv, pgAdmin, workDir: this.workDir, serverEnv: serverEnv() };
    this.mlflowServer = { server: info.server ?? '?', workers: info.workers ?? '?', uvicornVersion: info.uvicornVersion };
  }

  async databases(backend) {
    const dbs = {};
    for (const name of SERVER_NAMES) {
      if (backend === 'sqlite') {
        const file = path.join(this.workDir, `${backend}-${name}.db`);
        fs.rmSync(file, { force: true });
        dbs[name] = { uri: `sqlite:///${file}` };
      } else {
        const dbName = `bench_${this.stamp.replace('-', '_')}_${name}`;
        const { url, version } = await createPgDatabase(this.env.pgAdmin, dbName);
        this.pgVersion = version;
        dbs[name] = { uri: url, pgName: dbName };
      }
    }
    return dbs;
  }

  async start(name, backend, db, extra = {}) {
    const port = await freePort();
    const artifactsDir = path.join(this.workDir, `${backend}-${name}-artifacts`);
    fs.mkdirSync(artifactsDir, { recursive: true });
    return startServer({ name, env: this.env, backendUri: db.uri, artifactsDir, port, logDir: this.logDir, ...extra });
  }

  order(rep) {
    return rep % 2 === 0 ? SERVER_NAMES : [...SERVER_NAMES].reverse();
  }

  /** Everything for one backend, into `r` (kept in the report even when a step fails). */
  async benchBackend(backend, r) {
    const cfg = this.cfg;
    Object.assign(r, { startup: {}, seeding: {}, verify: {}, idle: {}, reads: {}, authReads: {}, paging: {}, writes: {}, auditWrites: {}, artifacts: {}, journey: {} });
    const dbs = await this.databases(backend);
    const servers = {};
    this.restart = async (name) => {
      await stopServer(servers[name], 10_000);
      if (dbs[name].pgName) await terminatePgSessions(this.env.pgAdmin, dbs[name].pgName);
      servers[name] = await this.start(name, backend, dbs[name]);
      await waitQuiet(servers[name].pid, { maxMs: cfg.quietMaxMs });
    };
    try {
      // Start-up on a new database (schema creation included), one server at a time, each left
      // to finish its start-up work before the next step.
      for (const name of SERVER_NAMES) {
        log(`${backend}: starting ${name} on a new database`);
        servers[name] = await this.start(name, backend, dbs[name]);
        r.startup[name] = { freshMs: servers[name].startMs, restartMs: [] };
        const quiet = await waitQuiet(servers[name].pid, { maxMs: cfg.quietMaxMs });
        log(`${backend}: ${name} answered /health after ${(servers[name].startMs / 1000).toFixed(2)} s, idle ${(quiet.waitedMs / 1000).toFixed(0)} s later`);
      }

      // The same rows into both schemas, in bulk.
      const spec = { models: cfg.models, bigVersions: cfg.bigVersions, t0: Date.UTC(2025, 0, 1) };
      for (const name of SERVER_NAMES) {
        log(`${backend}: seeding ${name} (${cfg.models} models × 5 tags, ${BIG_MODEL} with ${cfg.bigVersions} versions)`);
        r.seeding[name] = await seedDatabase(name, dbs[name].uri, spec);
      }

      // Cold start on the seeded database: stop, start, first 200 from /health.
      for (let i = 0; i < cfg.restarts; i++) {
        for (const name of this.order(i)) {
          await stopServer(servers[name]);
          servers[name] = await this.start(name, backend, dbs[name]);
          r.startup[name].restartMs.push(servers[name].startMs);
          const quiet = await waitQuiet(servers[name].pid, { maxMs: cfg.quietMaxMs });
          log(`${backend}: ${name} restart ${i + 1}: /health after ${(servers[name].startMs / 1000).toFixed(2)} s, idle ${(quiet.waitedMs / 1000).toFixed(0)} s later`);
        }
      }

      for (const name of SERVER_NAMES) r.verify[name] = await verifyData(servers[name], cfg);
      const [vf, vm] = SERVER_NAMES.map((n) => r.verify[n]);
      const expectMatches = searchFilter(cfg.models).expected.length;
      if (JSON.stringify(vf) !== JSON.stringify(vm) || vf.models !== cfg.models || vf.searchMatches !== expectMatches || !vf.searchMatchesExpected
          || vf.aliasVersion !== ALIAS_VERSION || vf.bigLatestVersion !== cfg.bigVersions) {
        throw new Error(`the servers do not hold the same data: ${JSON.stringify(r.verify)}`);
      }
      log(`${backend}: both servers hold ${vf.models} models, ${vf.searchMatches} search matches, ${BIG_MODEL} up to v${vf.bigLatestVersion}`);

      // Idle footprint after start-up.
      if (cfg.restarts > 0) for (const name of SERVER_NAMES) await waitQuiet(servers[name].pid, { maxMs: cfg.quietMaxMs });
      await sleep(cfg.settleMs);
      const cpu0 = {};
      for (const name of SERVER_NAMES) {
        r.idle[name] = treeMemory(servers[name].pid, { pss: true });
        cpu0[name] = treeCpuSeconds(servers[name].pid);
      }
      await sleep(cfg.idleCpuMs);
      for (const name of SERVER_NAMES) r.idle[name].cpuPercent = ((treeCpuSeconds(servers[name].pid) - cpu0[name]) / (cfg.idleCpuMs / 1000)) * 100;
      log(`${backend}: idle RSS ${SERVER_NAMES.map((n) => `${n} ${(r.idle[n].rss / MB).toFixed(0)} MiB`).join(', ')}`);

      // Warm-up of every worker process (mlflow's uvicorn workers each set up their store on their
      // first requests): every read at 64 clients, not measured.
      await runClient({
        mode: 'batch',
        tasks: SERVER_NAMES.flatMap((name) =>
          [...Object.keys(READS), 'search_registered_models'].map((kind) => ({
            mode: 'load', base: servers[name].base, kind, models: cfg.models, concurrency: 64, warmupMs: 0, durationMs: cfg.globalWarmupMs / 4, seed: 99,
          })),
        ),
      });
      const steps = cfg.steps;
      if (steps.includes('reads')) await this.step(`${backend} reads`, () => this.reads(backend, servers, r));
      if (steps.includes('auth')) await this.step(`${backend} reads with authentication`, () => this.authReads(backend, servers, dbs, r));
      if (steps.includes('paging')) await this.step(`${backend} paging`, () => this.paging(backend, servers, r));
      if (steps.includes('writes')) await this.step(`${backend} writes`, () => this.writes(backend, servers, r));
      if (steps.includes('audit')) await this.step(`${backend} writes with the audit trail on and off`, () => this.auditWrites(backend, servers, dbs, r));
      if (steps.includes('artifacts')) await this.step(`${backend} artifacts`, () => this.artifacts(backend, servers, r));
      if (steps.includes('journey')) await this.step(`${backend} journey`, () => this.journey(backend, servers, r));
    } finally {
      await Promise.all(Object.values(servers).map((server) => stopServer(server, 5_000)));
      if (!this.opts.keep) {
        for (const name of SERVER_NAMES) {
          if (dbs[name].pgName) await dropPgDatabase(this.env.pgAdmin, dbs[name].pgName).catch(() => {});
          fs.rmSync(path.join(this.workDir, `${backend}-${name}-artifacts`), { recursive: true, force: true });
        }
      }
    }
  }

  async reads(backend, servers, r) {
    const cfg = this.cfg;
    const plan = [
      ...Object.keys(READS).map((kind) => [kind, cfg.concurrency]),
      ['search_registered_models', cfg.searchConcurrency],
    ];
    for (let rep = 0; rep < cfg.reps; rep++) {
      // One load-generator process per repetition runs the whole plan, alternating the servers.
      const tasks = [];
      for (const [kind, levels] of plan) {
        for (const c of levels) {
          for (const name of this.order(rep)) {
            tasks.push({ mode: 'load', server: name, base: servers[name].base, kind, models: cfg.models, concurrency: c, warmupMs: cfg.warmupMs, durationMs: cfg.durationMs, seed: rep + 1 });
          }
        }
      }
      const results = await runClient({ mode: 'batch', tasks });
      results.forEach((res, i) => {
        const { server: name, kind, concurrency: c } = tasks[i];
        ((r.reads[kind] ??= {})[c] ??= { flowreg: [], mlflow: [] })[name].push(res);
        log(`${backend} rep ${rep + 1} ${kind} c=${c} ${name}: ${res.rps.toFixed(0)} req/s, p50 ${res.latencyMs.p50?.toFixed(2)} ms, p99 ${res.latencyMs.p99?.toFixed(2)} ms${res.errorCount ? `, ${res.errorCount} errors` : ''}`);
        if (name === 'flowreg') this.expectCorrect(`${backend} rep ${rep + 1} ${kind} c=${c}`, res);
      });
    }
  }

  /**
   * Reads at 16 clients with authentication on (scripts/bench/auth-reads.mjs): a second instance of
   * each server, `--app-name basic-auth`, on the same database; measured back to back with the
   * instance without authentication, alternating, in one load-generator process per repetition.
   */
  async authReads(backend, servers, dbs, r) {
    const cfg = this.cfg;
    const names = cfg.authMlflow ? SERVER_NAMES : SERVER_NAMES.filter((n) => n !== 'mlflow');
    r.authReads = { mlflowSkipped: !cfg.authMlflow, startMs: {}, runs: {} };
    const on = {};
    const targets = {};
    try {
      for (const name of names) {
        const t0 = performance.now();
        on[name] = await this.start(name, backend, dbs[name], authSettings(name, this.workDir, backend));
        await waitQuiet(on[name].pid, { maxMs: cfg.quietMaxMs });
        const headers = await prepareReader(name, on[name].base, `/api/2.0/mlflow/registered-models/get?name=${modelName(0)}`);
        r.authReads.startMs[name] = performance.now() - t0;
        log(`${backend}: ${name} with --app-name basic-auth ready (reader created) in ${(r.authReads.startMs[name] / 1000).toFixed(1)} s`);
        targets[name] = { off: { base: servers[name].base } };
        for (const [variant, authorization] of Object.entries(headers)) targets[name][variant] = { base: on[name].base, authorization };
      }
      const load = (name, variant, kind, extra) => ({ mode: 'load', server: name, variant, kind, models: cfg.models, concurrency: AUTH_CONCURRENCY, ...targets[name][variant], ...extra });
      // Warm-up of the new instances (every worker of `mlflow server`), not measured.
      await runClient({
        mode: 'batch',
        tasks: names.flatMap((name) => AUTH_VARIANTS[name].filter((v) => v !== 'off').flatMap((v) => AUTH_READS.map((kind) => load(name, v, kind, { warmupMs: 0, durationMs: cfg.globalWarmupMs / 4, seed: 99 })))),
      });
      for (let rep = 0; rep < cfg.reps; rep++) {
        const tasks = [];
        for (const kind of AUTH_READS) {
          for (const name of this.order(rep).filter((n) => names.includes(n))) {
            const variants = rep % 2 === 0 ? AUTH_VARIANTS[name] : [...AUTH_VARIANTS[name]].reverse();
            for (const variant of variants) tasks.push(load(name, variant, kind, { warmupMs: cfg.warmupMs, durationMs: cfg.durationMs, seed: rep + 1 }));
          }
        }
        const results = await runClient({ mode: 'batch', tasks });
        results.forEach((res, i) => {
          const { server: name, variant, kind } = tasks[i];
          ((((r.authReads.runs ??= {})[kind] ??= {})[name] ??= {})[variant] ??= []).push(res);
          log(`${backend} rep ${rep + 1} ${kind} c=${AUTH_CONCURRENCY} ${name} auth ${variant}: ${res.rps.toFixed(0)} req/s, p50 ${res.latencyMs.p50?.toFixed(2)} ms, p99 ${res.latencyMs.p99?.toFixed(2)} ms${res.errorCount ? `, ${res.errorCount} errors` : ''}`);
          if (name === 'flowreg') this.expectCorrect(`${backend} rep ${rep + 1} ${kind} c=${AUTH_CONCURRENCY} auth ${variant}`, res);
        });
      }
    } finally {
      await Promise.all(Object.values(on).map((server) => stopServer(server, 5_000)));
    }
  }

  async paging(backend, servers, r) {
    const cfg = this.cfg;
    const task = (name) => ({ mode: 'paging', base: servers[name].base, filter: `name='${BIG_MODEL}'`, pageSize: cfg.pageSize, pageTimeoutMs: cfg.pageTimeoutMs });
    const describe = (res) =>
      res.finished
        ? `${res.latencyMs.count} pages, p50 ${res.latencyMs.p50.toFixed(0)} ms/page, total ${(res.totalMs / 1000).toFixed(2)} s`
        : `gave up: page ${res.pagesDone + 1} took more than ${cfg.pageTimeoutMs / 1000} s`;
    const active = [];
    for (const name of SERVER_NAMES) {
      // Warm-up pass, which also checks that both return every version.
      r.paging[name] = [];
      const watch = watchMemory(servers[name].pid);
      const warm = await runClient(task(name));
      warm.memory = watch.stop();
      delete warm.pages;
      if (!warm.finished) {
        // The server may still be busy with the abandoned page: restart it; the warm-up pass is
        // then the only (lower-bound) measurement.
        log(`${backend} paging ${name} warm-up: ${describe(warm)}; restarting it`);
        r.paging[name].push(warm);
        await this.restart(name);
        continue;
      }
      if (warm.total !== cfg.bigVersions) throw new Error(`${name}: search_model_versions returned ${warm.total} versions, expected ${cfg.bigVersions}`);
      active.push(name);
    }
    for (let rep = 0; rep < cfg.reps; rep++) {
      for (const name of this.order(rep).filter((n) => active.includes(n))) {
        const watch = watchMemory(servers[name].pid);
        const res = await runClient(task(name));
        res.memory = watch.stop();
        delete res.pages;
        r.paging[name].push(res);
        log(`${backend} rep ${rep + 1} paging ${name}: ${describe(res)}, peak RSS ${(res.memory.peak / MB).toFixed(0)} MiB`);
        if (!res.finished) {
          active.splice(active.indexOf(name), 1);
          await this.restart(name);
        }
      }
    }
  }

  async writes(backend, servers, r) {
    const cfg = this.cfg;
    for (const name of SERVER_NAMES) r.writes[name] = [];
    for (let rep = 0; rep < cfg.reps; rep++) {
      for (const name of this.order(rep)) {
        const writeModel = `writes-${rep + 1}`;
        await api(servers[name], 'POST', '/api/2.0/mlflow/registered-models/create', { name: writeModel });
        const res = await runClient({
          mode: 'load',
          base: servers[name].base,
          kind: 'create_model_version',
          writeModel,
          concurrency: cfg.writeConcurrency,
          warmupMs: cfg.writeWarmupMs,
          durationMs: cfg.writeDurationMs,
        });
        // What the server stored: every version once, numbered 1..N without a gap.
        const stored = await runClient({ mode: 'paging', base: servers[name].base, filter: `name='${writeModel}'`, pageSize: 10_000 });
        res.stored = stored.total;
        r.writes[name].push(res);
        log(`${backend} rep ${rep + 1} writes ${name}: ${res.rps.toFixed(0)} versions/s, ${res.errorCount} errors, ${res.duplicates} duplicates, ${res.created} acknowledged, ${res.stored} stored`);
        if (name === 'flowreg') this.expectCorrect(`${backend} rep ${rep + 1} writes`, res);
      }
    }
  }

  /**
   * What the audit trail costs a write (flowreg only; `mlflow server` has none): a second flowreg
   * instance with `--no-audit` on the same database, beside the one with the trail on (the
   * default). Each repetition runs the write load on both, back to back in alternating order:
   * `create_model_version` on a new model, then `set_registered_model_alias` (aliases moved over
   * version 1), at the write step's concurrency.
   */
  async auditWrites(backend, servers, dbs, r) {
    const cfg = this.cfg;
    const off = await this.start('flowreg', backend, dbs.flowreg, { extraArgs: ['--no-audit'] });
    try {
      await waitQuiet(off.pid, { maxMs: cfg.quietMaxMs });
      const targets = { on: servers.flowreg, off };
      r.auditWrites = { concurrency: cfg.writeConcurrency, durationMs: cfg.auditWriteDurationMs, runs: {} };
      for (let rep = 0; rep < cfg.reps; rep++) {
        for (const variant of rep % 2 === 0 ? ['on', 'off'] : ['off', 'on']) {
          const writeModel = `audit-${variant}-${rep + 1}`;
          await api(targets[variant], 'POST', '/api/2.0/mlflow/registered-models/create', { name: writeModel });
          await api(targets[variant], 'POST', '/api/2.0/mlflow/model-versions/create', { name: writeModel, source: `s3://bench-writes/${writeModel}/first` });
          for (const kind of ['create_model_version', 'set_alias']) {
            const res = await runClient({
              mode: 'load',
              base: targets[variant].base,
              kind,
              writeModel,
              concurrency: cfg.writeConcurrency,
              warmupMs: cfg.writeWarmupMs,
              durationMs: cfg.auditWriteDurationMs,
            });
            (((r.auditWrites.runs[kind] ??= {})[variant]) ??= []).push(res);
            log(`${backend} rep ${rep + 1} ${kind} audit ${variant}: ${res.rps.toFixed(0)} req/s, p99 ${res.latencyMs.p99?.toFixed(2)} ms${res.errorCount ? `, ${res.errorCount} errors` : ''}`);
            this.expectCorrect(`${backend} rep ${rep + 1} ${kind} audit ${variant}`, res);
          }
        }
      }
    } finally {
      await stopServer(off, 10_000);
    }
  }

  async artifacts(backend, servers, r) {
    const cfg = this.cfg;
    const file = path.join(this.workDir, `blob-${cfg.fileMB}MiB.bin`);
    makeFile(file, cfg.fileMB * MB);
    const bytes = cfg.fileMB * MB;
    const ref = (r.artifacts.reference = { cp: [], loopbackUpload: [], loopbackDownload: [] });
    for (const name of SERVER_NAMES) r.artifacts[name] = { upload: [], download: [] };
    const url = (name, key) => `${servers[name].base}/api/2.0/mlflow-artifacts/artifacts/bench/${key}/blob.bin`;
    const removeStored = (name, key) => fs.rmSync(path.join(servers[name].artifactsDir, 'bench', key), { recursive: true, force: true });

    if (cfg.warmupFileMB) {
      const warmFile = path.join(this.workDir, `blob-${cfg.warmupFileMB}MiB.bin`);
      makeFile(warmFile, cfg.warmupFileMB * MB);
      for (const name of SERVER_NAMES) {
        await runClient({ mode: 'upload', url: url(name, 'warmup'), file: warmFile });
        await runClient({ mode: 'download', url: url(name, 'warmup') });
        removeStored(name, 'warmup');
      }
    }
    const sink = await startSink(file);
    try {
      for (let rep = 0; rep < cfg.reps; rep++) {
        ref.cp.push(diskCopy(file, path.join(this.workDir, 'blob-copy.bin')));
        ref.loopbackUpload.push(await runClient({ mode: 'upload', url: `${sink.base}/blob.bin`, file }));
        ref.loopbackDownload.push(await runClient({ mode: 'download', url: `${sink.base}/blob.bin`, expectBytes: bytes }));
        for (const name of this.order(rep)) {
          const key = `rep-${rep + 1}`;
          let watch = watchMemory(servers[name].pid);
          const up = await runClient({ mode: 'upload', url: url(name, key), file });
          up.memory = watch.stop();
          watch = watchMemory(servers[name].pid);
          const down = await runClient({ mode: 'download', url: url(name, key), expectBytes: bytes });
          down.memory = watch.stop();
          removeStored(name, key);
          r.artifacts[name].upload.push(up);
          r.artifacts[name].download.push(down);
          log(`${backend} rep ${rep + 1} artifacts ${name}: up ${up.mbps.toFixed(0)} MB/s (peak ${(up.memory.peak / MB).toFixed(0)} MiB), down ${down.mbps.toFixed(0)} MB/s (peak ${(down.memory.peak / MB).toFixed(0)} MiB)`);
        }
        log(`${backend} rep ${rep + 1} references: cp ${ref.cp.at(-1).mbps.toFixed(0)} MB/s, loopback up ${ref.loopbackUpload.at(-1).mbps.toFixed(0)} MB/s, down ${ref.loopbackDownload.at(-1).mbps.toFixed(0)} MB/s`);
      }
    } finally {
      await sink.stop();
    }
  }

  async journey(backend, servers, r) {
    const cfg = this.cfg;
    const targets = SERVER_NAMES.map((name) => ({ name, uri: servers[name].base }));
    const args = [path.join(repo, 'scripts/bench/journey.py'), JSON.stringify(targets), String(cfg.journeyReps)];
    if (!cfg.journeyWarmup) args.push('--local-warmup');
    const out = await new Promise((resolve, reject) => {
      const child = spawn(path.join(this.env.venv, 'bin/python'), args, {
        cwd: this.workDir,
        env: { ...process.env, ...serverEnv(), MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0', MLFLOW_TRACKING_URI: '', MLFLOW_REGISTRY_URI: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => (stderr += c));
      child.on('exit', (code) => {
        fs.writeFileSync(path.join(this.logDir, `journey-${backend}.log`), stderr);
        if (code === 0) resolve(JSON.parse(stdout.trim().split('\n').pop()));
        else reject(new Error(`journey.py exit ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`));
      });
    });
    r.journey = out;
    for (const name of SERVER_NAMES) {
      log(`${backend} journey ${name}: ${out[name].map((j) => j.total_s.toFixed(2)).join(', ')} s`);
    }
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, async () => {
      log(`${signal}: stopping the servers`);
      await stopAllServers();
      process.exit(130);
    });
  }
  const cfg = { ...(opts.quick ? QUICK : FULL) };
  for (const key of ['backends', 'reps', 'fileMB', 'steps']) if (opts[key] !== undefined) cfg[key] = opts[key];
  cfg.steps ??= STEPS;
  const t0 = performance.now();
  const bench = new Bench(cfg, opts);
  log(`${cfg.mode} run → ${bench.outDir}`);
  const results = { meta: { date: new Date().toISOString(), config: cfg, loadavgStart: os.loadavg() }, backends: {}, failures: bench.failures };
  let exitCode = 0;
  try {
    await bench.prepare();
    results.meta.mlflowServer = bench.mlflowServer;
    for (const backend of cfg.backends) {
      results.backends[backend] = {};
      await bench.step(`${backend}`, () => bench.benchBackend(backend, results.backends[backend]));
    }
    results.meta.machine = machineInfo({ flowregBin: bench.env.flowregBin, venvInfo: bench.venvInfo, pgVersion: bench.pgVersion, nodeSqlite: nodeSqliteVersion() });
  } catch (err) {
    bench.failures.push({ step: 'prepare', error: err instanceof Error ? err.message : String(err) });
    log(`FAILED: ${err instanceof Error ? err.stack : err}`);
  }
  results.meta.loadavgEnd = os.loadavg();
  results.meta.seconds = (performance.now() - t0) / 1000;
  fs.writeFileSync(path.join(bench.outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  try {
    writeReport(bench.outDir, results);
  } catch (err) {
    bench.failures.push({ step: 'report', error: err instanceof Error ? err.message : String(err) });
    log(`FAILED report: ${err instanceof Error ? err.stack : err}`);
  }
  if (!opts.keep) fs.rmSync(bench.workDir, { recursive: true, force: true });
  if (bench.failures.length) exitCode = 1;
  log(`done in ${results.meta.seconds.toFixed(0)} s${bench.failures.length ? `, ${bench.failures.length} failure(s)` : ''}`);
  console.log(bench.outDir);
  process.exit(exitCode);
}

main();
