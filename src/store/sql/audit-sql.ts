/**
 * The audit trail over SQL: a journal sink that appends one hash-chained event per change, the
 * filtered, paged read behind `GET /api/flowreg/v1/audit`, and the walk that verifies the chain.
 *
 * Each event's hash is sha256 over the previous event's hash and the event's own content (its
 * canonical JSON), so editing, deleting or inserting a row by hand breaks the chain at that row.
 * Appending first moves the head row (`audit_chain_head`), which takes its row lock on PostgreSQL
 * and is inside SQLite's write lock: one writer at a time extends the chain, whatever the number of
 * replicas, and the lock is held only for the journal's last statements and the commit.
 */
import { createHash } from 'node:crypto';
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { JournalEntry } from '../change.js';
import type { AuditEvent, AuditQuery, AuditPage, AuditStore, ChainCheck } from '../audit-store.js';
import type { SqlDialect } from './dialect.js';
import type { ChangeSink } from './journal.js';
import { GENESIS_HASH } from './audit-migration.js';
import type { AuditEventsTable } from './audit-schema.js';
import type { Database } from './schema.js';

/** Longer user agents are cut: the trail records who, not a client's whole banner. */
const MAX_USER_AGENT = 256;
const VERIFY_BATCH = 2000;

type Row = Omit<AuditEventsTable, 'hash' | 'prev_hash'>;

const COLUMNS = [
  'seq',
  'time',
  'user_name',
  'action',
  'resource_type',
  'resource_name',
  'resource_version',
  'before_json',
  'after_json',
  'request_id',
  'client_address',
  'user_agent',
  'prev_hash',
  'hash',
] as const;

/**
 * The append's statements as fixed SQL text, so the hot path of every write skips building and
 * compiling queries. PostgreSQL inserts the events and moves the head's hash in one statement (a
 * data-modifying CTE): one round trip less while the head's row lock is held. SQLite runs in
 * process: a read of the head, the insert, and one write of the head.
 */
class AppendSql {
  private readonly inserts = new Map<number, string>();
  readonly moveHead: string;
  constructor(private readonly dialect: SqlDialect) {
    // SQLite: every write transaction holds the database's write lock from its start (BEGIN
    // IMMEDIATE, store/sql/database.ts), so reading the head is enough, and the head row is
    // written once, at the end; a deferred transaction that raced would fail (SQLITE_BUSY), not fork.
    this.moveHead =
      dialect.name === 'postgres'
        ? `update audit_chain_head set seq = seq + ${this.param(1)} where id = 1 returning seq, hash`
        : `select seq + ? as seq, hash from audit_chain_head where id = 1`;
  }

  private param(i: number): string {
    return this.dialect.name === 'postgres' ? `$${i}` : '?';
  }

  private insert(n: number): string {
    let text = this.inserts.get(n);
    if (text === undefined) {
      const tuples = Array.from({ length: n }, (_, r) => `(${COLUMNS.map((_, c) => this.param(r * COLUMNS.length + c + 1)).join(', ')})`);
      text = `insert into audit_events (${COLUMNS.join(', ')}) values ${tuples.join(', ')}`;
      if (this.dialect.name === 'postgres') {
        text = `with appended as (${text}) update audit_chain_head set hash = ${this.param(n * COLUMNS.length + 1)} where id = 1`;
      }
      if (n <= 8) this.inserts.set(n, text);
    }
    return text;
  }

  /** The statements that write `rows` and leave `tip` as the head's hash. */
  statements(rows: readonly Record<(typeof COLUMNS)[number], unknown>[], tip: string): CompiledQuery[] {
    const values = rows.flatMap((row) => COLUMNS.map((c) => row[c]));
    const insert = this.insert(rows.length);
    if (this.dialect.name === 'postgres') return [CompiledQuery.raw(insert, [...values, tip])];
    const last = rows[rows.length - 1]?.seq;
    return [CompiledQuery.raw(insert, values), CompiledQuery.raw(`update audit_chain_head set seq = ?, hash = ? where id = 1`, [last, tip])];
  }
}

function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** The content a hash covers, in a fixed order: every column but the hashes. */
function canonical(row: Row): string {
  return JSON.stringify([
    row.seq,
    row.time,
    row.user_name,
    row.action,
    row.resource_type,
    row.resource_name,
    row.resource_version,
    row.before_json,
    row.after_json,
    row.request_id,
    row.client_address,
    row.user_agent,
  ]);
}

export function chainHash(prevHash: string, row: Row): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonical(row)).digest('hex');
}

function rowOf(entry: JournalEntry, seq: number): Row {
  return {
    seq,
    time: entry.time,
    user_name: entry.actor.user,
    action: entry.action,
    resource_type: entry.resourceType,
    resource_name: entry.name,
    resource_version: entry.version ?? null,
    before_json: json(entry.before),
    after_json: json(entry.after),
    request_id: entry.actor.requestId,
    client_address: entry.actor.address,
    user_agent: entry.actor.userAgent === null ? null : entry.actor.userAgent.slice(0, MAX_USER_AGENT),
  };
}

function eventOf(row: AuditEventsTable): AuditEvent {
  return {
    seq: Number(row.seq),
    time: Number(row.time),
    user: row.user_name,
    action: row.action,
    resourceType: row.resource_type,
    name: row.resource_name,
    version: row.resource_version,
    before: row.before_json === null ? null : JSON.parse(row.before_json),
    after: row.after_json === null ? null : JSON.parse(row.after_json),
    requestId: row.request_id,
    clientAddress: row.client_address,
    userAgent: row.user_agent,
    hash: row.hash,
  };
}

export class SqlAuditTrail implements ChangeSink, AuditStore {
  private readonly sql: AppendSql;

  constructor(
    private readonly db: Kysely<Database>,
    dialect: SqlDialect,
  ) {
    this.sql = new AppendSql(dialect);
  }

  async append(trx: Transaction<Database>, entries: readonly JournalEntry[]): Promise<void> {
    // Moving the head first takes the chain's lock; RETURNING gives the new last number and the
    // hash the first new event chains from (the column is not yet updated).
    const moved = await trx.executeQuery<{ seq: number | string; hash: string }>(CompiledQuery.raw(this.sql.moveHead, [entries.length]));
    const head = moved.rows[0];
    if (!head) throw new Error('the audit chain head row is missing');
    let prev = head.hash;
    const first = Number(head.seq) - entries.length + 1;
    const rows = entries.map((entry, i) => {
      const row = rowOf(entry, first + i);
      const hash = chainHash(prev, row);
      const full = { ...row, prev_hash: prev, hash };
      prev = hash;
      return full;
    });
    for (const statement of this.sql.statements(rows, prev)) await trx.executeQuery(statement);
  }

  /** Newest first; `query.before` is the page cursor (events with a lower sequence number). */
  async list(query: AuditQuery): Promise<AuditPage> {
    let q = this.db.selectFrom('audit_events').selectAll();
    const types = query.resourceTypes;
    if (types !== undefined && types.length === 0) return { events: [], hasMore: false };
    if (types !== undefined) q = types.length === 1 ? q.where('resource_type', '=', types[0] as string) : q.where('resource_type', 'in', types);
    if (query.name !== undefined) q = q.where('resource_name', '=', query.name);
    if (query.version !== undefined) q = q.where('resource_version', '=', query.version);
    if (query.user !== undefined) q = q.where('user_name', '=', query.user);
    if (query.action !== undefined) q = q.where('action', '=', query.action);
    if (query.since !== undefined) q = q.where('time', '>=', query.since);
    if (query.until !== undefined) q = q.where('time', '<=', query.until);
    if (query.before !== undefined) q = q.where('seq', '<', query.before);
    const rows = await q.orderBy('seq', 'desc').limit(query.limit + 1).execute();
    const events = rows.slice(0, query.limit).map(eventOf);
    return { events, hasMore: rows.length > query.limit };
  }

  /**
   * Walks the chain from the first event: each must follow the previous one's number, name its
   * hash, and hash to what it carries; the last must be the one the head names. The head is read
   * first, so events appended while the walk runs (by a live server) are not mistaken for a
   * break: the walk covers the chain as it stood at that moment. The first broken link is
   * reported; `checked` counts the events that verified before it.
   *
   * What this cannot see: someone able to write the database can rewrite every hash after the
   * row they changed, head included. Keeping the head's hash somewhere else (it is in `head`)
   * and comparing it later closes that gap.
   */
  async verify(): Promise<ChainCheck> {
    const head = await this.db.selectFrom('audit_chain_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
    if (!head) return { ok: false, checked: 0, brokenAt: 1, reason: 'the chain head row is missing' };
    const last = Number(head.seq);
    let prev = GENESIS_HASH;
    let expected = 1;
    let checked = 0;
    while (expected <= last) {
      const rows = await this.db
        .selectFrom('audit_events')
        .selectAll()
        .where('seq', '>=', expected)
        .where('seq', '<=', last)
        .orderBy('seq')
        .limit(VERIFY_BATCH)
        .execute();
      for (const raw of rows) {
        const row = { ...raw, seq: Number(raw.seq), time: Number(raw.time) };
        if (row.seq !== expected) return { ok: false, checked, brokenAt: expected, reason: `event ${expected} is missing` };
        if (row.prev_hash !== prev) return { ok: false, checked, brokenAt: row.seq, reason: `event ${row.seq} does not follow the hash of event ${row.seq - 1}` };
        if (chainHash(prev, row) !== row.hash) return { ok: false, checked, brokenAt: row.seq, reason: `event ${row.seq} does not match its hash: its content was changed` };
        prev = row.hash;
        expected += 1;
        checked += 1;
      }
      if (rows.length < VERIFY_BATCH) break;
    }
    if (checked < last) {
      return { ok: false, checked, brokenAt: checked + 1, reason: `the chain head names event ${last}, but the trail ends at event ${checked}: events were removed` };
    }
    if (head.hash !== prev) return { ok: false, checked, brokenAt: last, reason: `the chain head's hash is not that of event ${last}` };
    return { ok: true, checked, head: head.hash };
  }
}
