/**
 * The webhook outbox: a sink of the registry database's journal. For each change that maps to an
 * event some active webhook subscribes to, it writes one delivery row per such webhook, in the
 * transaction of the change: a delivery exists exactly when its change committed, and a crash after
 * the commit loses nothing (the worker, on whichever replica, sends it later).
 *
 * The subscriber list is cached per process for MLFLOW_WEBHOOK_CACHE_TTL, as MLflow caches
 * webhooks by event (webhooks/delivery.py: _get_cached_webhooks_by_event); a change made through
 * this process drops the cache at once. The write costs one INSERT when something subscribes and
 * nothing otherwise; sending happens in the worker, never in the request.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { JournalEntry } from '../store/change.js';
import type { ChangeSink } from '../store/sql/journal.js';
import type { Database } from '../store/sql/schema.js';
import type { SqlWebhookStore } from '../store/sql/webhook-sql.js';
import type { NewDelivery, StoredWebhook } from '../store/webhook-store.js';
import { envelope, eventsOf } from './events.js';

export class WebhookOutbox implements ChangeSink {
  private cache: { webhooks: StoredWebhook[]; until: number } | undefined;
  /** Told after a transaction wrote deliveries (the local worker then looks at once). */
  onDeliveries: () => void = () => undefined;

  constructor(
    private readonly store: SqlWebhookStore,
    private readonly cacheTtlMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  invalidate(): void {
    this.cache = undefined;
  }

  private async subscribers(trx: Transaction<Database>): Promise<StoredWebhook[]> {
    const now = this.clock();
    if (this.cache && this.cache.until > now) return this.cache.webhooks;
    const webhooks = await this.store.active(trx);
    if (this.cacheTtlMs > 0) this.cache = { webhooks, until: now + this.cacheTtlMs };
    return webhooks;
  }

  async append(trx: Transaction<Database>, entries: readonly JournalEntry[]): Promise<void> {
    const occurrences = entries.flatMap((entry) => eventsOf(entry).map((o) => ({ ...o, time: entry.time })));
    if (occurrences.length === 0) return;
    const webhooks = await this.subscribers(trx);
    if (webhooks.length === 0) return;
    const rows: NewDelivery[] = [];
    const prompt = new Map<string, boolean>();
    for (const o of occurrences) {
      const targets = webhooks.filter((w) => w.events.includes(o.event) || w.extraEvents.includes(o.event));
      if (targets.length === 0) continue;
      const name = String(o.data.name);
      if (o.skipForPrompts) {
        // MLflow sends prompt_* events for a prompt's versions, tags and aliases instead (handlers.py: _is_prompt).
        if (!prompt.has(name)) prompt.set(name, await this.store.isPrompt(trx, name));
        if (prompt.get(name)) continue;
      }
      const body = envelope(o.event, o.data, o.time);
      for (const w of targets) rows.push({ deliveryId: randomUUID(), webhookId: w.id, event: o.event, body, time: o.time });
    }
    if (rows.length === 0) return;
    await this.store.insertDeliveries(trx, rows);
    this.onDeliveries();
  }
}
