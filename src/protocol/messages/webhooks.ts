/**
 * Webhooks on the wire (protos/webhooks.proto: Webhook, WebhookEvent, WebhookTestResult), as
 * MLflow's Webhook.to_proto writes them: the secret never, an empty description left out, events
 * as enum names (`{"entity": "MODEL_VERSION", "action": "CREATED"}`). The delivery log is flowreg's.
 */
import type { Delivery, StoredWebhook } from '../../store/webhook-store.js';

export function eventJson(event: string): { entity: string; action: string } {
  const [entity, action] = event.split('.') as [string, string];
  return { entity: entity.toUpperCase(), action: action.toUpperCase() };
}

export function webhookJson(w: StoredWebhook): object {
  return {
    webhook_id: w.id,
    name: w.name,
    ...(w.description ? { description: w.description } : {}),
    url: w.url,
    events: w.events.map(eventJson),
    status: w.status,
    creation_timestamp: w.creationTimestamp,
    last_updated_timestamp: w.lastUpdatedTimestamp,
  };
}

export function testResultJson(r: { success: boolean; responseStatus?: number; responseBody?: string; errorMessage?: string }): object {
  return {
    success: r.success,
    ...(r.responseStatus !== undefined ? { response_status: r.responseStatus } : {}),
    ...(r.responseBody ? { response_body: r.responseBody } : {}),
    ...(r.errorMessage ? { error_message: r.errorMessage } : {}),
  };
}

export function deliveryJson(d: Delivery): object {
  const set = <T>(key: string, v: T | null) => (v === null ? {} : { [key]: v });
  return {
    delivery_id: d.deliveryId,
    webhook_id: d.webhookId,
    event: d.event,
    status: d.status.toUpperCase(),
    attempts: d.attempts,
    creation_timestamp: d.creationTimestamp,
    ...set('next_attempt_timestamp', d.nextAttemptTimestamp),
    ...set('last_attempt_timestamp', d.lastAttemptTimestamp),
    ...set('last_status_code', d.lastStatusCode),
    ...set('last_error', d.lastError),
    ...set('response_excerpt', d.responseExcerpt),
    ...set('delivered_timestamp', d.deliveredTimestamp),
    payload: JSON.parse(d.body) as unknown,
  };
}
