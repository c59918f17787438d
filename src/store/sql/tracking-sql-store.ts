/**
 * The tracking store over SQL, one implementation for SQLite and PostgreSQL, in three parts
 * (tracking-sql-experiments.ts, tracking-sql-runs.ts, tracking-sql-logged-models.ts) sharing the
 * helpers of tracking-sql-base.ts. Pages are built with one query for the rows plus one batched
 * query per kind of child row: never one query per row.
 */
import type { Kysely } from 'kysely';
import type { TrackingStore } from '../tracking-store.js';
import type { SqlDialect } from './dialect.js';
import type { Journal } from './journal.js';
import type { Database } from './schema.js';
import { SqlExperimentStore } from './tracking-sql-experiments.js';
import { SqlLoggedModelStore } from './tracking-sql-logged-models.js';
import { SqlRunStore } from './tracking-sql-runs.js';

export class SqlTrackingStore implements TrackingStore {
  readonly experiments: SqlExperimentStore;
  readonly runs: SqlRunStore;
  readonly loggedModels: SqlLoggedModelStore;

  constructor(db: Kysely<Database>, dialect: SqlDialect, journal: Journal) {
    this.experiments = new SqlExperimentStore(db, dialect, journal);
    this.runs = new SqlRunStore(db, dialect, journal);
    this.loggedModels = new SqlLoggedModelStore(db, dialect, journal);
  }
}
