/**
 * Governance over SQL: protections, approval requests and votes, history reads, and the two
 * writes that move an alias or stage on governance's behalf (a rollback, an applied request). Those
 * moves journal the same Changes a registry write does, with `via` (and `request_id`) in `after`,
 * so the audit trail, the history sink and webhooks see them, and the protection guard lets them
 * through (governance-sql-guard.ts).
 */
import type { Selectable, Transaction } from 'kysely';
import type { Change } from '../change.js';
import type {
  ApprovalRequest,
  Decided,
  GovernanceStore,
  HistoryEntry,
  HistoryKind,
  NewRequest,
  Protection,
  RequestQuery,
  RequestStatus,
  Target,
  TargetType,
  Via,
  Vote,
} from '../governance-store.js';
import type { Tag } from '../registry-store.js';
import { liveVersionRow, modelRow } from './registry-sql-rows.js';
import { lockModel, tagsFromJson, tagsToJson } from './governance-sql-rows.js';
import type { GovernanceRequestsTable } from './governance-schema.js';
import type { Database } from './schema.js';
import { SqlStoreBase, type Db } from './sql-store-base.js';
import { currentActor } from '../../domain/request-context.js';

type RequestRow = Selectable<GovernanceRequestsTable>;

function requestJson(r: ApprovalRequest): object {
  return { id: r.id, target_type: r.type, target: r.target, version: r.version, status: r.status, requester: r.requester };
}

/** The columns that name an alias or stage of a model, for a WHERE clause. */
function targetKey(t: Target): { model_name: string; target_type: Target['type']; target: string } {
  return { model_name: t.model, target_type: t.type, target: t.target };
}

export class SqlGovernanceStore extends SqlStoreBase implements GovernanceStore {
  async getProtection(t: Target): Promise<Protection | undefined> {
    return this.guard(async () => {
      const row = await this.db
        .selectFrom('governance_protections')
        .selectAll()
        .where((eb) => eb.and(targetKey(t)))
        .executeTakeFirst();
      return row
        ? { approvalsRequired: row.approvals_required, requiredTags: tagsFromJson(row.required_tags), source: 'model', user: row.user_name, time: Number(row.time) }
        : undefined;
    });
  }

  async setProtection(t: Target, approvalsRequired: number, requiredTags: readonly Tag[], now: number): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      // The model's row lock first: an alias write in flight re-checks after this commits.
      if (!(await lockModel(trx, t.model))) return false;
      const old = await this.protectionRow(trx, t);
      const user = currentActor().user;
      const values = { approvals_required: approvalsRequired, required_tags: tagsToJson(requiredTags), user_name: user, time: now };
      await trx
        .insertInto('governance_protections')
        .values({ model_name: t.model, target_type: t.type, target: t.target, ...values })
        .onConflict((oc) => oc.columns(['model_name', 'target_type', 'target']).doUpdateSet(values))
        .execute();
      changes.push({
        action: 'protection.set',
        resourceType: 'protection',
        name: t.model,
        before: old ?? null,
        after: { target_type: t.type, target: t.target, approvals_required: approvalsRequired, required_tags: requiredTags.map((x) => ({ key: x.key, value: x.value })) },
      });
      return true;
    });
  }

  async deleteProtection(t: Target): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      await lockModel(trx, t.model);
      const old = await this.protectionRow(trx, t);
      if (!old) return false;
      await trx
        .deleteFrom('governance_protections')
        .where((eb) => eb.and(targetKey(t)))
        .execute();
      changes.push({ action: 'protection.delete', resourceType: 'protection', name: t.model, before: old });
      return true;
    });
  }

  private async protectionRow(db: Db, t: Target): Promise<object | undefined> {
    const row = await db
      .selectFrom('governance_protections')
      .selectAll()
      .where((eb) => eb.and(targetKey(t)))
      .executeTakeFirst();
    return row
      ? { target_type: t.type, target: t.target, approvals_required: row.approvals_required, required_tags: tagsFromJson(row.required_tags) }
      : undefined;
  }

  async history(t: Target, offset: number, limit: number): Promise<{ items: HistoryEntry[]; hasMore: boolean }> {
    return this.guard(async () => {
      const rows = await this.db
        .selectFrom('governance_history')
        .selectAll()
        .where((eb) => eb.and(targetKey(t)))
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .offset(offset)
        .execute();
      const page = rows.slice(0, limit);
      const ids = [...new Set(page.flatMap((r) => (r.request_id === null ? [] : [Number(r.request_id)])))];
      const requesters = new Map<number, string>();
      if (ids.length > 0) {
        const found = await this.db.selectFrom('governance_requests').select(['id', 'requester']).where('id', 'in', ids).execute();
        for (const f of found) requesters.set(Number(f.id), f.requester);
      }
      const votes = await votesOf(this.db, ids);
      const approvalOf = (id: number | null) => {
        if (id === null) return null;
        const requester = requesters.get(Number(id));
        if (requester === undefined) return null;
        const approvers = (votes.get(Number(id)) ?? []).filter((v) => v.decision === 'approve').map((v) => v.user);
        return { requester, approvers };
      };
      return {
        hasMore: rows.length > limit,
        items: page.map((r) => ({
          version: r.version === null ? null : String(r.version),
          previousVersion: r.previous_version === null ? null : String(r.previous_version),
          user: r.user_name,
          time: Number(r.time),
          kind: r.kind as HistoryKind,
          requestId: r.request_id === null ? null : String(r.request_id),
          approval: approvalOf(r.request_id),
        })),
      };
    });
  }

  async rollbackAlias(model: string, alias: string, version: number, via: Via): Promise<'ok' | 'no-model' | 'no-version'> {
    return this.tx(async (trx, changes) => {
      const m = await modelRow(trx, model);
      if (!m) return 'no-model';
      if (!(await liveVersionRow(trx, model, version))) return 'no-version';
      await moveAlias(trx, changes, m.id, model, alias, version, { via });
      return 'ok';
    });
  }

  async createRequest(req: NewRequest, now: number): Promise<Decided | undefined> {
    return this.tx(async (trx, changes) => {
      if (!(await liveVersionRow(trx, req.model, req.version))) return undefined;
      const inserted = await trx
        .insertInto('governance_requests')
        .values({
          model_name: req.model,
          target_type: req.type,
          target: req.target,
          version: req.version,
          comment: req.comment,
          requester: req.requester,
          status: 'pending',
          approvals_required: req.approvalsRequired,
          required_tags: tagsToJson(req.requiredTags),
          archive_existing: req.archiveExisting ? 1 : 0,
          created_time: now,
          updated_time: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const request = (await requestOf(trx, Number(inserted.id))) as ApprovalRequest;
      changes.push({
        action: 'approval_request.create',
        resourceType: 'approval_request',
        name: req.model,
        version: String(req.version),
        after: { ...requestJson(request), comment: req.comment, approvals_required: req.approvalsRequired },
      });
      // Nothing to wait for (approvals_required 0): applied now if the version carries the tags.
      if (req.approvalsRequired === 0) return tryApply(trx, changes, request, now);
      return { request, missingTags: [], versionDeleted: false };
    });
  }

  async getRequest(id: string): Promise<ApprovalRequest | undefined> {
    const n = Number(id);
    if (!/^\d{1,15}$/.test(id) || !Number.isSafeInteger(n)) return undefined;
    return this.guard(() => requestOf(this.db, n));
  }

  async listRequests(q: RequestQuery): Promise<{ items: ApprovalRequest[]; hasMore: boolean }> {
    return this.guard(async () => {
      let sel = this.db.selectFrom('governance_requests').selectAll();
      if (q.status !== undefined) sel = sel.where('status', '=', q.status);
      if (q.model !== undefined) sel = sel.where('model_name', '=', q.model);
      const rows = await sel.orderBy('id', 'desc').limit(q.limit + 1).offset(q.offset).execute();
      const page = rows.slice(0, q.limit);
      const votes = await votesOf(this.db, page.map((r) => Number(r.id)));
      return { items: page.map((r) => toRequest(r, votes.get(Number(r.id)) ?? [])), hasMore: rows.length > q.limit };
    });
  }

  async vote(id: string, user: string, decision: 'approve' | 'reject', comment: string | null, now: number): Promise<Decided | 'not-found' | 'not-pending' | 'voted'> {
    const n = Number(id);
    if (!/^\d{1,15}$/.test(id)) return 'not-found';
    return this.tx(async (trx, changes) => {
      // The request's row lock first: two approvers at once count each other's votes.
      if (!(await lockRequest(trx, n, 'pending'))) return (await requestOf(trx, n)) ? 'not-pending' : 'not-found';
      const prior = await trx.selectFrom('governance_votes').select('user_name').where('request_id', '=', n).where('user_name', '=', user).executeTakeFirst();
      if (prior) return 'voted';
      await trx.insertInto('governance_votes').values({ request_id: n, user_name: user, decision, comment, time: now }).execute();
      await trx.updateTable('governance_requests').set({ updated_time: now }).where('id', '=', n).execute();
      const request = (await requestOf(trx, n)) as ApprovalRequest;
      changes.push({
        action: `approval_request.${decision}`,
        resourceType: 'approval_request',
        name: request.model,
        version: request.version,
        after: { ...requestJson(request), comment },
      });
      if (decision === 'reject') {
        await setStatus(trx, n, 'rejected', now);
        return { request: (await requestOf(trx, n)) as ApprovalRequest, missingTags: [], versionDeleted: false };
      }
      const approvals = request.votes.filter((v) => v.decision === 'approve').length;
      if (approvals < request.approvalsRequired) return { request, missingTags: [], versionDeleted: false };
      return tryApply(trx, changes, request, now);
    });
  }

  async apply(id: string, now: number): Promise<Decided | 'not-found' | 'not-approved'> {
    const n = Number(id);
    if (!/^\d{1,15}$/.test(id)) return 'not-found';
    return this.tx(async (trx, changes) => {
      if (!(await lockRequest(trx, n, 'approved'))) return (await requestOf(trx, n)) ? 'not-approved' : 'not-found';
      return tryApply(trx, changes, (await requestOf(trx, n)) as ApprovalRequest, now);
    });
  }
}


/**
 * Takes the request's row lock by an UPDATE that changes nothing (portable, no FOR UPDATE), if it
 * is in `status`: a second voter waits, then sees the first one's vote.
 */
async function lockRequest(trx: Transaction<Database>, id: number, status: RequestStatus): Promise<boolean> {
  const res = await trx
    .updateTable('governance_requests')
    .set((eb) => ({ updated_time: eb.ref('updated_time') }))
    .where('id', '=', id)
    .where('status', '=', status)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

async function setStatus(trx: Transaction<Database>, id: number, status: RequestStatus, now: number): Promise<void> {
  await trx.updateTable('governance_requests').set({ status, updated_time: now }).where('id', '=', id).execute();
}

/**
 * Applies an approved request: the alias moves (or the version enters the stage) in this
 * transaction when the version is live and carries every required tag; otherwise the request
 * stays `approved` and the answer says what is missing.
 */
async function tryApply(trx: Transaction<Database>, changes: Change[], request: ApprovalRequest, now: number): Promise<Decided> {
  const id = Number(request.id);
  const version = Number(request.version);
  const row = await liveVersionRow(trx, request.model, version);
  if (!row) {
    await setStatus(trx, id, 'approved', now);
    return { request: (await requestOf(trx, id)) as ApprovalRequest, missingTags: [], versionDeleted: true };
  }
  const tags = await trx.selectFrom('model_version_tags').select(['key', 'value']).where('model_id', '=', row.model_id).where('version', '=', version).execute();
  const have = new Map(tags.map((t) => [t.key, t.value]));
  const missingTags = request.requiredTags.filter((t) => have.get(t.key) !== t.value);
  if (missingTags.length > 0) {
    await setStatus(trx, id, 'approved', now);
    return { request: (await requestOf(trx, id)) as ApprovalRequest, missingTags, versionDeleted: false };
  }
  const extra = { via: 'approval', request_id: request.id };
  if (request.type === 'alias') await moveAlias(trx, changes, row.model_id, request.model, request.target, version, extra);
  else await enterStage(trx, changes, row.model_id, request.model, version, row.current_stage, request.target, request.archiveExisting, now, extra);
  await setStatus(trx, id, 'applied', now);
  const applied = (await requestOf(trx, id)) as ApprovalRequest;
  changes.push({ action: 'approval_request.apply', resourceType: 'approval_request', name: request.model, version: request.version, after: requestJson(applied) });
  return { request: applied, missingTags: [], versionDeleted: false };
}

async function moveAlias(
  trx: Transaction<Database>,
  changes: Change[],
  modelId: number,
  model: string,
  alias: string,
  version: number,
  extra: Record<string, string>,
): Promise<void> {
  const old = await trx.selectFrom('registered_model_aliases').select('version').where('model_id', '=', modelId).where('alias', '=', alias).executeTakeFirst();
  await trx
    .insertInto('registered_model_aliases')
    .values({ model_id: modelId, alias, version })
    .onConflict((oc) => oc.columns(['model_id', 'alias']).doUpdateSet({ version }))
    .execute();
  changes.push({
    action: 'model_version.alias.set',
    resourceType: 'model_version',
    name: model,
    version: String(version),
    before: old ? { alias, version: String(old.version) } : null,
    after: { alias, version: String(version), ...extra },
  });
}

/** As the registry store's transition (sqlalchemy_store.transition_model_version_stage). */
async function enterStage(
  trx: Transaction<Database>,
  changes: Change[],
  modelId: number,
  model: string,
  version: number,
  from: string,
  stage: string,
  archiveExisting: boolean,
  now: number,
  extra: Record<string, string>,
): Promise<void> {
  let archived: string[] = [];
  if (archiveExisting) {
    const others = await trx.selectFrom('model_versions').select('version').where('model_id', '=', modelId).where('current_stage', '=', stage).where('version', '!=', version).execute();
    archived = others.map((o) => String(o.version));
    await trx
      .updateTable('model_versions')
      .set({ current_stage: 'Archived', last_updated_time: now })
      .where('model_id', '=', modelId)
      .where('current_stage', '=', stage)
      .where('version', '!=', version)
      .execute();
  }
  await trx.updateTable('model_versions').set({ current_stage: stage, last_updated_time: now }).where('model_id', '=', modelId).where('version', '=', version).execute();
  await trx.updateTable('registered_models').set({ last_updated_time: now }).where('id', '=', modelId).execute();
  changes.push({
    action: 'model_version.stage.transition',
    resourceType: 'model_version',
    name: model,
    version: String(version),
    before: { stage: from },
    after: { stage, archived_versions: archived, ...extra },
  });
}

async function votesOf(db: Db, ids: readonly number[]): Promise<Map<number, Vote[]>> {
  const out = new Map<number, Vote[]>();
  if (ids.length === 0) return out;
  const rows = await db.selectFrom('governance_votes').selectAll().where('request_id', 'in', [...ids]).orderBy('time').orderBy('user_name').execute();
  for (const r of rows) {
    const list = out.get(Number(r.request_id)) ?? [];
    list.push({ user: r.user_name, decision: r.decision as Vote['decision'], comment: r.comment, time: Number(r.time) });
    out.set(Number(r.request_id), list);
  }
  return out;
}

async function requestOf(db: Db, id: number): Promise<ApprovalRequest | undefined> {
  const row = await db.selectFrom('governance_requests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return toRequest(row, (await votesOf(db, [id])).get(id) ?? []);
}

function toRequest(r: RequestRow, votes: Vote[]): ApprovalRequest {
  return {
    id: String(r.id),
    model: r.model_name,
    type: r.target_type as TargetType,
    target: r.target,
    version: String(r.version),
    comment: r.comment,
    requester: r.requester,
    status: r.status as RequestStatus,
    approvalsRequired: r.approvals_required,
    requiredTags: tagsFromJson(r.required_tags),
    archiveExisting: r.archive_existing === 1,
    createdTime: Number(r.created_time),
    updatedTime: Number(r.updated_time),
    votes,
  };
}
