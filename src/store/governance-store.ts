/**
 * Governance's storage contract: protections of aliases and stages, approval requests and their
 * votes, and the position history of each alias and stage. One SQL implementation serves SQLite and
 * PostgreSQL (store/sql/governance-sql.ts); the history is written by a journal sink
 * (store/sql/governance-sql-history.ts) and protections are enforced by another
 * (store/sql/governance-sql-guard.ts), both inside the registry write's own transaction.
 */
import type { Tag } from './registry-store.js';

export type TargetType = 'alias' | 'stage';

/** What a history row says happened. */
export type HistoryKind = 'set' | 'delete' | 'rollback' | 'approval' | 'emergency_rollback';

/** How an alias or stage write came about, carried in the Change's `after.via`. */
export type Via = 'rollback' | 'approval' | 'emergency_rollback';

export interface Target {
  readonly model: string;
  readonly type: TargetType;
  /** The alias, or the canonical stage name. */
  readonly target: string;
}

export interface Protection {
  readonly approvalsRequired: number;
  readonly requiredTags: readonly Tag[];
  /** `model`: set on this model by PUT …/protection; `server`: the server-wide default. */
  readonly source: 'model' | 'server';
  readonly user: string | null;
  readonly time: number | null;
}

/** The server-wide default (`--protected-aliases`, `--protected-stages`, `--protected-approvals`). */
export interface ProtectionDefaults {
  readonly aliases: readonly string[];
  readonly stages: readonly string[];
  readonly approvalsRequired: number;
}

export const NO_PROTECTION_DEFAULTS: ProtectionDefaults = Object.freeze({ aliases: [], stages: [], approvalsRequired: 1 });

/** A model's own protection wins; otherwise the server default covers the alias or stage. */
export function effectiveProtection(
  own: Protection | undefined,
  defaults: ProtectionDefaults,
  type: TargetType,
  target: string,
): Protection | undefined {
  if (own) return own;
  const listed = type === 'alias' ? defaults.aliases : defaults.stages;
  if (!listed.includes(target)) return undefined;
  return { approvalsRequired: defaults.approvalsRequired, requiredTags: [], source: 'server', user: null, time: null };
}

export interface HistoryEntry {
  readonly version: string | null;
  readonly previousVersion: string | null;
  readonly user: string;
  readonly time: number;
  readonly kind: HistoryKind;
  readonly requestId: string | null;
  /** Who asked for the position and who approved it, when a request allowed it. */
  readonly approval: { readonly requester: string; readonly approvers: readonly string[] } | null;
}

export type RequestStatus = 'pending' | 'approved' | 'rejected' | 'applied';

export interface Vote {
  readonly user: string;
  readonly decision: 'approve' | 'reject';
  readonly comment: string | null;
  readonly time: number;
}

export interface ApprovalRequest {
  readonly id: string;
  readonly model: string;
  readonly type: TargetType;
  readonly target: string;
  readonly version: string;
  readonly comment: string | null;
  readonly requester: string;
  readonly status: RequestStatus;
  readonly approvalsRequired: number;
  readonly requiredTags: readonly Tag[];
  readonly archiveExisting: boolean;
  readonly createdTime: number;
  readonly updatedTime: number;
  readonly votes: readonly Vote[];
}

export interface NewRequest extends Target {
  readonly version: number;
  readonly comment: string | null;
  readonly requester: string;
  readonly approvalsRequired: number;
  readonly requiredTags: readonly Tag[];
  readonly archiveExisting: boolean;
}

/** The result of a vote, or of applying an approved request. */
export interface Decided {
  readonly request: ApprovalRequest;
  /** The required tags the version lacks (the request is then `approved`, not `applied`). */
  readonly missingTags: readonly Tag[];
  /** The version was deleted after the request was made: it cannot be applied. */
  readonly versionDeleted: boolean;
}

export interface RequestQuery {
  readonly status?: RequestStatus;
  readonly model?: string;
  readonly offset: number;
  readonly limit: number;
}

export interface GovernanceStore {
  getProtection(t: Target): Promise<Protection | undefined>;
  /** false when the model does not exist. */
  setProtection(t: Target, approvalsRequired: number, requiredTags: readonly Tag[], now: number): Promise<boolean>;
  /** false when there was none. */
  deleteProtection(t: Target): Promise<boolean>;

  /** Newest first. */
  history(t: Target, offset: number, limit: number): Promise<{ items: HistoryEntry[]; hasMore: boolean }>;

  /**
   * Moves an alias back, in one transaction, journalled with `via`. `no-version`: the target
   * version is deleted or never existed.
   */
  rollbackAlias(model: string, alias: string, version: number, via: Via): Promise<'ok' | 'no-model' | 'no-version'>;

  /** undefined when the model or the version does not exist; applied at once when no approval is required. */
  createRequest(req: NewRequest, now: number): Promise<Decided | undefined>;
  getRequest(id: string): Promise<ApprovalRequest | undefined>;
  listRequests(q: RequestQuery): Promise<{ items: ApprovalRequest[]; hasMore: boolean }>;
  /**
   * Records a vote on a pending request. An approval that completes the count applies the request
   * in the same transaction when the version carries the required tags (status `applied`), else
   * leaves it `approved`. A rejection closes it. `not-pending` / `voted` / `not-found` refuse.
   */
  vote(id: string, user: string, decision: 'approve' | 'reject', comment: string | null, now: number): Promise<Decided | 'not-found' | 'not-pending' | 'voted'>;
  /** Applies an `approved` request whose version now carries the required tags. */
  apply(id: string, now: number): Promise<Decided | 'not-found' | 'not-approved'>;
}
