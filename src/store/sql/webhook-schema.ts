/** Typed tables of the webhooks and their delivery outbox (webhook-migration.ts). */
export interface WebhooksTable {
  webhook_id: string;
  name: string;
  description: string | null;
  url: string;
  /** ACTIVE | DISABLED (MLflow's WebhookStatus). */
  status: string;
  /** The HMAC secret as a Fernet token (MLflow's EncryptedString); null when none. */
  secret: string | null;
  /** MLflow's events, JSON array of `entity.action` strings, in the order given. */
  events: string;
  /** flowreg's opt-in events (JSON array of `entity.action`), set only through flowreg's API. */
  extra_events: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  /** Set by a delete (MLflow deletes softly too). */
  deleted_timestamp: number | null;
}

export interface WebhookDeliveriesTable {
  delivery_id: string;
  webhook_id: string;
  /** `entity.action`. */
  event: string;
  /** The exact JSON body sent on every attempt. */
  body: string;
  creation_timestamp: number;
  /** pending | delivered | failed | cancelled */
  status: string;
  attempts: number;
  next_attempt_timestamp: number;
  /** The replica holding the delivery, and until when; another takes it over after that. */
  lease_owner: string | null;
  lease_expires: number | null;
  last_attempt_timestamp: number | null;
  last_status_code: number | null;
  last_error: string | null;
  response_excerpt: string | null;
  delivered_timestamp: number | null;
}

export interface WebhookTables {
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
}
