/**
 * Webhooks over SQL (MLflow's sqlalchemy_store.py: create_webhook … delete_webhook, soft delete)
 * and the delivery outbox: rows written by the journal sink in the transaction of their change,
 * leased by one replica at a time with a conditional UPDATE (portable: no SKIP LOCKED), so a
 * killed replica's deliveries are taken over once its lease runs out.
 */
import type { Selectable } from 'kysely';
import type {
  AttemptRecord,
  Delivery,
  DeliveryStatus,
  NewDelivery,
  StoredWebhook,
  WebhookPatch,
  WebhookStatus,
} from '../webhook-store.js';
import { SqlStoreBase, type Db } from './sql-store-base.js';
import type { WebhookDeliveriesTable, WebhooksTable } from './webhook-schema.js';

/** The part of a webhook a change may show: everything but the secret. */
function publicView(w: StoredWebhook): object {
  return {
    name: w.name,
    url: w.url,
    description: w.description,
    status: w.status,
    events: w.events,
    extra_events: w.extraEvents,
    has_secret: w.secret !== null,
  };
}

function webhookOf(row: Selectable<WebhooksTable>): StoredWebhook {
  return {
    id: row.webhook_id,
    name: row.name,
    description: row.description,
    url: row.url,
    status: row.status as WebhookStatus,
    secret: row.secret,
    events: JSON.parse(row.events) as string[],
    extraEvents: JSON.parse(row.extra_events) as string[],
    creationTimestamp: Number(row.creation_timestamp),
    lastUpdatedTimestamp: Number(row.last_updated_timestamp),
  };
}

const num = (v: number | null): number | null => (v === null ? null : Number(v));

function deliveryOf(row: Selectable<WebhookDeliveriesTable>): Delivery {
  return {
    deliveryId: row.delivery_id,
    webhookId: row.webhook_id,
    event: row.event,
    body: row.body,
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    creationTimestamp: Number(row.creation_timestamp),
    nextAttemptTimestamp: row.status === 'pending' ? Number(row.next_attempt_timestamp) : null,
    lastAttemptTimestamp: num(row.last_attempt_timestamp),
    lastStatusCode: num(row.last_status_code),
    lastError: row.last_error,
    responseExcerpt: row.response_excerpt,
    deliveredTimestamp: num(row.delivered_timestamp),
  };
}

export class SqlWebhookStore extends SqlStoreBase {
  async create(w: StoredWebhook): Promise<StoredWebhook> {
    return this.tx(async (trx, changes) => {
      await trx
        .insertInto('webhooks')
        .values({
          webhook_id: w.id,
          name: w.name,
          description: w.description,
          url: w.url,
          status: w.status,
          secret: w.secret,
          events: JSON.stringify(w.events),
          extra_events: JSON.stringify(w.extraEvents),
          creation_timestamp: w.creationTimestamp,
          last_updated_timestamp: w.lastUpdatedTimestamp,
          deleted_timestamp: null,
        })
        .execute();
      changes.push({ action: 'webhook.create', resourceType: 'webhook', name: w.id, after: publicView(w) });
      return w;
    });
  }

  async get(id: string, db: Db = this.db): Promise<StoredWebhook | undefined> {
    const row = await db.selectFrom('webhooks').selectAll().where('webhook_id', '=', id).where('deleted_timestamp', 'is', null).executeTakeFirst();
    return row ? webhookOf(row) : undefined;
  }

  /** Newest first (MLflow orders by creation_timestamp desc); `limit + 1` rows tell whether more follow. */
  async list(offset: number, limit: number): Promise<StoredWebhook[]> {
    const rows = await this.db
      .selectFrom('webhooks')
      .selectAll()
      .where('deleted_timestamp', 'is', null)
      .orderBy('creation_timestamp', 'desc')
      .orderBy('webhook_id')
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map(webhookOf);
  }

  /** Active webhooks (not deleted, status ACTIVE): the journal sink filters them by event. */
  async active(db: Db = this.db): Promise<StoredWebhook[]> {
    const rows = await db.selectFrom('webhooks').selectAll().where('deleted_timestamp', 'is', null).where('status', '=', 'ACTIVE').execute();
    return rows.map(webhookOf);
  }

  async update(id: string, patch: WebhookPatch, now: number): Promise<StoredWebhook | undefined> {
    return this.tx(async (trx, changes) => {
      const before = await this.get(id, trx);
      if (!before) return undefined;
      const after: StoredWebhook = {
        ...before,
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.url !== undefined ? { url: patch.url } : {}),
        ...(patch.events !== undefined ? { events: patch.events } : {}),
        ...(patch.extraEvents !== undefined ? { extraEvents: patch.extraEvents } : {}),
        ...(patch.secret !== undefined ? { secret: patch.secret } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        lastUpdatedTimestamp: now,
      };
      await trx
        .updateTable('webhooks')
        .set({
          name: after.name,
          description: after.description,
          url: after.url,
          events: JSON.stringify(after.events),
          extra_events: JSON.stringify(after.extraEvents),
          secret: after.secret,
          status: after.status,
          last_updated_timestamp: now,
        })
        .where('webhook_id', '=', id)
        .execute();
      changes.push({ action: 'webhook.update', resourceType: 'webhook', name: id, before: publicView(before), after: publicView(after) });
      return after;
    });
  }

  async delete(id: string, now: number): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      const before = await this.get(id, trx);
      if (!before) return false;
      await trx.updateTable('webhooks').set({ deleted_timestamp: now, last_updated_timestamp: now }).where('webhook_id', '=', id).execute();
      // Deliveries still waiting are not sent for a deleted webhook.
      await trx
        .updateTable('webhook_deliveries')
        .set({ status: 'cancelled', lease_owner: null, lease_expires: null })
        .where('webhook_id', '=', id)
        .where('status', '=', 'pending')
        .execute();
      changes.push({ action: 'webhook.delete', resourceType: 'webhook', name: id, before: publicView(before) });
      return true;
    });
  }

  // ---- the outbox ----

  /** Called by the journal sink, inside the transaction of the change being reported. */
  async insertDeliveries(trx: Db, deliveries: readonly NewDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await trx
      .insertInto('webhook_deliveries')
      .values(
        deliveries.map((d) => ({
          delivery_id: d.deliveryId,
          webhook_id: d.webhookId,
          event: d.event,
          body: d.body,
          creation_timestamp: d.time,
          status: 'pending',
          attempts: 0,
          next_attempt_timestamp: d.time,
          lease_owner: null,
          lease_expires: null,
          last_attempt_timestamp: null,
          last_status_code: null,
          last_error: null,
          response_excerpt: null,
          delivered_timestamp: null,
        })),
      )
      .execute();
  }

  /** Whether a registered model is a prompt (MLflow sends prompt events for those instead). */
  async isPrompt(trx: Db, name: string): Promise<boolean> {
    const row = await trx
      .selectFrom('registered_model_tags as t')
      .innerJoin('registered_models as rm', 'rm.id', 't.model_id')
      .select('t.value')
      .where('rm.name', '=', name)
      .where('t.key', '=', 'mlflow.prompt.is_prompt')
      .executeTakeFirst();
    return row?.value?.toLowerCase() === 'true';
  }

  /**
   * Leases up to `limit` due deliveries under `token` until `now + leaseMs`, with one conditional
   * UPDATE that takes a row only while it is still pending and unleased (or its lease ran out): of
   * two replicas racing for a row, exactly one sets its token, and each then reads back the rows
   * that carry its own. Portable SQL (no SKIP LOCKED); one write per batch.
   */
  async claimDue(token: string, now: number, leaseMs: number, limit: number): Promise<Delivery[]> {
    const candidates = await this.db
      .selectFrom('webhook_deliveries')
      .select('delivery_id')
      .where('status', '=', 'pending')
      .where('next_attempt_timestamp', '<=', now)
      .where((eb) => eb.or([eb('lease_expires', 'is', null), eb('lease_expires', '<', now)]))
      .orderBy('next_attempt_timestamp')
      .limit(limit)
      .execute();
    if (candidates.length === 0) return [];
    const result = await this.guard(() =>
      this.db
        .updateTable('webhook_deliveries')
        .set({ lease_owner: token, lease_expires: now + leaseMs })
        .where(
          'delivery_id',
          'in',
          candidates.map((c) => c.delivery_id),
        )
        .where('status', '=', 'pending')
        .where((eb) => eb.or([eb('lease_expires', 'is', null), eb('lease_expires', '<', now)]))
        .executeTakeFirst(),
    );
    if (Number(result.numUpdatedRows) === 0) return [];
    const rows = await this.db.selectFrom('webhook_deliveries').selectAll().where('lease_owner', '=', token).execute();
    return rows.map(deliveryOf);
  }

  /** The webhooks a batch of deliveries goes to, deleted or not, by id. */
  async webhooksByIds(ids: readonly string[]): Promise<Map<string, { webhook: StoredWebhook; deleted: boolean }>> {
    const out = new Map<string, { webhook: StoredWebhook; deleted: boolean }>();
    if (ids.length === 0) return out;
    const rows = await this.db.selectFrom('webhooks').selectAll().where('webhook_id', 'in', [...ids]).execute();
    for (const row of rows) out.set(row.webhook_id, { webhook: webhookOf(row), deleted: row.deleted_timestamp !== null });
    return out;
  }

  /** The webhook a delivery goes to, deleted or not (undefined when it never existed). */
  async webhookOfDelivery(id: string): Promise<{ webhook: StoredWebhook; deleted: boolean } | undefined> {
    const row = await this.db.selectFrom('webhooks').selectAll().where('webhook_id', '=', id).executeTakeFirst();
    return row ? { webhook: webhookOf(row), deleted: row.deleted_timestamp !== null } : undefined;
  }

  /**
   * Records the attempts of one leased batch in one transaction, one UPDATE per distinct outcome
   * (a batch that all went well is one statement); a delivery whose lease `token` no longer holds
   * (it ran out and another replica took it) is left as that replica has it.
   */
  async recordAttempts(token: string, attempts: ReadonlyArray<{ deliveryId: string; record: AttemptRecord }>): Promise<void> {
    if (attempts.length === 0) return;
    const groups = new Map<string, { record: AttemptRecord; ids: string[] }>();
    for (const { deliveryId, record } of attempts) {
      const { time: _time, ...outcome } = record;
      const key = JSON.stringify(outcome);
      const group = groups.get(key);
      if (!group) groups.set(key, { record, ids: [deliveryId] });
      else {
        group.ids.push(deliveryId);
        if (record.time > group.record.time) group.record = record;
      }
    }
    await this.guard(() =>
      this.db.transaction().execute(async (trx) => {
        for (const { record, ids } of groups.values()) {
          await trx
            .updateTable('webhook_deliveries')
            .set((eb) => ({
              status: record.status,
              attempts: eb('attempts', '+', record.attempted ? 1 : 0),
              next_attempt_timestamp: record.nextAttempt,
              lease_owner: null,
              lease_expires: null,
              last_attempt_timestamp: record.time,
              last_status_code: record.statusCode,
              last_error: record.error,
              response_excerpt: record.responseExcerpt,
              ...(record.status === 'delivered' ? { delivered_timestamp: record.time } : {}),
            }))
            .where('delivery_id', 'in', ids)
            .where('lease_owner', '=', token)
            .execute();
        }
      }),
    );
  }

  /** A webhook's deliveries, newest first; `limit + 1` rows tell whether more follow. */
  async listDeliveries(webhookId: string, offset: number, limit: number): Promise<Delivery[]> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('webhook_id', '=', webhookId)
      .orderBy('creation_timestamp', 'desc')
      .orderBy('delivery_id')
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map(deliveryOf);
  }

  /** Due again now, same delivery id; the attempt count goes on. */
  async redeliver(webhookId: string, deliveryId: string, now: number): Promise<Delivery | undefined> {
    return this.guard(async () => {
      const result = await this.db
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', attempts: 0, next_attempt_timestamp: now, delivered_timestamp: null })
        .where('delivery_id', '=', deliveryId)
        .where('webhook_id', '=', webhookId)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return undefined;
      const row = await this.db.selectFrom('webhook_deliveries').selectAll().where('delivery_id', '=', deliveryId).executeTakeFirst();
      return row ? deliveryOf(row) : undefined;
    });
  }
}
