/**
 * Governance's rules: protections of aliases and stages, approval requests with four eyes, the
 * history of positions, and one-call rollback. No HTTP and no SQL: the store
 * (store/governance-store.ts) does the atomic parts, and the protection check itself runs inside
 * every registry write's transaction (store/sql/governance-sql-guard.ts). Names, aliases and stages
 * arrive validated by the handler (registry/validation.ts).
 *
 * With authentication off every caller is `anonymous`: four eyes then never find a second person,
 * so requests needing approvals can never be approved (only `approvals_required: 0` applies), and
 * protection still refuses direct writes.
 */
import type { Clock } from '../domain/clock.js';
import { currentActor } from '../domain/request-context.js';
import { invalidParameter, MlflowError, notFound } from '../protocol/errors.js';
import { decodeOffsetToken, encodeOffsetToken } from '../protocol/page-token.js';
import {
  effectiveProtection,
  type ApprovalRequest,
  type Decided,
  type GovernanceStore,
  type HistoryEntry,
  type Protection,
  type ProtectionDefaults,
  type RequestStatus,
  type Target,
} from '../store/governance-store.js';
import type { Tag } from '../store/registry-store.js';
import { describeTarget, protectedMessage } from './messages.js';

export const MAX_APPROVALS = 10;
export const MAX_REQUIRED_TAGS = 20;
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

export interface Paged<T> {
  readonly items: readonly T[];
  readonly nextPageToken: string | undefined;
}

/** Whether the caller holds MANAGE on a model (the access guard answers; true with auth off). */
export type ManageCheck = (model: string) => Promise<boolean>;

function modelNotFound(name: string): MlflowError {
  return notFound(`Registered Model with name=${name} not found`);
}

function page(maxResults: number | undefined, pageToken: string | undefined): { offset: number; limit: number } {
  const limit = maxResults ?? DEFAULT_PAGE;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw invalidParameter(`Invalid value ${maxResults} for parameter 'max_results': it must be between 1 and ${MAX_PAGE}.`);
  }
  return { offset: decodeOffsetToken(pageToken), limit };
}

function paged<T>(result: { items: T[]; hasMore: boolean }, offset: number, limit: number): Paged<T> {
  return { items: result.items, nextPageToken: result.hasMore ? encodeOffsetToken(offset + limit) : undefined };
}

export class Governance {
  constructor(
    private readonly store: GovernanceStore,
    readonly defaults: ProtectionDefaults,
    private readonly now: Clock = Date.now,
  ) {}

  async protection(t: Target): Promise<Protection | undefined> {
    return effectiveProtection(await this.store.getProtection(t), this.defaults, t.type, t.target);
  }

  async setProtection(t: Target, approvalsRequired: number, requiredTags: readonly Tag[]): Promise<Protection> {
    if (!Number.isSafeInteger(approvalsRequired) || approvalsRequired < 0 || approvalsRequired > MAX_APPROVALS) {
      throw invalidParameter(`approvals_required must be a whole number from 0 to ${MAX_APPROVALS}, got ${approvalsRequired}.`);
    }
    if (requiredTags.length > MAX_REQUIRED_TAGS) throw invalidParameter(`At most ${MAX_REQUIRED_TAGS} required_tags are allowed.`);
    if (!(await this.store.setProtection(t, approvalsRequired, requiredTags, this.now()))) throw modelNotFound(t.model);
    return (await this.protection(t)) as Protection;
  }

  /** Removes the model's own protection; a server-wide default still applies afterwards. */
  async deleteProtection(t: Target): Promise<void> {
    if (!(await this.store.deleteProtection(t))) {
      throw notFound(`${describeTarget(t.model, t.type, t.target)} has no protection of its own.`);
    }
  }

  async history(t: Target, maxResults: number | undefined, pageToken: string | undefined): Promise<Paged<HistoryEntry>> {
    const { offset, limit } = page(maxResults, pageToken);
    return paged(await this.store.history(t, offset, limit), offset, limit);
  }

  /**
   * Moves an alias back: to `version`, or to the position before its latest change. On a protected
   * alias a MANAGE user may do it without approval (an emergency must be fast); it is recorded as
   * an emergency rollback. Anyone else is refused as a direct write would be.
   */
  async rollback(model: string, alias: string, version: number | undefined, mayManage: ManageCheck): Promise<{ version: string; kind: string }> {
    let target = version;
    if (target === undefined) {
      const latest = (await this.store.history({ model, type: 'alias', target: alias }, 0, 1)).items[0];
      if (!latest?.previousVersion) {
        throw invalidParameter(`Alias '${alias}' of model '${model}' has no previous position to roll back to; name the version: {"version": "3"}.`);
      }
      target = Number(latest.previousVersion);
    }
    const protection = await this.protection({ model, type: 'alias', target: alias });
    let via: 'rollback' | 'emergency_rollback' = 'rollback';
    if (protection) {
      if (!(await mayManage(model))) throw new MlflowError('PERMISSION_DENIED', `${protectedMessage(model, 'alias', alias)} (an emergency rollback needs MANAGE on the model)`);
      via = 'emergency_rollback';
    }
    const outcome = await this.store.rollbackAlias(model, alias, target, via);
    if (outcome === 'no-model') throw modelNotFound(model);
    if (outcome === 'no-version') {
      throw invalidParameter(`Cannot roll back alias '${alias}' of model '${model}' to version ${target}: that version does not exist or was deleted.`);
    }
    return { version: String(target), kind: via };
  }

  async createRequest(t: Target, version: number, comment: string | null, archiveExisting: boolean): Promise<Decided> {
    const protection = await this.protection(t);
    if (!protection) {
      throw invalidParameter(`${describeTarget(t.model, t.type, t.target)} is not protected: change it directly, no request is needed.`);
    }
    const created = await this.store.createRequest(
      {
        ...t,
        version,
        comment,
        requester: currentActor().user,
        approvalsRequired: protection.approvalsRequired,
        requiredTags: protection.requiredTags,
        archiveExisting,
      },
      this.now(),
    );
    if (!created) throw notFound(`Model Version (name=${t.model}, version=${version}) not found`);
    return created;
  }

  async getRequest(id: string): Promise<ApprovalRequest> {
    const request = await this.store.getRequest(id);
    if (!request) throw requestNotFound(id);
    return request;
  }

  /** The model a request is about (the access guard resolves approve/reject permissions with it). */
  async modelOfRequest(id: string): Promise<string | undefined> {
    return (await this.store.getRequest(id))?.model;
  }

  async listRequests(
    filter: { status?: RequestStatus; model?: string },
    maxResults: number | undefined,
    pageToken: string | undefined,
  ): Promise<Paged<ApprovalRequest>> {
    const { offset, limit } = page(maxResults, pageToken);
    return paged(await this.store.listRequests({ ...filter, offset, limit }), offset, limit);
  }

  /**
   * An approval or rejection by someone other than the requester (four eyes); the guard has
   * checked MANAGE on the model. The approval that completes the count applies the request.
   */
  async vote(id: string, decision: 'approve' | 'reject', comment: string | null): Promise<Decided> {
    const user = currentActor().user;
    const request = await this.getRequest(id);
    if (request.requester === user) {
      throw new MlflowError(
        'PERMISSION_DENIED',
        `User '${user}' made request ${id} and cannot ${decision} it: another user with MANAGE on model '${request.model}' must (four eyes).`,
      );
    }
    const outcome = await this.store.vote(id, user, decision, comment, this.now());
    if (outcome === 'not-found') throw requestNotFound(id);
    if (outcome === 'not-pending') throw invalidParameter(`Request ${id} is ${(await this.getRequest(id)).status}, not pending: it takes no more votes.`);
    if (outcome === 'voted') throw invalidParameter(`User '${user}' has already voted on request ${id}.`);
    return outcome;
  }

  /** Applies an approved request once its version carries the required tags. */
  async apply(id: string): Promise<Decided> {
    const outcome = await this.store.apply(id, this.now());
    if (outcome === 'not-found') throw requestNotFound(id);
    if (outcome === 'not-approved') throw invalidParameter(`Request ${id} is ${(await this.getRequest(id)).status}: only an approved request can be applied.`);
    return outcome;
  }

  /** The aliases of `aliases` that are protected on the model (the native publish refuses them up front). */
  async protectedAliases(model: string, aliases: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const alias of aliases) if (await this.protection({ model, type: 'alias', target: alias })) out.push(alias);
    return out;
  }
}

function requestNotFound(id: string): MlflowError {
  return notFound(`Approval request ${id} not found.`);
}
