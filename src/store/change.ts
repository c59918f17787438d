/**
 * A change to stored state, as the store journals it inside the transaction that makes it. Each
 * sink (store/sql/journal.ts) turns it into what it keeps: the audit trail appends an event, the
 * webhook outbox a delivery per subscribed webhook.
 *
 * Actions are `<resource>.<verb>` or `<resource>.<part>.<verb>`, e.g. `registered_model.create`,
 * `model_version.alias.set`, `run.log_batch`, `user.create`. `before` / `after` hold the values the
 * change replaced and wrote (JSON-serialisable; absent when there is nothing to say).
 */
import type { Actor } from '../domain/request-context.js';

export type ResourceType =
  | 'registered_model'
  | 'model_version'
  | 'experiment'
  | 'run'
  | 'logged_model'
  | 'artifact'
  | 'user'
  | 'role'
  | 'permission'
  | 'token'
  | 'webhook'
  | 'protection'
  | 'approval_request';

export interface Change {
  readonly action: string;
  readonly resourceType: ResourceType;
  /** The model name, experiment id, run id, username, webhook id… */
  readonly name: string;
  /** The model version, when the resource is one (or a part of one). */
  readonly version?: string | null;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** A change with who made it and when (epoch ms). */
export interface JournalEntry extends Change {
  readonly actor: Actor;
  readonly time: number;
}
