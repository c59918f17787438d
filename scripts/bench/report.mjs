// results.json → report.md (tables: both servers' medians and the ratio) and chart.svg (the
// ratio of every row, log scale, one bar per backend).
import fs from 'node:fs';
import path from 'node:path';
import { AUTH_CONCURRENCY } from './auth-reads.mjs';
import { median } from './stats.mjs';

const MiB = 1024 * 1024;
const BACKEND_LABEL = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
const BACKEND_COLOR = { sqlite: '#3b6fb6', postgres: '#2e9e6b' };
const READ_LABEL = {
  get_registered_model: '`get_registered_model`',
  get_model_version: '`get_model_version`',
  get_model_version_by_alias: '`get_model_version_by_alias`',
  search_registered_models: '`search_registered_models` (name LIKE + 2 tags)',
};

/**
 * Causes found for rows where flowreg comes out slower, shown next to such rows (by row id, then
 * by its first two parts, then by section). A slower row without an entry is reported as within
 * noise when the repetitions of the two servers overlap, and as "cause not analysed" otherwise.
 */
const CAUSES = {};

// --- formatting ------------------------------------------------------------------------------

function fmt(v, unit) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (unit === 'count') return String(Math.round(v));
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** flowreg's advantage: >1 when flowreg is better, whatever the direction of the metric. */
function advantage(row) {
  const { f, m, better } = row;
  if (!better || f === null || m === null || f === undefined || m === undefined) return null;
  if (better === 'higher') return f > 0 ? f / m : m > 0 ? 0 : null;
  if (f === 0 && m === 0) return 1;
  return f > 0 ? m / f : Infinity;
}

/** '≥' or '≤' when one side is only a lower bound; null when both are (no ratio). */
function ratioBound(row) {
  if (row.fMin && row.mMin) return null;
  if (!row.fMin && !row.mMin) return '';
  // flowreg at least f: it can only be worse than shown; mlflow at least m: flowreg can only be better.
  const flowregWorse = row.fMin;
  return flowregWorse ? '≤' : '≥';
}

function fmtRatio(r, bound = '') {
  if (bound === null || r === null || r === undefined || Number.isNaN(r)) return '—';
  if (r === Infinity) return '∞';
  const digits = r >= 10 ? 0 : r >= 1 ? 1 : 2;
  const s = `${bound}${r.toFixed(digits)}×`;
  return r < 1 ? `**${s}** (slower)` : s;
}

const fmtBound = (v, unit, atLeast) => (atLeast && v !== null && v !== undefined ? `≥ ${fmt(v, unit)} (did not finish)` : fmt(v, unit));

const values = (runs, pick) => (runs ?? []).map(pick).filter((x) => x !== undefined && x !== null && Number.isFinite(x));
const med = (runs, pick) => median(values(runs, pick));
/** Median and range of one figure over the repetitions. */
const st = (runs, pick) => {
  const xs = values(runs, pick);
  return { v: median(xs), lo: xs.length ? Math.min(...xs) : null, hi: xs.length ? Math.max(...xs) : null, n: xs.length };
};

// --- rows --------------------------------------------------------------------------------------

/** The comparison rows of one backend: { id, section, label, unit, better, f, m }. */
export function backendRows(b) {
  const rows = [];
  // `bound` marks a server whose figure is only a lower bound (it did not finish).
  const add = (section, id, label, unit, better, f, m, bound = {}) => {
    const F = f !== null && typeof f === 'object' ? f : { v: f, n: 1 };
    const M = m !== null && typeof m === 'object' ? m : { v: m, n: 1 };
    rows.push({ section, id, label, unit, better, f: F.v, m: M.v, fRange: F, mRange: M, fMin: !!bound.flowreg, mMin: !!bound.mlflow });
  };

  // reads and search
  for (const [kind, levels] of Object.entries(b.reads ?? {})) {
    for (const [c, runs] of Object.entries(levels)) {
      const base = `reads.${kind}.${c}`;
      const lbl = `${READ_LABEL[kind] ?? kind}, ${c} client${c === '1' ? '' : 's'}`;
      add('reads', `${base}.rps`, `${lbl}: requests/s`, 'req/s', 'higher', st(runs.flowreg, (x) => x.rps), st(runs.mlflow, (x) => x.rps));
      add('reads', `${base}.p50`, `${lbl}: p50`, 'ms', 'lower', st(runs.flowreg, (x) => x.latencyMs.p50), st(runs.mlflow, (x) => x.latencyMs.p50));
      add('reads', `${base}.p99`, `${lbl}: p99`, 'ms', 'lower', st(runs.flowreg, (x) => x.latencyMs.p99), st(runs.mlflow, (x) => x.latencyMs.p99));
      add('reads', `${base}.errors`, `${lbl}: errors`, 'count', null, st(runs.flowreg, (x) => x.errorCount), st(runs.mlflow, (x) => x.errorCount));
    }
  }

  // reads with authentication on: flowreg vs `mlflow server`, both with Basic credentials of a reader
  for (const [kind, byServer] of Object.entries(b.authReads?.runs ?? {})) {
    const lbl = `${READ_LABEL[kind] ?? kind}, ${AUTH_CONCURRENCY} clients, authentication on (Basic)`;
    const f = byServer.flowreg?.basic;
    const m = byServer.mlflow?.basic;
    add('auth', `auth.${kind}.${AUTH_CONCURRENCY}.basic.rps`, `${lbl}: requests/s`, 'req/s', 'higher', st(f, (x) => x.rps), m ? st(m, (x) => x.rps) : null);
    add('auth', `auth.${kind}.${AUTH_CONCURRENCY}.basic.p99`, `${lbl}: p99`, 'ms', 'lower', st(f, (x) => x.latencyMs.p99), m ? st(m, (x) => x.latencyMs.p99) : null);
  }

  const p = b.paging ?? {};
  if (p.flowreg || p.mlflow) {
    const unfinished = { flowreg: (p.flowreg ?? []).some((x) => x.finished === false), mlflow: (p.mlflow ?? []).some((x) => x.finished === false) };
    add('paging', 'paging.p50', 'per-page latency, p50', 'ms', 'lower', st(p.flowreg, (x) => x.latencyMs.p50), st(p.mlflow, (x) => x.latencyMs.p50), unfinished);
    add('paging', 'paging.max', 'slowest page', 'ms', 'lower', st(p.flowreg, (x) => x.latencyMs.max), st(p.mlflow, (x) => x.latencyMs.max), unfinished);
    add('paging', 'paging.total', 'all pages, total', 's', 'lower', st(p.flowreg, (x) => x.totalMs / 1000), st(p.mlflow, (x) => x.totalMs / 1000), unfinished);
    add('paging', 'paging.peak', 'server peak RSS while paging', 'MiB', 'lower', st(p.flowreg, (x) => x.memory.peak / MiB), st(p.mlflow, (x) => x.memory.peak / MiB), unfinished);
  }

  const w = b.writes ?? {};
  if (w.flowreg || w.mlflow) {
    add('writes', 'writes.rps', 'versions created/s', 'req/s', 'higher', st(w.flowreg, (x) => x.rps), st(w.mlflow, (x) => x.rps));
    add('writes', 'writes.p50', 'latency p50', 'ms', 'lower', st(w.flowreg, (x) => x.latencyMs.p50), st(w.mlflow, (x) => x.latencyMs.p50));
    add('writes', 'writes.p99', 'latency p99', 'ms', 'lower', st(w.flowreg, (x) => x.latencyMs.p99), st(w.mlflow, (x) => x.latencyMs.p99));
    const sum = (runs, pick) => (runs ? runs.reduce((a, x) => a + pick(x), 0) : null);
    add('writes', 'writes.errors', 'failed requests (all repetitions)', 'count', null, sum(w.flowreg, (x) => x.errorCount), sum(w.mlflow, (x) => x.errorCount));
    add('writes', 'writes.duplicates', 'duplicate version numbers (all repetitions)', 'count', null, sum(w.flowreg, (x) => x.duplicates), sum(w.mlflow, (x) => x.duplicates));
    add('writes', 'writes.lost', 'acknowledged but not stored (all repetitions)', 'count', null, sum(w.flowreg, (x) => x.created - x.stored), sum(w.mlflow, (x) => x.created - x.stored));
  }

  const a = b.artifacts ?? {};
  if (a.flowreg || a.mlflow) {
    const up = (s) => a[s]?.upload;
    const down = (s) => a[s]?.download;
    add('artifacts', 'artifacts.upload', 'upload (PUT through the proxy)', 'MB/s', 'higher', st(up('flowreg'), (x) => x.mbps), st(up('mlflow'), (x) => x.mbps));
    add('artifacts', 'artifacts.download', 'download (GET through the proxy)', 'MB/s', 'higher', st(down('flowreg'), (x) => x.mbps), st(down('mlflow'), (x) => x.mbps));
    add('artifacts', 'artifacts.upload.peak', 'server peak RSS during the upload', 'MiB', 'lower', st(up('flowreg'), (x) => x.memory.peak / MiB), st(up('mlflow'), (x) => x.memory.peak / MiB));
    add('artifacts', 'artifacts.download.peak', 'server peak RSS during the download', 'MiB', 'lower', st(down('flowreg'), (x) => x.memory.peak / MiB), st(down('mlflow'), (x) => x.memory.peak / MiB));
  }

  const s = b.startup ?? {};
  const idle = b.idle ?? {};
  if (idle.flowreg || s.flowreg) {
    add('footprint', 'footprint.rss', 'idle RSS after start-up (sum over processes)', 'MiB', 'lower', idle.flowreg ? idle.flowreg.rss / MiB : null, idle.mlflow ? idle.mlflow.rss / MiB : null);
    add('footprint', 'footprint.pss', 'idle PSS after start-up (shared pages split)', 'MiB', 'lower', idle.flowreg ? idle.flowreg.pss / MiB : null, idle.mlflow ? idle.mlflow.pss / MiB : null);
    add('footprint', 'footprint.processes', 'processes', 'count', null, idle.flowreg?.processes ?? null, idle.mlflow?.processes ?? null);
    add('footprint', 'footprint.cpu', 'idle CPU (% of one core)', '%', 'lower', idle.flowreg?.cpuPercent ?? null, idle.mlflow?.cpuPercent ?? null);
    add('footprint', 'footprint.fresh', 'cold start to first 200 from `/health`, new database', 's', 'lower', s.flowreg ? s.flowreg.freshMs / 1000 : null, s.mlflow ? s.mlflow.freshMs / 1000 : null);
    if (s.flowreg?.restartMs?.length || s.mlflow?.restartMs?.length) add('footprint', 'footprint.restart', 'cold start to first 200 from `/health`, seeded database', 's', 'lower', median((s.flowreg?.restartMs ?? []).map((x) => x / 1000)), median((s.mlflow?.restartMs ?? []).map((x) => x / 1000)));
  }

  const j = b.journey ?? {};
  if (j.flowreg || j.mlflow) {
    add('journey', 'journey.log', '`log_model(..., registered_model_name=)`', 's', 'lower', st(j.flowreg, (x) => x.log_register_s), st(j.mlflow, (x) => x.log_register_s));
    add('journey', 'journey.alias', '`set_registered_model_alias`', 's', 'lower', st(j.flowreg, (x) => x.alias_s), st(j.mlflow, (x) => x.alias_s));
    add('journey', 'journey.load', '`load_model("models:/m@alias")` + predict', 's', 'lower', st(j.flowreg, (x) => x.load_s), st(j.mlflow, (x) => x.load_s));
    add('journey', 'journey.total', 'whole journey', 's', 'lower', st(j.flowreg, (x) => x.total_s), st(j.mlflow, (x) => x.total_s));
  }
  for (const row of rows) row.ratio = advantage(row);
  return rows;
}

/**
 * The change of throughput when authentication is on: on/off − 1, per repetition (on and off are
 * measured back to back in the same repetition), as { v: median, lo, hi, n } in % (negative: lost);
 * null without figures.
 */
export function authChange(byVariant, variant) {
  const off = byVariant?.off ?? [];
  const on = byVariant?.[variant] ?? [];
  const xs = on.map((x, i) => (off[i]?.rps > 0 ? (x.rps / off[i].rps - 1) * 100 : null)).filter((x) => x !== null && Number.isFinite(x));
  return xs.length ? { v: median(xs), lo: Math.min(...xs), hi: Math.max(...xs), n: xs.length } : null;
}

const fmtPercent = (x) => `${x < 0 ? '−' : '+'}${fmt(Math.abs(x))} %`;

function fmtChange(o) {
  if (!o) return '—';
  const one = fmtPercent;
  return o.n >= 2 ? `${one(o.v)} (${one(o.lo)} … ${one(o.hi)})` : one(o.v);
}

/** The auth table of one backend: each server off / on, req/s (median), and the change of throughput. */
function authTable(b) {
  const a = b.authReads ?? {};
  const rps = (runs) => fmt(med(runs, (x) => x.rps));
  const lines = Object.entries(a.runs ?? {}).map(([kind, { flowreg: f = {}, mlflow: m }]) => [
    `${READ_LABEL[kind] ?? kind}, ${AUTH_CONCURRENCY} clients`,
    rps(f.off), rps(f.basic), rps(f.bearer), fmtChange(authChange(f, 'basic')), fmtChange(authChange(f, 'bearer')),
    ...(m ? [rps(m.off), rps(m.basic), fmtChange(authChange(m, 'basic'))] : ['not run', 'not run', '—']),
  ]);
  const note = a.mlflowSkipped
    ? '\n\n`mlflow server --app-name basic-auth` was not run in this quick run (it takes about a minute to start here and seconds per request at 16 clients); the full run measures it.'
    : '';
  return table(
    ['request, clients', 'flowreg off req/s', 'flowreg Basic req/s', 'flowreg Bearer req/s', 'flowreg change, Basic', 'flowreg change, Bearer', 'mlflow off req/s', 'mlflow Basic req/s', 'mlflow change, Basic'],
    lines,
  ) + note;
}

/** The summary cell: the change of throughput with authentication on, per server. */
function authSummary(b) {
  const runs = Object.values(b.authReads?.runs ?? {});
  if (!runs.length) return '—';
  const span = (server, variant) => {
    const os = runs.map((r) => authChange(r[server], variant)).filter(Boolean).map((o) => o.v);
    if (!os.length) return null;
    const one = fmtPercent;
    const lo = Math.min(...os);
    const hi = Math.max(...os);
    return one(lo) === one(hi) ? one(lo) : `${one(lo)} … ${one(hi)}`;
  };
  const parts = [`flowreg ${span('flowreg', 'basic') ?? '—'} (Basic), ${span('flowreg', 'bearer') ?? '—'} (Bearer)`];
  parts.push(`\`mlflow server\` ${span('mlflow', 'basic') ?? 'not run'} (Basic)`);
  return parts.join('; ');
}

const AUDIT_LABEL = { create_model_version: '`create_model_version`', set_alias: '`set_registered_model_alias`' };

/** The audit table of one backend (flowreg only): writes/s with the trail on and with `--no-audit`, and the change. */
function auditTable(b) {
  const a = b.auditWrites ?? {};
  const rps = (runs) => fmt(med(runs, (x) => x.rps));
  const p99 = (runs) => fmt(med(runs, (x) => x.latencyMs.p99), 'ms');
  const lines = Object.entries(a.runs ?? {}).map(([kind, v]) => [
    `${AUDIT_LABEL[kind] ?? kind}, ${a.concurrency} clients`,
    rps(v.off), rps(v.on), fmtChange(authChange(v, 'on')), p99(v.off), p99(v.on),
  ]);
  return table(['writes, audit on/off', '`--no-audit` req/s', 'audit on req/s', 'change', '`--no-audit` p99 ms', 'audit on p99 ms'], lines);
}

/** The summary cell: the change of write throughput with the audit trail on. */
function auditSummary(b) {
  const runs = Object.entries(b.auditWrites?.runs ?? {});
  if (!runs.length) return '—';
  return runs.map(([kind, v]) => `${AUDIT_LABEL[kind] ?? kind} ${fmtChange(authChange(v, 'on'))}`).join('; ');
}

/** For a row whose repetitions overlap between the two servers: a statement of that. */
function noiseCause(row) {
  const { fRange: f, mRange: m } = row;
  if (!(f.n >= 2 && m.n >= 2) || f.hi < m.lo || m.hi < f.lo) return null;
  return `within the run-to-run noise of this shared machine: the repetitions overlap (flowreg ${fmt(f.lo, row.unit)}–${fmt(f.hi, row.unit)}, \`mlflow server\` ${fmt(m.lo, row.unit)}–${fmt(m.hi, row.unit)} ${row.unit})`;
}

// --- summary ---------------------------------------------------------------------------------

const SUMMARY = [
  ['Registry reads: `get_registered_model`, `get_model_version`, `get_model_version_by_alias`, 1–64 clients (req/s)', (id) => /^reads\.get_[a-z_]+\.\d+\.rps$/.test(id)],
  ['Same reads, p99 latency', (id) => /^reads\.get_[a-z_]+\.\d+\.p99$/.test(id)],
  ['Registry reads with authentication on (Basic, a non-admin reader), 16 clients (req/s)', (id) => /^auth\.[a-z_]+\.\d+\.basic\.rps$/.test(id)],
  ['`search_registered_models`, name LIKE + 2 tags over {models} models (req/s)', (id) => /^reads\.search_registered_models\.\d+\.rps$/.test(id)],
  ['`search_model_versions` paging, per-page p50', (id) => id === 'paging.p50'],
  ['`create_model_version`, 32 clients (versions/s)', (id) => id === 'writes.rps'],
  ['Artifact upload / download through the proxy (MB/s)', (id) => id === 'artifacts.upload' || id === 'artifacts.download'],
  ['Server peak RSS during the transfers', (id) => id === 'artifacts.upload.peak' || id === 'artifacts.download.peak'],
  ['Idle RSS after start-up', (id) => id === 'footprint.rss'],
  ['Cold start to the first 200 from `/health`', (id) => id === 'footprint.fresh' || id === 'footprint.restart'],
  ['Client journey, `log_model` + alias + `load_model` (wall time)', (id) => id === 'journey.total'],
];

function ratioSpan(rows) {
  const rs = rows.filter((r) => r.better && r.ratio !== null && ratioBound(r) !== null);
  if (!rs.length) return '—';
  const lo = rs.reduce((a, r) => (r.ratio < a.ratio ? r : a));
  const hi = rs.reduce((a, r) => (r.ratio > a.ratio ? r : a));
  const one = (r) => fmtRatio(r.ratio, ratioBound(r));
  return one(lo) === one(hi) ? one(lo) : `${one(lo)} – ${one(hi)}`;
}

function summaryTable(results) {
  const backends = Object.keys(results.backends);
  const rowsBy = Object.fromEntries(backends.map((b) => [b, backendRows(results.backends[b])]));
  const models = results.meta.config.models.toLocaleString('en-US');
  const lines = SUMMARY.map(([label, match]) => [label.replace('{models}', models), ...backends.map((b) => ratioSpan(rowsBy[b].filter((r) => match(r.id))))]);
  const sums = (b, id) => rowsBy[b].find((r) => r.id === id);
  lines.push([
    '`create_model_version`: failed requests / duplicate version numbers, flowreg vs mlflow',
    ...backends.map((b) => {
      const e = sums(b, 'writes.errors');
      const d = sums(b, 'writes.duplicates');
      return e && d ? `${fmt(e.f, 'count')}/${fmt(d.f, 'count')} vs ${fmt(e.m, 'count')}/${fmt(d.m, 'count')}` : '—';
    }),
  ]);
  lines.push(['Throughput with authentication on (`--app-name basic-auth`) vs off, reads at 16 clients (change, median per request kind; negative = lost)', ...backends.map((b) => authSummary(results.backends[b]))]);
  if (backends.some((b) => results.backends[b].auditWrites?.runs)) {
    lines.push(['flowreg write throughput with the audit trail on vs `--no-audit` (change, median; negative = lost)', ...backends.map((b) => auditSummary(results.backends[b]))]);
  }
  return table(['how many times better flowreg is', ...backends.map((b) => BACKEND_LABEL[b] ?? b)], lines);
}

// --- markdown ----------------------------------------------------------------------------------

function table(header, lines) {
  return [`| ${header.join(' | ')} |`, `|${header.map((h, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...lines.map((l) => `| ${l.join(' | ')} |`)].join('\n');
}

function readsTable(rows) {
  const byKey = new Map();
  for (const row of rows.filter((r) => r.section === 'reads')) {
    const key = row.id.split('.').slice(0, 3).join('.');
    if (!byKey.has(key)) byKey.set(key, { label: row.label.split(':')[0] });
    byKey.get(key)[row.id.split('.')[3]] = row;
  }
  const lines = [...byKey.values()].map((g) => [
    g.label,
    fmt(g.rps.f), fmt(g.rps.m), fmtRatio(g.rps.ratio),
    fmt(g.p50.f), fmt(g.p50.m), fmtRatio(g.p50.ratio),
    fmt(g.p99.f), fmt(g.p99.m), fmtRatio(g.p99.ratio),
    `${fmt(g.errors.f, 'count')} / ${fmt(g.errors.m, 'count')}`,
  ]);
  return table(
    ['request, concurrent clients', 'flowreg req/s', 'mlflow req/s', 'ratio', 'flowreg p50 ms', 'mlflow p50 ms', 'ratio', 'flowreg p99 ms', 'mlflow p99 ms', 'ratio', 'errors f / m'],
    lines,
  );
}

function plainTable(rows, section) {
  return table(
    ['', 'flowreg', '`mlflow server`', 'ratio'],
    rows.filter((r) => r.section === section).map((r) => [`${r.label} (${r.unit})`, fmtBound(r.f, r.unit, r.fMin), fmtBound(r.m, r.unit, r.mMin), r.better ? fmtRatio(r.ratio, ratioBound(r)) : '—']),
  );
}

const mib = (bytes) => `${fmt(bytes / MiB)} MiB`;
const idleProcesses = (results) => Object.values(results.backends).map((b) => b.idle?.mlflow?.processes).find((n) => n) ?? null;

export function renderMarkdown(results, { chartFile = 'chart.svg', published = false } = {}) {
  const { meta } = results;
  const cfg = meta.config;
  const m = meta.machine ?? {};
  const ms = meta.mlflowServer ?? {};
  const out = [];
  out.push(`# flowreg vs \`mlflow server\` — benchmark`);
  out.push('');
  out.push(`Generated by \`npm run bench${cfg.mode === 'quick' ? ' -- --quick' : ''}\` on ${meta.date.slice(0, 10)} (${meta.date}); the run took ${Math.round(meta.seconds / 60)} min.` +
    (cfg.mode === 'quick' ? ' **Quick mode: a reduced smoke run with one short repetition; its figures are indicative only.**' : ''));
  out.push('');
  out.push('**Ratio** = how many times better flowreg is on that row: flowreg ÷ mlflow for throughput, mlflow ÷ flowreg for latency, time and memory. Above 1× flowreg is better; below 1× (bold, "slower") `mlflow server` is better. Every figure is the median of the repetitions.');
  out.push('');
  out.push('## Summary');
  out.push('');
  out.push(summaryTable(results));
  out.push('');
  out.push(`![ratio per row](${chartFile})`);
  out.push('');
  out.push('## Machine and versions');
  out.push('');
  out.push(table(['', ''], [
    ['machine', `${m.cpu ?? '?'}, ${m.cores ?? '?'} cores, ${m.memoryGiB ?? '?'} GiB RAM, ${m.kernel ?? '?'}`],
    ['load average (1/5/15 min) at start → end', `${(meta.loadavgStart ?? []).map((x) => x.toFixed(2)).join(' / ')} → ${(meta.loadavgEnd ?? []).map((x) => x.toFixed(2)).join(' / ')}`],
    ['flowreg', `${m.flowreg ?? '?'}, on Node.js ${m.node ?? '?'}, one process (its default \`--workers 1\`), better-sqlite3 with SQLite ${m.nodeSqlite ?? '?'}`],
    ['`mlflow server`', `MLflow ${m.mlflow ?? '?'} from PyPI (Python ${m.python ?? '?'}, SQLAlchemy ${m.sqlalchemy ?? '?'}, SQLite ${m.pythonSqlite ?? '?'}), its default server: **${ms.server ?? '?'} ${ms.uvicornVersion ?? ''} with ${ms.workers ?? '?'} worker processes**, plus its job runner and huey consumers (job execution is on by default); ${fmt(idleProcesses(results), 'count')} processes in all`],
    ['PostgreSQL', m.postgres ? `${m.postgres}, local, each server on its own new database` : 'not in this run'],
    ['client journey', `MLflow ${m.mlflow ?? '?'} client, scikit-learn ${m.sklearn ?? '?'}`],
  ]));
  out.push('');
  out.push('## How it was measured');
  out.push('');
  out.push([
    `- Both servers run side by side on this machine, started the same way (\`--backend-store-uri <uri> --artifacts-destination <dir> --host 127.0.0.1 --port <p>\`), each on its own database of the same backend; measurements alternate between the two (the order flips every repetition) so that background noise hits both.`,
    `- Data, identical for both and written in bulk into each server's own schema in one transaction (followed by \`ANALYZE\` on PostgreSQL), then checked through the API (same counts, same search matches): ${cfg.models.toLocaleString('en-US')} registered models with 5 tags and 3 versions each (one tag per version, alias \`champion\`), and one model \`m\` with ${cfg.bigVersions.toLocaleString('en-US')} versions.`,
    `- Load generator: a separate Node.js process (scripts/bench/client.mjs), the same for both servers: N closed-loop clients on keep-alive connections, each sending its next request when the previous one answered, requests spread over the models by a seeded PRNG (same sequence for both). ${cfg.warmupMs / 1000} s warm-up, then ${cfg.durationMs / 1000} s measured; p50/p99 are exact percentiles of every successful request of the window. ${cfg.reps} repetition(s); the tables show medians.`,
    `- Authentication: a second instance of each server with \`--app-name basic-auth\` (admin password from \`MLFLOW_AUTH_ADMIN_PASSWORD\`; \`mlflow server\` with its users in its own \`basic_auth.db\` named by \`MLFLOW_AUTH_CONFIG_PATH\`) on the same seeded database, beside the instance without authentication. A non-admin reader is created through \`POST /api/2.0/mlflow/users/create\` and reads through \`default_permission = READ\`, so every request takes the non-admin permission path; flowreg also with the reader's API token (\`Authorization: Bearer\`; MLflow has no API tokens). Off and on are measured back to back in the same repetition at ${AUTH_CONCURRENCY} clients, in alternating order; "change" is on/off − 1 per repetition (negative: throughput lost), median (and range over the repetitions).`,
    `- Paging: \`search_model_versions("name='m'")\` with ${cfg.pageSize.toLocaleString('en-US')} results per page (the MLflow client's default page size is 10,000), following \`next_page_token\` to the end; one warm-up pass first. A page slower than ${cfg.pageTimeoutMs / 1000} s ends the pass (the figures are then lower bounds, marked "did not finish") and the server is restarted. Memory (here and for artifacts): the sum over the server's processes of their peak RSS during the pass (VmHWM, reset through \`/proc/<pid>/clear_refs\` before), or the peak of the summed RSS sampled every 100 ms if larger.`,
    `- Writes: \`create_model_version\` on a new model from ${cfg.writeConcurrency} concurrent clients for ${cfg.writeDurationMs / 1000} s (after ${cfg.writeWarmupMs / 1000} s of warm-up, whose versions count for the duplicate check); every acknowledged version number is checked for duplicates, and the versions stored are counted through the API afterwards.`,
    `- Writes with the audit trail (flowreg only; \`mlflow server\` has none): a second flowreg instance with \`--no-audit\` on the same database, beside the one with the trail on (the default, every write appending a hash-chained event in its transaction). Per repetition, both back to back in alternating order: \`create_model_version\` on a new model, then \`set_registered_model_alias\` moving aliases over its version 1, ${cfg.writeConcurrency} clients, ${(cfg.auditWriteDurationMs ?? cfg.writeDurationMs) / 1000} s each after ${cfg.writeWarmupMs / 1000} s of warm-up; "change" is on/off − 1 per repetition, median (and range).`,
    `- Artifacts: one ${cfg.fileMB >= 1024 ? `${cfg.fileMB / 1024} GiB` : `${cfg.fileMB} MiB`} file of random bytes, uploaded with a streaming \`PUT /api/2.0/mlflow-artifacts/artifacts/<path>\` and downloaded with \`GET\` (body counted and discarded). References measured in the same run: \`cp\` of the file on the same disk, and the same PUT/GET against a trivial Node.js HTTP server on loopback that discards the body / streams the file.`,
    `- Footprint: summed VmRSS and PSS of the server process and all its descendants ${cfg.settleMs / 1000} s after start-up on the seeded database; idle CPU over the next ${cfg.idleCpuMs / 1000} s. Cold start: from spawning the command to the first \`200\` from \`/health\` (polled every 25 ms), once on a new database (schema creation included)${cfg.restarts ? ` and ${cfg.restarts}× on the seeded database` : ''}.`,
    `- Client journey: the MLflow ${m.mlflow ?? ''} client in one Python process for both servers: \`mlflow.sklearn.log_model(model, name="model", registered_model_name="journey")\` in a run, \`set_registered_model_alias\`, then \`mlflow.pyfunc.load_model("models:/journey@champion")\` and a prediction; ${cfg.journeyWarmup ? 'one untimed journey per server, then ' : 'one untimed local `save_model` + `load_model` first, then '}${cfg.journeyReps} timed journey(s) per server.`,
    `- **The machine has ${m.cores ?? '?'} cores and is shared**: the load generator, the server under test (and, for \`mlflow server\`, its ${ms.workers ?? '?'} workers) compete for them, and other jobs may run at the same time (see the load average). Absolute numbers are therefore modest and somewhat noisy; the ratios are the point.`,
  ].join('\n'));
  out.push('');

  const allSlower = [];
  for (const [backend, b] of Object.entries(results.backends)) {
    const rows = backendRows(b);
    const name = BACKEND_LABEL[backend] ?? backend;
    out.push(`## ${name} backend`);
    out.push('');
    const seed = b.seeding ?? {};
    if (seed.flowreg && seed.mlflow) {
      out.push(`Seeding (one transaction written by the benchmark itself into each server's schema; the time of that write, not a server figure): flowreg ${fmt(seed.flowreg.seconds)} s, \`mlflow server\` ${fmt(seed.mlflow.seconds)} s; verified through each API: ${b.verify?.flowreg?.models?.toLocaleString('en-US')} \`model-*\` models, ${b.verify?.flowreg?.searchMatches} matches for the search, \`m\` up to version ${b.verify?.flowreg?.bigLatestVersion?.toLocaleString('en-US')}.`);
      out.push('');
    }
    const sections = [
      ['reads', 'Registry reads and search'],
      ['auth', `Registry reads with authentication on (\`--app-name basic-auth\`), ${AUTH_CONCURRENCY} clients`],
      ['paging', `Paging \`search_model_versions("name='m'")\` through ${cfg.bigVersions.toLocaleString('en-US')} versions, ${cfg.pageSize.toLocaleString('en-US')} per page`],
      ['writes', `Writes: \`create_model_version\`, ${cfg.writeConcurrency} concurrent clients`],
      ['artifacts', `Artifacts: ${cfg.fileMB >= 1024 ? `${cfg.fileMB / 1024} GiB` : `${cfg.fileMB} MiB`} through the proxy`],
      ['footprint', 'Footprint'],
      ['journey', 'Client journey (wall time)'],
    ];
    for (const [section, title] of sections) {
      if (!rows.some((r) => r.section === section)) continue;
      out.push(`### ${title}`);
      out.push('');
      out.push(section === 'reads' ? readsTable(rows) : section === 'auth' ? `${authTable(b)}\n\n${plainTable(rows, section)}` : plainTable(rows, section));
      if (section === 'artifacts' && b.artifacts?.reference) {
        const ref = b.artifacts.reference;
        out.push('');
        out.push(`Limits measured in the same run: disk copy (\`cp\`) ${fmt(med(ref.cp, (x) => x.mbps))} MB/s; loopback HTTP to a trivial Node.js sink ${fmt(med(ref.loopbackUpload, (x) => x.mbps))} MB/s up, from a trivial source ${fmt(med(ref.loopbackDownload, (x) => x.mbps))} MB/s down. Idle RSS before the transfers: flowreg ${b.idle?.flowreg ? mib(b.idle.flowreg.rss) : '?'}, \`mlflow server\` ${b.idle?.mlflow ? mib(b.idle.mlflow.rss) : '?'}.`);
      }
      out.push('');
    }
    if (b.auditWrites?.runs) {
      out.push('### Writes with the audit trail on and off (flowreg)');
      out.push('');
      out.push(auditTable(b));
      out.push('');
    }
    for (const row of rows) if (row.better && row.ratio !== null && row.ratio < 1 && ratioBound(row) !== null) allSlower.push({ backend: name, row });
  }

  out.push('## Where flowreg is slower');
  out.push('');
  if (allSlower.length === 0) {
    out.push('No row: flowreg is ahead on every measured row.');
  } else {
    // One line per backend and cause, listing its rows.
    // One item per cause, listing its rows.
    const groups = new Map();
    for (const { backend, row } of allSlower) {
      const cause = CAUSES[row.id] ?? CAUSES[row.id.split('.').slice(0, 2).join('.')] ?? CAUSES[row.section] ?? noiseCause(row) ?? 'cause not analysed';
      if (!groups.has(cause)) groups.set(cause, []);
      groups.get(cause).push(`${backend}, ${row.section}, ${row.label}: flowreg ${fmtBound(row.f, row.unit, row.fMin)} vs ${fmtBound(row.m, row.unit, row.mMin)} ${row.unit} (${fmtRatio(row.ratio, ratioBound(row)).replace(/\*\*/g, '').replace(' (slower)', '')})`);
    }
    for (const [cause, list] of groups) out.push(`- ${list.join(';\n  ')}.\n\n  **Cause:** ${cause}.\n`);
  }
  out.push('');
  if (results.failures?.length) {
    out.push('## Measurements that failed to run');
    out.push('');
    for (const f of results.failures) out.push(`- ${f.step}: ${f.error}`);
    out.push('');
  }
  out.push(
    published
      ? `Raw data: \`benchmarks.json\` next to this report (every repetition; the run's \`results.json\`, published with \`node scripts/bench/report.mjs bench-out/${published} --publish\`).`
      : 'Raw data: `results.json` next to this report (every repetition).',
  );
  out.push('');
  return out.join('\n');
}

// --- chart -------------------------------------------------------------------------------------

const CHART_ROWS = [
  ...['get_registered_model', 'get_model_version', 'get_model_version_by_alias'].flatMap((k) =>
    ['1', '16', '64'].map((c) => [`reads.${k}.${c}.rps`, `${k}, ${c} client${c === '1' ? '' : 's'} (req/s)`]),
  ),
  ['auth.get_registered_model.16.basic.rps', 'get_registered_model, 16 clients, auth on (req/s)'],
  ['auth.get_model_version_by_alias.16.basic.rps', 'get_model_version_by_alias, 16 clients, auth on (req/s)'],
  ['reads.search_registered_models.1.rps', 'search_registered_models, 1 client (req/s)'],
  ['reads.search_registered_models.16.rps', 'search_registered_models, 16 clients (req/s)'],
  ['paging.p50', 'search_model_versions, per-page p50'],
  ['paging.peak', 'search_model_versions, peak RSS'],
  ['writes.rps', 'create_model_version, 32 clients (versions/s)'],
  ['artifacts.upload', 'artifact upload (MB/s)'],
  ['artifacts.download', 'artifact download (MB/s)'],
  ['artifacts.upload.peak', 'peak RSS during upload'],
  ['artifacts.download.peak', 'peak RSS during download'],
  ['footprint.rss', 'idle RSS'],
  ['footprint.fresh', 'cold start (new database)'],
  ['footprint.restart', 'cold start (seeded database)'],
  ['journey.total', 'client journey (wall time)'],
];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderChart(results) {
  const backends = Object.keys(results.backends);
  const rowsBy = Object.fromEntries(backends.map((b) => [b, new Map(backendRows(results.backends[b]).map((r) => [r.id, r]))]));
  const rows = CHART_ROWS.filter(([id]) => backends.some((b) => rowsBy[b].get(id)?.ratio != null));
  const ratios = rows.flatMap(([id]) => backends.map((b) => rowsBy[b].get(id)?.ratio).filter((r) => r != null && Number.isFinite(r) && r > 0));
  const maxR = Math.max(10, ...ratios);
  const minR = Math.min(0.5, ...ratios);
  const lo = Math.floor(Math.log10(minR));
  const hi = Math.ceil(Math.log10(maxR));
  const labelW = 330;
  const plotW = 520;
  const barH = 10;
  const gap = 2;
  const groupH = backends.length * (barH + gap) + 8;
  const top = 56;
  const height = top + rows.length * groupH + 40;
  const width = labelW + plotW + 70;
  const x = (r) => labelW + ((Math.log10(r) - lo) / (hi - lo)) * plotW;
  const svg = [];
  svg.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`);
  svg.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  svg.push(`<text x="10" y="20" font-size="14" font-weight="bold">flowreg vs mlflow server${esc(results.meta.config.mode === 'quick' ? ' (quick run)' : '')}: how many times better flowreg is (log scale)</text>`);
  let lx = 10;
  for (const b of backends) {
    svg.push(`<rect x="${lx}" y="32" width="12" height="10" fill="${BACKEND_COLOR[b] ?? '#888'}"/><text x="${lx + 16}" y="41">${esc(BACKEND_LABEL[b] ?? b)}</text>`);
    lx += 110;
  }
  svg.push(`<text x="${lx}" y="41" fill="#b03a2e">red: flowreg slower</text>`);
  // Grid at 1, 2, 5 × 10^e; labels on the decades only when the axis spans many of them.
  const labelAll = hi - lo <= 3;
  for (let e = lo; e <= hi; e++) {
    for (const mult of [1, 2, 5]) {
      const v = mult * 10 ** e;
      if (v < 10 ** lo || v > 10 ** hi) continue;
      const xx = x(v);
      svg.push(`<line x1="${xx.toFixed(1)}" y1="${top - 4}" x2="${xx.toFixed(1)}" y2="${height - 30}" stroke="${v === 1 ? '#000' : mult === 1 ? '#ccc' : '#eee'}" stroke-width="${v === 1 ? 1.5 : 1}"/>`);
      if (mult === 1 || labelAll) {
        svg.push(`<text x="${xx.toFixed(1)}" y="${height - 16}" text-anchor="middle" fill="#555">${v >= 1 ? v.toLocaleString('en-US') : v.toFixed(Math.max(0, -e))}×</text>`);
      }
    }
  }
  rows.forEach(([id, label], i) => {
    const y0 = top + i * groupH;
    svg.push(`<text x="${labelW - 8}" y="${y0 + groupH / 2 + 2}" text-anchor="end">${esc(label)}</text>`);
    backends.forEach((b, j) => {
      const row = rowsBy[b].get(id);
      if (!row || row.ratio == null || !(row.ratio > 0) || ratioBound(row) === null) return;
      const text = fmtRatio(row.ratio, ratioBound(row)).replace(/\*\*|\s*\(slower\)/g, '');
      const r = Number.isFinite(row.ratio) ? row.ratio : 10 ** hi;
      const y = y0 + j * (barH + gap);
      const x1 = x(Math.min(1, r));
      const x2 = x(Math.max(1, r));
      const color = r < 1 ? '#b03a2e' : BACKEND_COLOR[b] ?? '#888';
      svg.push(`<rect x="${x1.toFixed(1)}" y="${y}" width="${Math.max(1, x2 - x1).toFixed(1)}" height="${barH}" fill="${color}"><title>${esc(`${BACKEND_LABEL[b] ?? b}: ${label}: ${text}`)}</title></rect>`);
      svg.push(`<text x="${(x2 + 4).toFixed(1)}" y="${y + barH - 1}" font-size="9" fill="#333">${esc(text)}</text>`);
    });
  });
  svg.push('</svg>');
  return `${svg.join('\n')}\n`;
}

export function writeReport(outDir, results) {
  fs.writeFileSync(path.join(outDir, 'chart.svg'), renderChart(results));
  fs.writeFileSync(path.join(outDir, 'report.md'), renderMarkdown(results));
}

/** docs/benchmarks.md, docs/benchmarks.svg and docs/benchmarks.json (the raw data) from a run's results. */
export function publishReport(outDir, results, repo) {
  const docs = path.join(repo, 'docs');
  fs.mkdirSync(docs, { recursive: true });
  fs.writeFileSync(path.join(docs, 'benchmarks.svg'), renderChart(results));
  fs.copyFileSync(path.join(outDir, 'results.json'), path.join(docs, 'benchmarks.json'));
  fs.writeFileSync(path.join(docs, 'benchmarks.md'), renderMarkdown(results, { chartFile: 'benchmarks.svg', published: path.basename(outDir) }));
  return path.join(docs, 'benchmarks.md');
}

// `node scripts/bench/report.mjs <out-dir> [--publish]` re-renders a run's report from its
// results.json; with --publish, into docs/benchmarks.md, docs/benchmarks.svg and docs/benchmarks.json.
if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = path.resolve(process.argv[2]);
  const results = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8'));
  if (process.argv.includes('--publish')) {
    console.log(publishReport(dir, results, path.resolve(path.dirname(process.argv[1]), '../..')));
  } else {
    writeReport(dir, results);
    console.log(path.join(dir, 'report.md'));
  }
}
