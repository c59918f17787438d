/**
 * Webhook delivery settings: MLflow's environment variables with MLflow's defaults
 * (mlflow/environment_variables.py, 3.17.2), read once at start-up.
 *
 * - MLFLOW_WEBHOOK_ALLOWED_SCHEMES: comma-separated URL schemes a webhook may use (default `https`).
 * - MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS: `true` lets webhooks reach loopback, private, link-local and
 *   metadata addresses (default off: refused when the URL is saved and again on the address each
 *   delivery actually connects to).
 * - MLFLOW_WEBHOOK_REQUEST_TIMEOUT: seconds per delivery attempt (default 30).
 * - MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES: retries after the first attempt on 429/5xx/network errors (3).
 * - MLFLOW_WEBHOOK_CACHE_TTL: seconds a replica keeps its list of subscribed webhooks (60).
 * - MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY: the Fernet key secrets are encrypted with at rest. Unset,
 *   MLflow generates a key per process (store/model_registry/dbmodels/models.py: EncryptedString);
 *   flowreg does the same and says so at start-up: secrets then cannot be read after a restart or by
 *   another replica, and deliveries of signed webhooks fail with that reason in the delivery log.
 * - FLOWREG_WEBHOOK_DELIVERY (default on): `false` stops this process from sending (it still records
 *   deliveries, which another replica sends).
 */
import { randomBytes } from 'node:crypto';
import { ConfigError } from './config-error.js';

export interface WebhookSettings {
  readonly allowedSchemes: readonly string[];
  readonly allowPrivateIps: boolean;
  readonly requestTimeoutMs: number;
  readonly maxRetries: number;
  readonly cacheTtlMs: number;
  /** The 32-byte Fernet key (signing half, then encryption half). */
  readonly encryptionKey: Buffer;
  /** True when no key was configured and `encryptionKey` is this process's own. */
  readonly ephemeralKey: boolean;
  /** Whether this process runs the delivery worker. */
  readonly deliver: boolean;
  /** How often an idle worker looks for deliveries that other replicas recorded. */
  readonly pollIntervalMs: number;
}

function bool(raw: string | undefined, name: string, fallback: boolean): boolean {
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = raw.trim().toLowerCase();
  // MLflow's _BooleanEnvironmentVariable accepts true/false/1/0 in any case.
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${name}: expected true or false, got '${raw}'`);
}

function int(raw: string | undefined, name: string, fallback: number, min: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name}: expected a whole number, got '${raw}'`);
  const n = Number(raw.trim());
  if (n < min) throw new ConfigError(`${name}: expected at least ${min}, got ${n}`);
  return n;
}

/** A Fernet key: 32 bytes in URL-safe base64 (cryptography's Fernet(key) refuses anything else). */
export function parseFernetKey(raw: string, name = 'MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY'): Buffer {
  const text = raw.trim();
  if (!/^[A-Za-z0-9_-]{43}=?$/.test(text)) throw new ConfigError(`${name}: expected a Fernet key (32 bytes in URL-safe base64)`);
  const key = Buffer.from(text, 'base64url');
  if (key.length !== 32) throw new ConfigError(`${name}: expected a Fernet key (32 bytes in URL-safe base64)`);
  return key;
}

/** A key as MLflow's MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY spells it (Fernet.generate_key()). */
export function fernetKeyText(key: Buffer): string {
  return key.toString('base64url') + '=';
}

export function webhookSettingsFrom(env: NodeJS.ProcessEnv): WebhookSettings {
  const schemesRaw = env.MLFLOW_WEBHOOK_ALLOWED_SCHEMES;
  // MLflow's _split_strip: split on commas, strip, drop empties.
  const allowedSchemes = schemesRaw === undefined ? ['https'] : schemesRaw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const keyRaw = env.MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY;
  const configured = keyRaw !== undefined && keyRaw.trim() !== '';
  return {
    allowedSchemes,
    allowPrivateIps: bool(env.MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS, 'MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS', false),
    requestTimeoutMs: int(env.MLFLOW_WEBHOOK_REQUEST_TIMEOUT, 'MLFLOW_WEBHOOK_REQUEST_TIMEOUT', 30, 1) * 1000,
    maxRetries: int(env.MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES, 'MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES', 3, 0),
    cacheTtlMs: int(env.MLFLOW_WEBHOOK_CACHE_TTL, 'MLFLOW_WEBHOOK_CACHE_TTL', 60, 0) * 1000,
    encryptionKey: configured ? parseFernetKey(keyRaw) : randomBytes(32),
    ephemeralKey: !configured,
    deliver: bool(env.FLOWREG_WEBHOOK_DELIVERY, 'FLOWREG_WEBHOOK_DELIVERY', true),
    pollIntervalMs: 1000,
  };
}
