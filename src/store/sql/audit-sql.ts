/**
 * The audit trail over SQL: a journal sink that appends one hash-chained event per change, the
 * filtered, paged read behind `GET /api/flowreg/v1/audit`, and the walk that verifies the chain.
 *
 * Each event's hash is sha256 over the previous event's hash and the event's own content (its
 * canonical JSON), so editing, deleting or inserting a row by hand breaks the chain at that row.
 * Where and when events are chained: see SqlAuditTrail.
 */
import { createHash } from 'node:crypto';
import { CompiledQuery, type Kysely, type Selectable, type Transaction } from 'kysely';
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

type Row = Omit<AuditEventsTable, 'id' | 'seq' | 'hash' | 'prev_hash'> & { seq: number | null };

/** The columns an event is written with; the chain's three are set when it is sealed. */
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

type EventValues = Record<(typeof COLUMNS)[number], unknown>;

/**
 * The write path's statements as fixed SQL text, so that every write skips building and compiling
 * queries: SQLite's read of the head, the insert of n events, the move of the head.
 */
class AppendSql {
  private readonly inserts = new Map<number, string>();
  constructor(private readonly dialect: SqlDialect) {}

  private param(i: number): string {
    return this.dialect.name === 'postgres' ? `$${i}` : '?';
  }

  insert(values: readonly EventValues[]): CompiledQuery {
    const n = values.length;
    let text = this.inserts.get(n);
    if (text === undefined) {
      const tuples = Array.from({ length: n }, (_, r) => `(${COLUMNS.map((_, c) => this.param(r * COLUMNS.length + c + 1)).join(', ')})`);
      text = `insert into audit_events (${COLUMNS.join(', ')}) values ${tuples.join(', ')}`;
      if (n <= 8) this.inserts.set(n, text);
    }
    return CompiledQuery.raw(text, values.flatMap((row) => COLUMNS.map((c) => row[c])));
  }

  readonly readHead = CompiledQuery.raw('select seq, hash from audit_chain_head where id = 1');

  moveHead(seq: number, hash: string): CompiledQuery {
    return CompiledQuery.raw(`update audit_chain_head set seq = ${this.param(1)}, hash = ${this.param(2)} where id = 1`, [seq, hash]);
  }
}

/** How often a server seals what other replicas (or a killed one) left unsealed. */
const SEAL_INTERVAL_MS = 1000;
/** How soon after a write of its own a server seals it. */
const SEAL_DELAY_MS = 20;
const SEAL_BATCH = 500;

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

function rowOf(entry: JournalEntry, seq: number | null): Row {
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

function eventOf(row: Selectable<AuditEventsTable>): AuditEvent {
  return {
    id: Number(row.id),
    seq: row.seq === null ? null : Number(row.seq),
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

/**
 * Two ways to extend the chain, one rule: events are chained in the order they are sealed, under
 * the head's lock.
 * - SQLite: in the writing transaction itself. Every write transaction holds the database's write
 *   lock from its start (BEGIN IMMEDIATE, database.ts), so reading the head and writing it once
 *   costs a few in-process statements and nobody else can be appending.
 * - PostgreSQL: the writing transaction only inserts its events, unsealed, which needs no lock, so
 *   concurrent writers keep committing together (one head lock held until each commit would make
 *   them take turns, fsync by fsync). A sealer in each server then chains whatever has committed,
 *   in batches, under the head's row lock (FOR UPDATE SKIP LOCKED: one replica seals at a time, the
 *   others skip the round). An event is sealed within about a second; until then it is listed with
 *   no `seq` and `verify` counts it as pending. An event committed late, after later ids were
 *   sealed, is simply sealed in the next round: the chain's order is the order of sealing.
 */
export class SqlAuditTrail implements ChangeSink, AuditStore {
  private readonly sql: AppendSql;
  private readonly inline: boolean;
  private soon: NodeJS.Timeout | undefined;
  private every: NodeJS.Timeout | undefined;
  private sealing: Promise<number> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    dialect: SqlDialect,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.sql = new AppendSql(dialect);
    this.inline = dialect.name === 'sqlite';
  }

  async append(trx: Transaction<Database>, entries: readonly JournalEntry[]): Promise<void> {
    if (!this.inline) {
      await trx.executeQuery(this.sql.insert(entries.map((e) => ({ ...rowOf(e, null), prev_hash: null, hash: null }))));
      this.sealSoon();
      return;
    }
    const head = (await trx.executeQuery<{ seq: number; hash: string }>(this.sql.readHead)).rows[0];
    if (!head) throw new Error('the audit chain head row is missing');
    const sealed = chainFrom(Number(head.seq), head.hash, entries.map((e) => rowOf(e, null)));
    await trx.executeQuery(this.sql.insert(sealed.rows));
    await trx.executeQuery(this.sql.moveHead(sealed.seq, sealed.hash));
  }

  /** Starts sealing in the background (PostgreSQL; SQLite seals as it writes). */
  start(): void {
    if (this.inline || this.every) return;
    this.every = setInterval(() => void this.sealQuietly(), SEAL_INTERVAL_MS);
    this.every.unref();
    void this.sealQuietly();
  }

  /** Stops the background sealing after a last round. */
  async stop(): Promise<void> {
    clearInterval(this.every);
    clearTimeout(this.soon);
    this.every = undefined;
    this.soon = undefined;
    if (!this.inline) await this.sealQuietly();
  }

  private sealSoon(): void {
    if (this.soon || !this.every) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.sealQuietly();
    }, SEAL_DELAY_MS);
    this.soon.unref();
  }

  private async sealQuietly(): Promise<void> {
    try {
      await this.seal({ wait: false });
    } catch (err) {
      // The database may be down; the next round retries, and nothing is lost meanwhile.
      this.onError(err);
    }
  }

  /**
   * Seals every committed event not yet in the chain; returns how many it sealed. With `wait`
   * (the default) it waits for a replica that is sealing; the background rounds skip instead.
   */
  async seal(options: { wait?: boolean } = {}): Promise<number> {
    if (this.inline) return 0;
    // One round at a time in this process; other replicas are kept out by the head's lock.
    while (this.sealing) await this.sealing.catch(() => undefined);
    this.sealing = this.sealRounds(options.wait ?? true);
    try {
      return await this.sealing;
    } finally {
      this.sealing = undefined;
    }
  }

  private async sealRounds(wait: boolean): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.db.transaction().execute(async (trx) => {
        const locking = trx.selectFrom('audit_chain_head').select(['seq', 'hash']).where('id', '=', 1).forUpdate();
        const head = await (wait ? locking : locking.skipLocked()).executeTakeFirst();
        // Another replica is sealing: it will take these too.
        if (!head) return 0;
        const pending = await trx.selectFrom('audit_events').selectAll().where('seq', 'is', null).orderBy('id').limit(SEAL_BATCH).execute();
        if (pending.length === 0) return 0;
        const sealed = chainFrom(Number(head.seq), head.hash, pending.map(contentOf));
        await trx.executeQuery(sealUpdate(pending.map((p, i) => ({ id: Number(p.id), ...(sealed.rows[i] as EventValues) }))));
        await trx.executeQuery(this.sql.moveHead(sealed.seq, sealed.hash));
        return pending.length;
      });
      total += n;
      if (n < SEAL_BATCH) return total;
    }
  }

  /** Newest first; `query.before` is the page cursor (events written before that id). */
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
    if (query.before !== undefined) q = q.where('id', '<', query.before);
    const rows = await q.orderBy('id', 'desc').limit(query.limit + 1).execute();
    const events = rows.slice(0, query.limit).map(eventOf);
    return { events, hasMore: rows.length > query.limit };
  }

  /**
   * Walks the chain from the first event: each must follow the previous one's number, name its
   * hash, and hash to what it carries; the last must be the one the head names. The head is read
   * first, so events sealed while the walk runs (by a live server) are not mistaken for a break:
   * the walk covers the chain as it stood at that moment. The first broken link is reported;
   * `checked` counts the events that verified before it. Events not yet sealed are counted apart.
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
        const row = contentOf(raw);
        const seq = Number(raw.seq);
        if (seq !== expected) return { ok: false, checked, brokenAt: expected, reason: `event ${expected} is missing` };
        if (raw.prev_hash !== prev) return { ok: false, checked, brokenAt: seq, reason: `event ${seq} does not follow the hash of event ${seq - 1}` };
        if (chainHash(prev, { ...row, seq }) !== raw.hash) return { ok: false, checked, brokenAt: seq, reason: `event ${seq} does not match its hash: its content was changed` };
        prev = raw.hash;
        expected += 1;
        checked += 1;
      }
      if (rows.length < VERIFY_BATCH) break;
    }
    if (checked < last) {
      return { ok: false, checked, brokenAt: checked + 1, reason: `the chain head names event ${last}, but the trail ends at event ${checked}: events were removed` };
    }
    if (head.hash !== prev) return { ok: false, checked, brokenAt: last, reason: `the chain head's hash is not that of event ${last}` };
    const unsealed = await this.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('seq', 'is', null).executeTakeFirst();
    return { ok: true, checked, head: head.hash, pending: Number(unsealed?.n ?? 0) };
  }
}

/** An event row's content (what its hash covers, `seq` aside). */
function contentOf(raw: Selectable<AuditEventsTable>): Row {
  return {
    seq: raw.seq === null ? null : Number(raw.seq),
    time: Number(raw.time),
    user_name: raw.user_name,
    action: raw.action,
    resource_type: raw.resource_type,
    resource_name: raw.resource_name,
    resource_version: raw.resource_version,
    before_json: raw.before_json,
    after_json: raw.after_json,
    request_id: raw.request_id,
    client_address: raw.client_address,
    user_agent: raw.user_agent,
  };
}

/** Chains `rows` after the event numbered `seq` whose hash is `hash`; returns them and the new tip. */
function chainFrom(seq: number, hash: string, rows: readonly Row[]): { rows: EventValues[]; seq: number; hash: string } {
  let prev = hash;
  let n = seq;
  const out = rows.map((row) => {
    n += 1;
    const numbered = { ...row, seq: n };
    const next = chainHash(prev, numbered);
    const full = { ...numbered, prev_hash: prev, hash: next };
    prev = next;
    return full;
  });
  return { rows: out, seq: n, hash: prev };
}

/** One statement that seals a batch (PostgreSQL: an UPDATE from a VALUES list). */
function sealUpdate(rows: readonly (EventValues & { id: number })[]): CompiledQuery {
  const params: unknown[] = [];
  const tuples = rows.map((r) => {
    params.push(r.id, r.seq, r.prev_hash, r.hash);
    const i = params.length;
    return `($${i - 3}::bigint, $${i - 2}::bigint, $${i - 1}::varchar, $${i}::varchar)`;
  });
  return CompiledQuery.raw(
    `update audit_events as e set seq = v.seq, prev_hash = v.prev_hash, hash = v.hash from (values ${tuples.join(', ')}) as v(id, seq, prev_hash, hash) where e.id = v.id`,
    params,
  );
}
