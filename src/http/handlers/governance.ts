/**
 * Governance's API under /api/flowreg/v1: the history of an alias or stage, one-call rollback,
 * protections, and approval requests. The model, alias, stage and request id come from the path
 * only; the access guard judges the same path values (anchors `path_name` and `approval_request`
 * in auth/route-rules.ts).
 */
import type { Response } from 'express';
import { MlflowError, invalidParameter } from '../../protocol/errors.js';
import type { RequestMessage } from '../../protocol/request-message.js';
import { field } from '../../protocol/request-schema.js';
import { canonicalStage, parseVersion, validateAliasName, validateAliasNotReserved, validateModelName, validateTag } from '../../registry/validation.js';
import type { Governance, Paged } from '../../governance/governance.js';
import type { ApprovalRequest, Decided, HistoryEntry, Protection, RequestStatus, Target, TargetType } from '../../store/governance-store.js';
import type { Tag } from '../../store/registry-store.js';
import type { PathParams, RouteDef } from '../router.js';
import { rpc } from './rpc.js';

/** What the handlers ask the access guard (everything is allowed with authentication off). */
export interface GovernanceAccess {
  mayManage(res: Response, model: string): Promise<boolean>;
  mayRead(res: Response, model: string): Promise<boolean>;
}

export const OPEN_ACCESS: GovernanceAccess = { mayManage: async () => true, mayRead: async () => true };

const STATUSES: readonly RequestStatus[] = ['pending', 'approved', 'rejected', 'applied'];
const PAGE = { max_results: field.optionalInt64, page_token: field.optionalString };

function modelOf(params: PathParams): string {
  const name = params.name ?? '';
  validateModelName(name);
  return name;
}

function aliasTarget(params: PathParams): Target {
  const alias = params.alias ?? '';
  validateAliasName(alias);
  validateAliasNotReserved(alias);
  return { model: modelOf(params), type: 'alias', target: alias };
}

function stageTarget(params: PathParams): Target {
  return { model: modelOf(params), type: 'stage', target: canonicalStage(params.stage ?? '') };
}

/** `{"validation": "passed"}`: an object of string values, each a valid tag. */
function requiredTagsOf(msg: RequestMessage): Tag[] {
  const raw = msg.raw.required_tags;
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalidParameter(`required_tags must be an object of tag keys to values, such as {"validation": "passed"}.`);
  }
  return Object.entries(raw as Record<string, unknown>).map(([key, value]) => {
    if (typeof value !== 'string') throw invalidParameter(`required_tags['${key}'] must be a string.`);
    validateTag(key, value);
    return { key, value };
  });
}

function tagsJson(tags: readonly Tag[]): Record<string, string> {
  return Object.fromEntries(tags.map((t) => [t.key, t.value]));
}

function targetField(type: TargetType, target: string): Record<string, string> {
  return type === 'alias' ? { alias: target } : { stage: target };
}

function protectionJson(t: Target, p: Protection | undefined): object {
  if (!p) return { protection: null };
  return {
    protection: {
      name: t.model,
      ...targetField(t.type, t.target),
      approvals_required: p.approvalsRequired,
      required_tags: tagsJson(p.requiredTags),
      source: p.source,
      ...(p.user !== null ? { user: p.user } : {}),
      ...(p.time !== null ? { timestamp: p.time } : {}),
    },
  };
}

function historyJson(e: HistoryEntry): object {
  return {
    ...(e.version !== null ? { version: e.version } : {}),
    ...(e.previousVersion !== null ? { previous_version: e.previousVersion } : {}),
    user: e.user,
    timestamp: e.time,
    kind: e.kind,
    ...(e.requestId !== null ? { request_id: e.requestId } : {}),
    ...(e.approval ? { requester: e.approval.requester, approved_by: e.approval.approvers } : {}),
  };
}

export function requestJson(r: ApprovalRequest): object {
  return {
    id: r.id,
    name: r.model,
    ...targetField(r.type, r.target),
    version: r.version,
    ...(r.comment !== null ? { comment: r.comment } : {}),
    requester: r.requester,
    status: r.status,
    approvals_required: r.approvalsRequired,
    approvals: r.votes.filter((v) => v.decision === 'approve').length,
    required_tags: tagsJson(r.requiredTags),
    ...(r.type === 'stage' ? { archive_existing_versions: r.archiveExisting } : {}),
    creation_timestamp: r.createdTime,
    last_updated_timestamp: r.updatedTime,
    votes: r.votes.map((v) => ({ user: v.user, decision: v.decision, ...(v.comment !== null ? { comment: v.comment } : {}), timestamp: v.time })),
  };
}

function decidedJson(d: Decided): object {
  return {
    request: requestJson(d.request),
    ...(d.missingTags.length > 0 ? { missing_tags: tagsJson(d.missingTags) } : {}),
    ...(d.versionDeleted ? { version_deleted: true } : {}),
  };
}

function pageJson<T>(key: string, page: Paged<T>, encode: (item: T) => object): object {
  return { [key]: page.items.map(encode), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
}

function idOf(params: PathParams): string {
  const id = params.id ?? '';
  if (!/^\d{1,15}$/.test(id)) throw new MlflowError('RESOURCE_DOES_NOT_EXIST', `Approval request ${id} not found.`);
  return id;
}

export function governanceRoutes(gov: Governance, access: GovernanceAccess): RouteDef[] {
  const models = '/models/{name}';
  const kinds: [string, (p: PathParams) => Target][] = [
    ['aliases/{alias}', aliasTarget],
    ['stages/{stage}', stageTarget],
  ];
  const perTarget = kinds.flatMap(([segment, targetOf]): RouteDef[] => [
    rpc('GET', 'flowreg/v1', `${models}/${segment}/history`, PAGE, async (req, ctx) => {
      const page = await gov.history(targetOf(ctx.pathParams), req.maxResults, req.pageToken);
      return pageJson('history', page, historyJson);
    }),
    rpc('GET', 'flowreg/v1', `${models}/${segment}/protection`, {}, async (_req, ctx) => {
      const t = targetOf(ctx.pathParams);
      return protectionJson(t, await gov.protection(t));
    }),
    rpc('PUT', 'flowreg/v1', `${models}/${segment}/protection`, { approvals_required: field.optionalInt64 }, async (req, ctx, msg) => {
      const t = targetOf(ctx.pathParams);
      return protectionJson(t, await gov.setProtection(t, req.approvalsRequired ?? 1, requiredTagsOf(msg)));
    }),
    rpc('DELETE', 'flowreg/v1', `${models}/${segment}/protection`, {}, async (_req, ctx) => {
      const t = targetOf(ctx.pathParams);
      await gov.deleteProtection(t);
      // What still applies: the server-wide default, if it covers this alias or stage.
      return protectionJson(t, await gov.protection(t));
    }),
    rpc(
      'POST',
      'flowreg/v1',
      `${models}/${segment}/requests`,
      { version: field.then(field.string, parseVersion), comment: field.nullableString, archive_existing_versions: field.optionalBool },
      async (req, ctx) => {
        const t = targetOf(ctx.pathParams);
        if (t.type === 'alias' && req.archiveExistingVersions !== undefined) {
          throw invalidParameter('archive_existing_versions applies to stage requests only.');
        }
        return decidedJson(await gov.createRequest(t, req.version, req.comment, req.archiveExistingVersions ?? false));
      },
    ),
  ]);
  return [
    ...perTarget,
    rpc('POST', 'flowreg/v1', `${models}/aliases/{alias}/rollback`, { version: field.optionalString }, async (req, ctx) => {
      const t = aliasTarget(ctx.pathParams);
      const version = req.version === undefined ? undefined : parseVersion(req.version);
      const done = await gov.rollback(t.model, t.target, version, (model) => access.mayManage(ctx.res, model));
      return { name: t.model, alias: t.target, version: done.version, kind: done.kind };
    }),
    rpc('GET', 'flowreg/v1', '/requests', { status: field.optionalString, name: field.optionalString, ...PAGE }, async (req, ctx) => {
      if (req.status !== undefined && !STATUSES.includes(req.status as RequestStatus)) {
        throw invalidParameter(`Invalid status '${req.status}': expected one of ${STATUSES.join(', ')}.`);
      }
      const filter = { ...(req.status ? { status: req.status as RequestStatus } : {}), ...(req.name ? { model: req.name } : {}) };
      const page = await gov.listRequests(filter, req.maxResults, req.pageToken);
      // Only requests about models the caller may read (every one with authentication off).
      const readable = new Map<string, boolean>();
      const items: ApprovalRequest[] = [];
      for (const r of page.items) {
        if (!readable.has(r.model)) readable.set(r.model, await access.mayRead(ctx.res, r.model));
        if (readable.get(r.model)) items.push(r);
      }
      return pageJson('requests', { items, nextPageToken: page.nextPageToken }, requestJson);
    }),
    rpc('GET', 'flowreg/v1', '/requests/{id}', {}, async (_req, ctx) => ({ request: requestJson(await gov.getRequest(idOf(ctx.pathParams))) })),
    rpc('POST', 'flowreg/v1', '/requests/{id}/approve', { comment: field.nullableString }, async (req, ctx) =>
      decidedJson(await gov.vote(idOf(ctx.pathParams), 'approve', req.comment)),
    ),
    rpc('POST', 'flowreg/v1', '/requests/{id}/reject', { comment: field.nullableString }, async (req, ctx) =>
      decidedJson(await gov.vote(idOf(ctx.pathParams), 'reject', req.comment)),
    ),
    rpc('POST', 'flowreg/v1', '/requests/{id}/apply', {}, async (_req, ctx) => decidedJson(await gov.apply(idOf(ctx.pathParams)))),
  ];
}
