/**
 * MLflow's webhook signature (webhooks/delivery.py: _generate_hmac_signature): `v1,` and the
 * base64 HMAC-SHA256, keyed with the webhook's secret, of `{delivery_id}.{timestamp}.{body}`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const DELIVERY_ID_HEADER = 'X-MLflow-Delivery-Id';
export const TIMESTAMP_HEADER = 'X-MLflow-Timestamp';
export const SIGNATURE_HEADER = 'X-MLflow-Signature';
const VERSION = 'v1';

export function signPayload(secret: string, deliveryId: string, timestamp: string, body: string): string {
  const digest = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${deliveryId}.${timestamp}.${body}`, 'utf8').digest('base64');
  return `${VERSION},${digest}`;
}

/** A receiver's check: the signature matches, compared in constant time. */
export function verifySignature(secret: string, deliveryId: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signPayload(secret, deliveryId, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
