/**
 * The delivery worker: leases due deliveries from the outbox, sends them, and records each attempt
 * (status code, a response excerpt, the error, the next retry, delivered-at). Every replica runs
 * one; a lease lets exactly one of them send a delivery, and a killed replica's leases run out and
 * are taken over, so every delivery is sent at least once, always with its own delivery id.
 *
 * Retries follow MLflow's (webhooks/delivery.py: urllib3 Retry): 429 and 5xx responses and
 * network errors are retried up to MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES times with exponential
 * backoff and Retry-After; other responses, and destinations the address policy refuses, are final.
 */
import { randomUUID } from 'node:crypto';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { WebhookSettings } from '../config/webhooks.js';
import type { Logger } from '../logger.js';
import type { SqlWebhookStore } from '../store/sql/webhook-sql.js';
import type { AttemptRecord, Delivery, StoredWebhook } from '../store/webhook-store.js';
import { isRetryable, retryDelayMs, sendOnce } from './delivery-client.js';
import type { Webhooks } from './service.js';

/** Deliveries leased at once: one UPDATE to claim them, one transaction to record them. */
const BATCH = 64;
/**
 * After a commit, the worker waits this long before it looks: deliveries written meanwhile go out
 * in the same batch, so a burst of writes costs the database a few batch writes, not two per event.
 */
const NUDGE_DELAY_MS = 20;
/** Pause after a full batch while the process is busy, as a multiple of the time the batch took. */
const PAUSE_FACTOR = 9;
/** The shortest pause between two batches of one round, long enough to see whether requests wait. */
const IDLE_PROBE_MS = 5;
/** Event-loop utilisation during a pause above which the process counts as busy with requests. */
const BUSY_UTILISATION = 0.5;

type Target = { webhook: StoredWebhook; deleted: boolean } | undefined;
/** A lease outlasts an attempt's timeout by this much, so a live owner always records before it runs out. */
const LEASE_MARGIN_MS = 10_000;

export class DeliveryWorker {
  readonly owner = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private again = false;
  private claims = 0;
  private timerDue = 0;
  private busy = false;
  private notBefore = 0;
  private eluMark: EventLoopUtilization | undefined;
  private stopped = true;

  constructor(
    private readonly store: SqlWebhookStore,
    private readonly webhooks: Webhooks,
    private readonly settings: WebhookSettings,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  get leaseMs(): number {
    return this.settings.requestTimeoutMs + LEASE_MARGIN_MS;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /**
   * Stops polling and gives the round in flight a moment to record its attempts. A delivery still
   * waiting on a slow receiver after that keeps its lease, which runs out: another replica (or
   * this one after a restart) sends it again, same delivery id.
   */
  async stop(graceMs = 2000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  /**
   * Deliveries are being committed here (the outbox calls this just before the commit): look
   * shortly, unless a look is already due sooner. While a round runs, another follows it.
   */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timerDue > Date.now() + NUDGE_DELAY_MS) this.schedule(NUDGE_DELAY_MS);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    // Not before the pause that follows a batch sent while the process was busy.
    ms = Math.max(ms, this.notBefore - Date.now());
    this.timerDue = Date.now() + ms;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.round().finally(() => {
        this.running = undefined;
        const more = this.again;
        this.again = false;
        this.schedule(more ? NUDGE_DELAY_MS : this.settings.pollIntervalMs);
      });
    }, ms);
    this.timer.unref();
  }

  /** Sends everything due, batch after batch. Also what tests call to deliver synchronously. */
  async round(): Promise<number> {
    let sent = 0;
    try {
      for (;;) {
        // Requests come first: how busy was the process since the last batch (event-loop
        // utilisation)? While requests keep it busy, each batch is followed by a pause of
        // PAUSE_FACTOR times the batch's own time, so deliveries take at most a tenth of the
        // process and a backlog drains when the load drops; an idle process sends at once.
        if (this.eluMark) this.busy = performance.eventLoopUtilization(this.eluMark).utilization > BUSY_UTILISATION;
        const started = performance.now();
        const token = `${this.owner}:${++this.claims}`;
        const batch = await this.store.claimDue(token, this.clock(), this.leaseMs, BATCH);
        if (batch.length === 0) break;
        // The batch's webhooks, read now in one query: a webhook disabled meanwhile stays silent.
        const targets = await this.store.webhooksByIds([...new Set(batch.map((d) => d.webhookId))]);
        const records = await Promise.all(
          batch.map(async (d) => ({
            deliveryId: d.deliveryId,
            record: await this.attempt(d, targets.get(d.webhookId))
              .catch(
                (err: unknown): AttemptRecord =>
                  this.retryOrFail(d, { time: this.clock(), statusCode: null, error: (err as Error).message, excerpt: null }, undefined, true),
              ),
          })),
        );
        try {
          await this.store.recordAttempts(token, records);
        } catch (err) {
          this.logger('warn', `webhook delivery: could not record ${records.length} attempt(s): ${(err as Error).message}`);
        }
        sent += batch.length;
        const pause = this.busy ? (performance.now() - started) * PAUSE_FACTOR : 0;
        this.notBefore = Date.now() + pause;
        this.eluMark = performance.eventLoopUtilization();
        if (this.stopped || batch.length < BATCH) break;
        await new Promise((resolve) => setTimeout(resolve, Math.max(pause, IDLE_PROBE_MS)));
      }
    } catch (err) {
      this.logger('warn', `webhook delivery: ${(err as Error).message}`);
    }
    return sent;
  }

  private async attempt(delivery: Delivery, found: Target): Promise<AttemptRecord> {
    const now = this.clock();
    if (!found || found.deleted || found.webhook.status !== 'ACTIVE') {
      // A webhook disabled or deleted since the event is silent, as MLflow sends only to active ones.
      const why = !found || found.deleted ? 'the webhook was deleted' : 'the webhook is disabled';
      return { status: 'cancelled', time: now, attempted: false, statusCode: null, error: why, responseExcerpt: null, nextAttempt: now };
    }
    let secret: string | null;
    try {
      secret = this.webhooks.decryptSecret(found.webhook);
    } catch (err) {
      return { status: 'failed', time: now, attempted: true, statusCode: null, error: (err as Error).message, responseExcerpt: null, nextAttempt: now };
    }
    const result = await sendOnce(
      { url: found.webhook.url, deliveryId: delivery.deliveryId, body: delivery.body, secret, now: this.clock },
      { allowPrivateIps: this.settings.allowPrivateIps, timeoutMs: this.settings.requestTimeoutMs },
    );
    const done = { time: this.clock(), statusCode: result.status, error: result.error ?? null, excerpt: result.status === null ? null : result.body };
    if (result.status !== null && result.status >= 200 && result.status < 300) {
      return { status: 'delivered', time: done.time, attempted: true, statusCode: result.status, error: null, responseExcerpt: done.excerpt, nextAttempt: done.time };
    }
    if (result.status !== null && result.status >= 300 && result.status < 400) {
      // Redirects are not followed: the address policy vets one destination, the webhook's own.
      return this.retryOrFail(delivery, { ...done, error: `redirects are not followed (answer ${result.status})` }, undefined, false);
    }
    return this.retryOrFail(delivery, done, result.retryAfter, isRetryable(result));
  }

  private retryOrFail(
    delivery: Delivery,
    done: { time: number; statusCode: number | null; error: string | null; excerpt: string | null },
    retryAfter: string | undefined,
    retryable: boolean,
  ): AttemptRecord {
    const attemptsSoFar = delivery.attempts + 1;
    const base = { time: done.time, attempted: true, statusCode: done.statusCode, error: done.error, responseExcerpt: done.excerpt };
    if (retryable && attemptsSoFar <= this.settings.maxRetries) {
      return { ...base, status: 'pending', nextAttempt: done.time + retryDelayMs(attemptsSoFar, retryAfter, done.time) };
    }
    if (done.statusCode !== null || done.error !== null) {
      this.logger('warn', `webhook delivery ${delivery.deliveryId} (${delivery.event}) failed after ${attemptsSoFar} attempt(s): ${done.statusCode ?? done.error}`);
    }
    return { ...base, status: 'failed', nextAttempt: done.time };
  }
}
