/**
 * MLflow's webhook rules (store/model_registry/sqlalchemy_store.py: create_webhook … delete_webhook,
 * utils/validation.py: _validate_webhook_name/_url/_events, webhooks/delivery.py: test_webhook) and
 * flowreg's delivery log. No HTTP here; the handlers are http/handlers/webhooks.ts.
 */
import { randomUUID } from 'node:crypto';
import dns from 'node:dns/promises';
import type { WebhookSettings } from '../config/webhooks.js';
import { invalidParameter, notFound, MlflowError } from '../protocol/errors.js';
import { decodeOffsetToken, encodeOffsetToken } from '../protocol/page-token.js';
import { pythonRepr } from '../protocol/python-repr.js';
import type { Delivery, StoredWebhook, WebhookPatch, WebhookStatus } from '../store/webhook-store.js';
import type { SqlWebhookStore } from '../store/sql/webhook-sql.js';
import { isPublicAddress } from './address-policy.js';
import { isRetryable, retryDelayMs, sendOnce } from './delivery-client.js';
import { envelope, examplePayload, EXTRA_EVENTS, MLFLOW_EVENTS } from './events.js';
import { fernetDecrypt, fernetEncrypt } from './fernet.js';

/** MLflow's _WEBHOOK_NAME_REGEX: 1–63 characters, letters/digits at both ends, `.` `_` `-` inside. */
const NAME = /^(?=.{1,63}$)[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/i;

export interface WebhookEventInput {
  readonly entity: string;
  readonly action: string;
}

export interface TestResult {
  readonly success: boolean;
  readonly responseStatus?: number;
  readonly responseBody?: string;
  readonly errorMessage?: string;
}

export interface WebhookPage {
  readonly webhooks: StoredWebhook[];
  readonly nextPageToken: string | undefined;
}

export interface DeliveryPage {
  readonly deliveries: Delivery[];
  readonly nextPageToken: string | undefined;
}

/** `{entity, action}` → `entity.action`, refusing a pair MLflow refuses (entities/webhook.py: WebhookEvent). */
export function mlflowEvent(e: WebhookEventInput): string {
  const valid = MLFLOW_EVENTS[e.entity];
  if (!valid) throw invalidParameter(`Invalid entity or action in event: '${e.entity}'.`);
  if (!valid.includes(e.action)) {
    throw invalidParameter(
      `Invalid action '${e.action}' for entity '${e.entity}'. Valid actions are: ${pythonRepr([...valid].sort())}`,
    );
  }
  return `${e.entity}.${e.action}`;
}

export function validateName(name: string): void {
  if (!NAME.test(name)) {
    throw invalidParameter(
      `Webhook name ${pythonRepr(name)} is invalid. It must start and end with a letter or digit, be less than 63 characters long, and contain only letters, digits, dots (.), underscores (_), and hyphens (-).`,
    );
  }
}

export class Webhooks {
  /** Called when the set of webhooks changes, so this replica's subscriber cache is refreshed. */
  onChange: () => void = () => undefined;
  /** Called when a delivery is due now (a redelivery), so the local worker sends it at once. */
  nudge: () => void = () => undefined;

  constructor(
    private readonly store: SqlWebhookStore,
    private readonly settings: WebhookSettings,
    private readonly clock: () => number = Date.now,
  ) {}

  /** utils/validation.py: _validate_webhook_url, with MLflow's messages. */
  async validateUrl(url: string): Promise<void> {
    if (!url.trim()) throw invalidParameter(`Webhook URL cannot be empty or just whitespace: ${pythonRepr(url)}`);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? '';
      if (!this.settings.allowedSchemes.includes(scheme)) throw this.badScheme(scheme);
      throw invalidParameter(`Webhook URL must include a hostname: ${pythonRepr(url)}`);
    }
    const scheme = parsed.protocol.replace(/:$/, '');
    if (!this.settings.allowedSchemes.includes(scheme)) throw this.badScheme(scheme);
    const hostname = parsed.hostname.replace(/^\[|\]$/g, '');
    if (!hostname) throw invalidParameter(`Webhook URL must include a hostname: ${pythonRepr(url)}`);
    if (this.settings.allowPrivateIps) return;
    // The URL parser has already turned decimal, octal and hex IPv4 spellings into dotted quads.
    let addresses: string[];
    try {
      addresses = (await dns.lookup(hostname, { all: true })).map((a) => a.address);
    } catch (err) {
      throw invalidParameter(`Cannot resolve Webhook URL hostname ${pythonRepr(hostname)}: ${(err as Error).message}`);
    }
    for (const address of addresses) {
      if (!isPublicAddress(address)) {
        throw invalidParameter(`Webhook URL must not resolve to a non-public IP address. ${pythonRepr(hostname)} resolves to ${address}.`);
      }
    }
  }

  private badScheme(scheme: string): MlflowError {
    return invalidParameter(`Invalid webhook URL scheme: ${pythonRepr(scheme)}. Allowed schemes are: ${this.settings.allowedSchemes.join(', ')}.`);
  }

  private encrypt(secret: string): string {
    return fernetEncrypt(this.settings.encryptionKey, secret, this.clock());
  }

  /** The plaintext secret; throws when this server's key cannot read it. */
  decryptSecret(webhook: StoredWebhook): string | null {
    if (webhook.secret === null) return null;
    try {
      return fernetDecrypt(this.settings.encryptionKey, webhook.secret);
    } catch {
      throw new Error(
        this.settings.ephemeralKey
          ? "the webhook's secret cannot be decrypted: MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY is not set, so it was encrypted with another process's key"
          : "the webhook's secret cannot be decrypted with MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY",
      );
    }
  }

  async create(input: {
    name: string;
    url: string;
    events: readonly string[];
    description?: string | undefined;
    secret?: string | undefined;
    status?: WebhookStatus | undefined;
  }): Promise<StoredWebhook> {
    validateName(input.name);
    await this.validateUrl(input.url);
    if (input.events.length === 0) throw invalidParameter('Webhook events must be a non-empty list of WebhookEvent objects: [].');
    const now = this.clock();
    const created = await this.store.create({
      id: randomUUID(),
      name: input.name,
      description: input.description || null,
      url: input.url,
      status: input.status ?? 'ACTIVE',
      secret: input.secret ? this.encrypt(input.secret) : null,
      events: dedupe(input.events),
      extraEvents: [],
      creationTimestamp: now,
      lastUpdatedTimestamp: now,
    });
    this.onChange();
    return created;
  }

  async get(id: string): Promise<StoredWebhook> {
    const webhook = await this.store.get(id);
    if (!webhook) throw notFound(`Webhook with ID ${id} not found.`);
    return webhook;
  }

  /** MLflow's list_webhooks: max_results 1–1000 (default 100), offset page tokens, newest first. */
  async list(maxResults: number | undefined, pageToken: string | undefined): Promise<WebhookPage> {
    const limit = maxResults || 100;
    if (limit < 1 || limit > 1000) throw invalidParameter('max_results must be between 1 and 1000.');
    const offset = decodeOffsetToken(pageToken);
    const rows = await this.store.list(offset, limit + 1);
    return { webhooks: rows.slice(0, limit), nextPageToken: rows.length > limit ? encodeOffsetToken(offset + limit) : undefined };
  }

  /** MLflow's update_webhook: the webhook must exist, then each field given is checked and set. */
  async update(
    id: string,
    input: { name?: string | undefined; description?: string | undefined; url?: string | undefined; events?: readonly string[] | undefined; secret?: string | undefined; status?: WebhookStatus | undefined },
  ): Promise<StoredWebhook> {
    await this.get(id);
    const patch: { -readonly [K in keyof WebhookPatch]: WebhookPatch[K] } = {};
    if (input.name !== undefined) {
      validateName(input.name);
      patch.name = input.name;
    }
    if (input.url !== undefined) {
      await this.validateUrl(input.url);
      patch.url = input.url;
    }
    if (input.events !== undefined) patch.events = dedupe(input.events);
    if (input.description !== undefined) patch.description = input.description;
    // An empty secret is stored as none: MLflow signs only `if webhook.secret`.
    if (input.secret !== undefined) patch.secret = input.secret ? this.encrypt(input.secret) : null;
    if (input.status !== undefined) patch.status = input.status;
    const updated = await this.store.update(id, patch, this.clock());
    if (!updated) throw notFound(`Webhook with ID ${id} not found.`);
    this.onChange();
    return updated;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.delete(id, this.clock()))) throw notFound(`Webhook with ID ${id} not found.`);
    this.onChange();
  }

  /** flowreg's opt-in events (events.ts: EXTRA_EVENTS), replaced as a whole. */
  async setExtraEvents(id: string, events: readonly string[]): Promise<StoredWebhook> {
    for (const e of events) {
      if (!(EXTRA_EVENTS as readonly string[]).includes(e)) {
        throw invalidParameter(`Invalid extra event ${pythonRepr(e)}. Valid extra events are: ${pythonRepr([...EXTRA_EVENTS])}`);
      }
    }
    await this.get(id);
    const updated = await this.store.update(id, { extraEvents: dedupe(events) }, this.clock());
    if (!updated) throw notFound(`Webhook with ID ${id} not found.`);
    this.onChange();
    return updated;
  }

  /**
   * MLflow's test_webhook: the example payload of the given event (or the webhook's first) sent
   * now, retried as a delivery is; the outcome is the answer, failures included.
   */
  async test(id: string, event: string | undefined): Promise<TestResult> {
    const webhook = await this.get(id);
    const testEvent = event ?? webhook.events[0] ?? webhook.extraEvents[0];
    if (!testEvent) return { success: false, errorMessage: 'Failed to test webhook: the webhook has no events' };
    let secret: string | null;
    try {
      await this.validateUrl(webhook.url);
      secret = this.decryptSecret(webhook);
    } catch (err) {
      return { success: false, errorMessage: `Failed to test webhook: ${(err as Error).message}` };
    }
    const body = envelope(testEvent, examplePayload(testEvent), this.clock());
    const deliveryId = randomUUID();
    const policy = { allowPrivateIps: this.settings.allowPrivateIps, timeoutMs: this.settings.requestTimeoutMs };
    for (let attempt = 0; ; attempt++) {
      const result = await sendOnce({ url: webhook.url, deliveryId, body, secret }, policy);
      if (attempt < this.settings.maxRetries && isRetryable(result)) {
        await new Promise((r) => setTimeout(r, Math.min(retryDelayMs(attempt + 1, result.retryAfter, this.clock()), this.settings.requestTimeoutMs)));
        continue;
      }
      if (result.status === null) return { success: false, errorMessage: `Failed to test webhook: ${result.error ?? 'no response'}` };
      return { success: result.status < 400, responseStatus: result.status, responseBody: result.body };
    }
  }

  // ---- the delivery log ----

  async deliveries(webhookId: string, maxResults: number | undefined, pageToken: string | undefined): Promise<DeliveryPage> {
    await this.getAny(webhookId);
    const limit = maxResults || 100;
    if (limit < 1 || limit > 1000) throw invalidParameter('max_results must be between 1 and 1000.');
    const offset = decodeOffsetToken(pageToken);
    const rows = await this.store.listDeliveries(webhookId, offset, limit + 1);
    return { deliveries: rows.slice(0, limit), nextPageToken: rows.length > limit ? encodeOffsetToken(offset + limit) : undefined };
  }

  async redeliver(webhookId: string, deliveryId: string): Promise<Delivery> {
    await this.get(webhookId);
    const delivery = await this.store.redeliver(webhookId, deliveryId, this.clock());
    if (!delivery) throw notFound(`Delivery with ID ${deliveryId} not found for webhook ${webhookId}.`);
    this.nudge();
    return delivery;
  }

  /** The delivery log stays readable after a webhook is deleted. */
  private async getAny(id: string): Promise<void> {
    if (!(await this.store.webhookOfDelivery(id))) throw notFound(`Webhook with ID ${id} not found.`);
  }
}

function dedupe(events: readonly string[]): string[] {
  return [...new Set(events)];
}
