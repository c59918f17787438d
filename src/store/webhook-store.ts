/**
 * What the webhook service and the delivery worker need from storage: webhooks (MLflow's entity,
 * the secret kept as ciphertext) and the delivery outbox. SQL: store/sql/webhook-sql.ts.
 */
export type WebhookStatus = 'ACTIVE' | 'DISABLED';

export interface StoredWebhook {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly url: string;
  readonly status: WebhookStatus;
  /** Ciphertext (a Fernet token), or null when the webhook has no secret. */
  readonly secret: string | null;
  /** MLflow's events, `entity.action`. */
  readonly events: readonly string[];
  /** flowreg's opt-in events, `entity.action`. */
  readonly extraEvents: readonly string[];
  readonly creationTimestamp: number;
  readonly lastUpdatedTimestamp: number;
}

export interface WebhookPatch {
  readonly name?: string;
  readonly description?: string;
  readonly url?: string;
  readonly events?: readonly string[];
  readonly extraEvents?: readonly string[];
  /** Ciphertext, or null to remove the secret. */
  readonly secret?: string | null;
  readonly status?: WebhookStatus;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

export interface NewDelivery {
  readonly deliveryId: string;
  readonly webhookId: string;
  readonly event: string;
  readonly body: string;
  readonly time: number;
}

export interface Delivery {
  readonly deliveryId: string;
  readonly webhookId: string;
  readonly event: string;
  readonly body: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly creationTimestamp: number;
  readonly nextAttemptTimestamp: number | null;
  readonly lastAttemptTimestamp: number | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly responseExcerpt: string | null;
  readonly deliveredTimestamp: number | null;
}

/** What one attempt came to; `status` pending means "try again at nextAttempt". */
export interface AttemptRecord {
  readonly status: DeliveryStatus;
  readonly time: number;
  /** False when nothing was sent (the webhook was disabled or deleted meanwhile). */
  readonly attempted: boolean;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly responseExcerpt: string | null;
  readonly nextAttempt: number;
}
