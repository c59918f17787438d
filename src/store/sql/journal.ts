/**
 * The journal: every store write hands its changes here, inside its own transaction, and each sink
 * appends what it keeps in that same transaction (the audit trail an event, the webhook outbox its
 * deliveries). So an event exists exactly when its change committed: no change without its audit
 * event, no webhook delivery for a change that rolled back.
 *
 * Changes are flushed at the end of the transaction (SqlStoreBase.tx), after the store's own
 * statements, so that a sink that serialises writers (the audit chain's head row) holds its lock
 * only for the last statements and the commit.
 */
import type { Kysely, Transaction } from 'kysely';
import { currentActor } from '../../domain/request-context.js';
import type { Change, JournalEntry } from '../change.js';
import type { Database } from './schema.js';

export interface ChangeSink {
  append(trx: Transaction<Database>, entries: readonly JournalEntry[]): Promise<void>;
}

export class Journal {
  private readonly sinks: ChangeSink[] = [];

  constructor(private readonly clock: () => number = Date.now) {}

  /** Adds a sink; composition does this before the server takes requests. */
  use(sink: ChangeSink): void {
    this.sinks.push(sink);
  }

  get active(): boolean {
    return this.sinks.length > 0;
  }

  async flush(trx: Transaction<Database>, changes: readonly Change[]): Promise<void> {
    if (changes.length === 0 || this.sinks.length === 0) return;
    const actor = currentActor();
    const time = this.clock();
    const entries = changes.map((c) => ({ ...c, actor, time }));
    for (const sink of this.sinks) await sink.append(trx, entries);
  }

  /** Journals changes that are not a database write of their own (an artifact written to disk or S3). */
  async recordAlone(db: Kysely<Database>, changes: readonly Change[]): Promise<void> {
    if (changes.length === 0 || this.sinks.length === 0) return;
    await db.transaction().execute((trx) => this.flush(trx, changes));
  }
}
