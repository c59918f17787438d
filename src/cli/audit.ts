/**
 * `flowreg audit`: reads the audit trail straight from the database(s), as a table or as JSON
 * lines for shipping to a SIEM; `flowreg audit verify` walks the hash chain of each database and
 * names the first broken link. Both read the databases directly (no server needed), so they also
 * work when the server is down or was started with `--no-audit`.
 */
import fs from 'node:fs';
import { argTokens } from '../config/argv.js';
import { ConfigError } from '../config/config-error.js';
import { parseStoreUri, type StoreLocation } from '../config/store-uri.js';
import { sameStore } from '../compose.js';
import { auditEventJson, AUDIT_MAX_RESULTS } from '../http/handlers/audit.js';
import type { AuditEvent } from '../store/audit-store.js';
import { AuditTrails, RESOURCE_TYPES, type AuditCursor, type AuditFilters } from '../store/audit-trails.js';
import { SqlAuditTrail } from '../store/sql/audit-sql.js';
import { openDatabase, type SqlDatabase } from '../store/sql/database.js';
import { runSubcommand, UsageError } from './command.js';

export const AUDIT_HELP = `Usage: flowreg audit [options]          list audit events, newest first
       flowreg audit verify [options]   verify the hash chain of the audit trail

Reads the database(s) directly; no server is needed.

Stores:
  --backend-store-uri URI    as for flowreg server  [MLFLOW_BACKEND_STORE_URI; default sqlite:///mlflow.db]
  --registry-store-uri URI   when the registry has a database of its own  [MLFLOW_REGISTRY_STORE_URI]

Filters (flowreg audit):
  --resource-type TYPE       ${RESOURCE_TYPES.join(', ')}
  --name NAME                model name, run id, artifact path, username…
  --version N                model version
  --user USER                who acted
  --action ACTION            e.g. model_version.alias.set
  --since TIME, --until TIME epoch milliseconds or an ISO date/time (inclusive)
  --max-results N            how many events (default 100 for a table; every event for jsonl)
  --format table|jsonl       a table (default) or one JSON object per line

flowreg audit verify prints "ok: N events verified" per database, or the first broken link
(its sequence number and why) and exits 1.

  -h, --help                 this text
`;

interface AuditOptions {
  verify: boolean;
  backendStoreUri: string;
  registryStoreUri: string | undefined;
  filters: { -readonly [K in keyof AuditFilters]: AuditFilters[K] };
  maxResults: number | undefined;
  format: 'table' | 'jsonl';
}

function timeOf(flag: string, text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`${flag}: '${text}' is neither epoch milliseconds nor an ISO date/time`);
  return ms;
}

function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): AuditOptions | 'help' {
  const opts: AuditOptions = {
    verify: false,
    backendStoreUri: env.MLFLOW_BACKEND_STORE_URI || 'sqlite:///mlflow.db',
    registryStoreUri: env.MLFLOW_REGISTRY_STORE_URI || undefined,
    filters: {},
    maxResults: undefined,
    format: 'table',
  };
  let first = true;
  for (const { arg, flag, value } of argTokens(argv, (name) => new UsageError(`${name} needs a value`))) {
    const isFirst = first;
    first = false;
    switch (flag) {
      case '-h':
      case '--help':
        return 'help';
      case '--backend-store-uri':
        opts.backendStoreUri = value();
        break;
      case '--registry-store-uri':
        opts.registryStoreUri = value();
        break;
      case '--resource-type': {
        const type = value();
        if (!(RESOURCE_TYPES as readonly string[]).includes(type)) throw new UsageError(`--resource-type: '${type}' is not one of ${RESOURCE_TYPES.join(', ')}`);
        opts.filters.resourceTypes = [type];
        break;
      }
      case '--name':
        opts.filters.name = value();
        break;
      case '--version':
        opts.filters.version = value();
        break;
      case '--user':
        opts.filters.user = value();
        break;
      case '--action':
        opts.filters.action = value();
        break;
      case '--since':
        opts.filters.since = timeOf(flag, value());
        break;
      case '--until':
        opts.filters.until = timeOf(flag, value());
        break;
      case '--max-results': {
        const text = value();
        if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--max-results: '${text}' is not a positive integer`);
        opts.maxResults = Number(text);
        break;
      }
      case '--format': {
        const format = value();
        if (format !== 'table' && format !== 'jsonl') throw new UsageError(`--format: '${format}' is not table or jsonl`);
        opts.format = format;
        break;
      }
      default:
        if (isFirst && arg === 'verify') {
          opts.verify = true;
          break;
        }
        throw new UsageError(arg.startsWith('-') ? `unknown option '${arg}'` : `unexpected argument '${arg}'`);
    }
  }
  return opts;
}

function locationOf(uri: string, flag: string): StoreLocation {
  try {
    const location = parseStoreUri(uri, process.cwd());
    // Opening a missing SQLite file would create an empty database and report nothing wrong.
    if (location.kind === 'sqlite' && location.file !== ':memory:' && !fs.existsSync(location.file)) {
      throw new UsageError(`${flag}: no database at ${location.file}`);
    }
    return location;
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`${flag}: ${err.message}`);
    throw err;
  }
}

/** The distinct databases, opened (and migrated, as the server would), with a label each. */
async function openStores(backend: StoreLocation, registry: StoreLocation | undefined): Promise<{ label: string; database: SqlDatabase }[]> {
  const opened = [{ label: 'backend store', database: await openDatabase(backend) }];
  if (registry && !sameStore(registry, backend)) {
    try {
      opened.push({ label: 'registry store', database: await openDatabase(registry) });
    } catch (err) {
      await opened[0]?.database.close();
      throw err;
    }
  }
  return opened;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A table row's text, cut to `width`. */
function cell(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

function tableLine(e: AuditEvent): string {
  const resource = `${e.resourceType} ${e.name}${e.version === null ? '' : ` v${e.version}`}`;
  const change = e.after !== null ? JSON.stringify(e.after) : e.before !== null ? `was ${JSON.stringify(e.before)}` : '';
  return [cell(iso(e.time), 24), cell(e.seq === null ? '-' : String(e.seq), 7), cell(e.user, 16), cell(e.action, 30), cell(resource, 40), cell(e.requestId ?? '-', 8), change.slice(0, 80)].join(' ').trimEnd();
}

const TABLE_HEADER = [cell('TIME', 24), cell('SEQ', 7), cell('USER', 16), cell('ACTION', 30), cell('RESOURCE', 40), cell('REQUEST', 8), 'CHANGE'].join(' ');

async function list(opts: AuditOptions, trails: AuditTrails): Promise<number> {
  // jsonl without --max-results: the whole trail, page by page (for a SIEM).
  const wanted = opts.maxResults ?? (opts.format === 'jsonl' ? Infinity : 100);
  let cursor: AuditCursor | undefined;
  let printed = 0;
  if (opts.format === 'table') process.stdout.write(`${TABLE_HEADER}\n`);
  while (printed < wanted) {
    const page = await trails.list(opts.filters, Math.min(AUDIT_MAX_RESULTS, wanted - printed), cursor);
    const text = page.events.map((e) => (opts.format === 'jsonl' ? JSON.stringify(auditEventJson(e)) : tableLine(e))).join('\n');
    if (text) await write(`${text}\n`);
    printed += page.events.length;
    if (!page.next || stdoutClosed) break;
    cursor = page.next;
  }
  if (opts.format === 'table' && printed === 0) process.stdout.write('(no events)\n');
  return 0;
}

/** Set when the reader of stdout went away (`| head`): listing stops there, quietly. */
let stdoutClosed = false;
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') stdoutClosed = true;
});

/** stdout, waiting when the pipe is full (a large trail into a slow shipper). */
function write(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (stdoutClosed || process.stdout.write(text)) resolve();
    else {
      const done = () => {
        process.stdout.off('drain', done);
        process.stdout.off('error', done);
        resolve();
      };
      process.stdout.once('drain', done);
      process.stdout.once('error', done);
    }
  });
}

async function verify(stores: readonly { label: string; database: SqlDatabase }[]): Promise<number> {
  let broken = false;
  for (const { label, database } of stores) {
    const prefix = stores.length > 1 ? `${label}: ` : '';
    const check = await new SqlAuditTrail(database.db, database.dialect).verify();
    if (check.ok) {
      const pending = check.pending > 0 ? `; ${check.pending} newer events not yet sealed into the chain` : '';
      process.stdout.write(`${prefix}ok: ${check.checked} events verified (head ${check.head})${pending}\n`);
    } else {
      broken = true;
      process.stdout.write(`${prefix}broken at event ${check.brokenAt}: ${check.reason} (${check.checked} events verified before it)\n`);
    }
  }
  return broken ? 1 : 0;
}

export async function auditCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  // A bad store URI is a usage error (exit 2), found before anything is opened.
  const parse = () => {
    const opts = parseArgs(argv, env);
    if (opts === 'help') return opts;
    const backend = locationOf(opts.backendStoreUri, '--backend-store-uri');
    const registry = opts.registryStoreUri === undefined ? undefined : locationOf(opts.registryStoreUri, '--registry-store-uri');
    return { ...opts, backend, registry };
  };
  return runSubcommand('audit', AUDIT_HELP, parse, async (opts) => {
    const stores = await openStores(opts.backend, opts.registry);
    try {
      if (opts.verify) return await verify(stores);
      const [backend, registry = backend] = stores.map(({ database }) => new SqlAuditTrail(database.db, database.dialect)) as [SqlAuditTrail, SqlAuditTrail?];
      return await list(opts, new AuditTrails({ backend, registry }));
    } finally {
      await Promise.all(stores.map((s) => s.database.close()));
    }
  });
}
