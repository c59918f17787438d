// Everything the benchmark needs before it measures: flowreg built, the reference `mlflow server`
// in its virtualenv (created when missing, by the compatibility suite's own script), PostgreSQL,
// and a description of the machine for the report.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const MLFLOW_VERSION = '3.17.2';
// What the benchmark needs in the reference virtualenv beyond the compatibility suite's set:
// the PostgreSQL driver that SQLAlchemy 2.1 uses for `postgresql://` (scikit-learn comes with
// `mlflow`), and Flask-WTF<2, MLflow's `auth` extra, without which `mlflow server --app-name
// basic-auth` does not start (compat-tests.sh installs it too, in venvs it creates now).
const VENV_EXTRAS = ['psycopg[binary]==3.3.9', 'Flask-WTF<2'];

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${res.status})`);
  return (res.stdout ?? '').trim();
}

function tryRun(cmd, args, opts = {}) {
  try {
    const res = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    return res.status === 0 ? res.stdout.trim() : null;
  } catch {
    return null;
  }
}

/**
 * The flowreg entry point: this checkout's (npm install + build when stale, by the repository's
 * own script), or FLOWREG_BIN (as for the compatibility suite: a build elsewhere, used as is).
 */
export function ensureFlowreg(repo) {
  if (process.env.FLOWREG_BIN) return path.resolve(process.env.FLOWREG_BIN);
  run('bash', [path.join(repo, 'scripts/ensure-node-deps.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  return path.join(repo, 'bin/flowreg.js');
}

/** What venv_info.py reports about a virtualenv (null when it has no usable python). */
export function venvInfo(venv) {
  const out = tryRun(path.join(venv, 'bin/python'), [path.join(here, 'venv_info.py')]);
  return out ? JSON.parse(out) : null;
}

/**
 * The reference virtualenv, shared with scripts/compat-tests.sh (same path, created by that
 * script when missing), plus the PostgreSQL driver and the auth extra of `mlflow server`. Returns
 * its path and info.
 */
export function ensureVenv(repo) {
  const cache = process.env.FLOWREG_CACHE || path.join(os.homedir(), '.cache/flowreg');
  const venv = path.join(cache, `venv-mlflow-${MLFLOW_VERSION}`);
  const py = path.join(venv, 'bin/python');
  let info = venvInfo(venv);
  if (!info || info.mlflow !== MLFLOW_VERSION || !info.sklearn) {
    // compat-tests.sh creates and fills the venv; --collect-only makes pytest stop right after.
    console.error(`[bench] creating ${venv} (scripts/compat-tests.sh)`);
    spawnSync('bash', [path.join(repo, 'scripts/compat-tests.sh'), '--version', MLFLOW_VERSION, '--collect-only', '-q'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, FLOWREG_CACHE: cache },
    });
    info = venvInfo(venv);
    if (!info || info.mlflow !== MLFLOW_VERSION || !info.sklearn) throw new Error(`could not create the MLflow ${MLFLOW_VERSION} virtualenv at ${venv}`);
  }
  if (!info.psycopg || !info.flaskWtf) {
    console.error(`[bench] installing ${VENV_EXTRAS.join(' ')} into ${venv}`);
    run(py, ['-m', 'pip', 'install', '--quiet', ...VENV_EXTRAS], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, PIP_CACHE_DIR: process.env.PIP_CACHE_DIR || path.join(cache, 'pip'), PIP_DISABLE_PIP_VERSION_CHECK: '1' },
    });
    info = venvInfo(venv);
  }
  return { venv, info };
}

/** A superuser URL for the local PostgreSQL (scripts/postgres.sh installs/starts it). */
export function ensurePostgres(repo) {
  if (process.env.FLOWREG_BENCH_PG_URL) return process.env.FLOWREG_BENCH_PG_URL;
  return run('bash', [path.join(repo, 'scripts/postgres.sh')]);
}

export function machineInfo({ flowregBin, venvInfo: v, pgVersion, nodeSqlite }) {
  const repo = path.resolve(path.dirname(flowregBin), '..');
  // FLOWREG_BIN may be any entry point; without a package.json above it the version is unknown.
  let pkg = { version: '?' };
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  } catch {
    // keep '?'
  }
  const commit = tryRun('git', ['-C', repo, 'rev-parse', '--short', 'HEAD']);
  const dirty = tryRun('git', ['-C', repo, 'status', '--porcelain', '--', 'src', 'bin', 'package.json']);
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    python: v?.python,
    mlflow: v?.mlflow,
    sklearn: v?.sklearn,
    sqlalchemy: v?.sqlalchemy,
    pythonSqlite: v?.pythonSqlite,
    nodeSqlite,
    postgres: pgVersion ?? null,
    flowreg: `${pkg.version}${commit ? ` (commit ${commit}${dirty ? ' with uncommitted changes' : ', clean'})` : ''}`,
  };
}
