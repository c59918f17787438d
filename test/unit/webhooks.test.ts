/**
 * The webhook building blocks: MLflow's signature, Fernet compatibility with Python's
 * cryptography (a token made by MLflow's EncryptedString reads here and the reverse), the address
 * policy against a table of SSRF attack addresses, and the retry schedule.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isPublicAddress } from '../../src/webhooks/address-policy.js';
import { isRetryable, retryDelayMs } from '../../src/webhooks/delivery-client.js';
import { envelope, eventsOf, pythonJsonDumps } from '../../src/webhooks/events.js';
import { fernetDecrypt, fernetEncrypt } from '../../src/webhooks/fernet.js';
import { signPayload, verifySignature } from '../../src/webhooks/signing.js';
import { fernetKeyText, parseFernetKey, webhookSettingsFrom } from '../../src/config/webhooks.js';
import { ConfigError } from '../../src/config/config-error.js';

const KEY = 'ZmxvdXJlZy13ZWJob29rLXRlc3Qta2V5LTMyYnl0ZXM=';
/** Made by `Fernet(KEY).encrypt(b'my-secret-value')` with cryptography (MLflow's venv). */
const PYTHON_TOKEN = 'gAAAAABrEGNmbelmnRxpcQaSx3I0EhXsSpMKvHmpa0sjtpHeyFVTeiQ2KcDvVV5RfKTbZ-sD-EWwDEHfAptWDBmMJfaI_cbI1A==';

describe('webhook signature', () => {
  it('is v1, and base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" keyed with the secret', () => {
    const body = '{"entity": "model_version", "action": "created"}';
    const expected = createHmac('sha256', 'whsec').update(`abc.1700000000.${body}`).digest('base64');
    expect(signPayload('whsec', 'abc', '1700000000', body)).toBe(`v1,${expected}`);
    expect(verifySignature('whsec', 'abc', '1700000000', body, `v1,${expected}`)).toBe(true);
    expect(verifySignature('whsec', 'abc', '1700000001', body, `v1,${expected}`)).toBe(false);
    expect(verifySignature('whsec', 'abd', '1700000000', body, `v1,${expected}`)).toBe(false);
    expect(verifySignature('whsec', 'abc', '1700000000', `${body} `, `v1,${expected}`)).toBe(false);
    expect(verifySignature('other', 'abc', '1700000000', body, `v1,${expected}`)).toBe(false);
  });
});

describe('Fernet secrets', () => {
  const key = parseFernetKey(KEY);
  it("reads a token made by Python's cryptography (MLflow's EncryptedString)", () => {
    expect(fernetDecrypt(key, PYTHON_TOKEN)).toBe('my-secret-value');
  });
  it('round-trips, padded as Python pads, and refuses another key or a changed token', () => {
    const token = fernetEncrypt(key, 'héllo');
    expect(token.length % 4).toBe(0);
    expect(token.startsWith('gAAAAA')).toBe(true);
    expect(fernetDecrypt(key, token)).toBe('héllo');
    expect(() => fernetDecrypt(Buffer.alloc(32, 1), token)).toThrow();
    const flipped = token.slice(0, 20) + (token[20] === 'A' ? 'B' : 'A') + token.slice(21);
    expect(() => fernetDecrypt(key, flipped)).toThrow();
  });
  it('spells a key as Fernet.generate_key() does, so a generated one reads back', () => {
    expect(fernetKeyText(key)).toBe(KEY.replace(/\+/g, '-').replace(/\//g, '_'));
    expect(parseFernetKey(fernetKeyText(key)).equals(key)).toBe(true);
  });
  it('refuses a key that is not 32 bytes of URL-safe base64 at start-up', () => {
    expect(() => parseFernetKey('short')).toThrow(ConfigError);
    expect(() => parseFernetKey(Buffer.alloc(31).toString('base64url'))).toThrow(ConfigError);
  });
});

describe('address policy (MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS off)', () => {
  const refused = [
    '127.0.0.1',
    '127.1.2.3',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '0:0:0:0:0:ffff:7f00:1',
    '10.0.0.1',
    '10.255.255.255',
    '172.16.0.1',
    '172.31.255.254',
    '192.168.0.1',
    '169.254.169.254',
    '169.254.0.1',
    '100.64.0.1',
    'fd00::1',
    'fc00::1',
    'fe80::1',
    'fe80::1%eth0',
    'febf::1',
    '0.0.0.0',
    '::',
    '224.0.0.1',
    '255.255.255.255',
    '192.0.2.1',
    '198.18.0.1',
    '2002:7f00:1::',
    '2002:a00:1::1',
    '64:ff9b::a9fe:a9fe',
    '64:ff9b::169.254.169.254',
    '::ffff:169.254.169.254',
    '::ffff:10.0.0.1',
    '2001:db8::1',
    'not-an-ip',
    '2130706433',
  ];
  const allowed = ['8.8.8.8', '1.1.1.1', '172.32.0.1', '172.15.255.255', '192.169.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2002:808:808::1', '64:ff9b::808:808'];
  it.each(refused)('refuses %s', (ip) => expect(isPublicAddress(ip)).toBe(false));
  it.each(allowed)('allows %s', (ip) => expect(isPublicAddress(ip)).toBe(true));
});

describe('retry schedule', () => {
  it('doubles from 1 s up to 60 s, with at most 1 s of jitter', () => {
    expect([1, 2, 3, 4, 7, 10].map((n) => retryDelayMs(n, undefined, 0, () => 0))).toEqual([1000, 2000, 4000, 8000, 60000, 60000]);
    expect(retryDelayMs(1, undefined, 0, () => 0.999)).toBe(1999);
  });
  it('takes Retry-After in seconds or as an HTTP date', () => {
    expect(retryDelayMs(1, '7', 0)).toBe(7000);
    const now = Date.parse('Wed, 02 Dec 2026 10:00:00 GMT');
    expect(retryDelayMs(1, 'Wed, 02 Dec 2026 10:00:30 GMT', now)).toBe(30000);
  });
  it('retries 429, 5xx and network errors, not other answers or refused destinations', () => {
    const r = (status: number | null, refused = false) => ({ status, body: '', retryAfter: undefined, refused });
    expect([429, 500, 502, 503, 504].map((s) => isRetryable(r(s)))).toEqual([true, true, true, true, true]);
    expect([400, 401, 404, 409, 501].map((s) => isRetryable(r(s)))).toEqual([false, false, false, false, false]);
    expect(isRetryable(r(null))).toBe(true);
    expect(isRetryable(r(null, true))).toBe(false);
  });
});

describe('events and envelope', () => {
  const entry = (action: string, extra: object) => ({ action, resourceType: 'model_version' as const, name: 'm', version: '3', actor: { user: 'u', requestId: null, address: null, userAgent: null }, time: Date.UTC(2026, 0, 2, 3, 4, 5, 678), ...extra });
  it('writes json.dumps layout and isoformat timestamps', () => {
    expect(pythonJsonDumps({ a: [1, { b: 'é' }], c: {} })).toBe('{"a": [1, {"b": "\\u00e9"}], "c": {}}');
    expect(envelope('model_version.created', { name: 'm' }, Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe(
      '{"entity": "model_version", "action": "created", "timestamp": "2026-01-02T03:04:05.678000+00:00", "data": {"name": "m"}}',
    );
  });
  it('reports an alias moved by a rollback as the MLflow event plus the opt-in one', () => {
    const rollback = eventsOf(entry('model_version.alias.set', { before: { alias: 'champion', version: '4' }, after: { alias: 'champion', version: '3', via: 'rollback' } }) as never);
    expect(rollback.map((e) => e.event)).toEqual(['model_version_alias.created', 'model_version_alias.rolled_back']);
    expect(rollback[1]!.data).toEqual({ name: 'm', alias: 'champion', version: '3', previous_version: '4', emergency: false });
    const emergency = eventsOf(entry('model_version.alias.set', { before: null, after: { alias: 'champion', version: '3', via: 'emergency_rollback' } }) as never);
    expect(emergency[1]!.data).toMatchObject({ previous_version: null, emergency: true });
  });
  it('reports an applied approval request as approval.granted, and its alias move as MLflow’s event only', () => {
    const moved = eventsOf(entry('model_version.alias.set', { before: null, after: { alias: 'prod', version: '3', via: 'approval', request_id: 7 } }) as never);
    expect(moved.map((e) => e.event)).toEqual(['model_version_alias.created']);
    const granted = eventsOf(
      entry('approval_request.apply', { resourceType: 'approval_request', after: { id: 7, target_type: 'alias', target: 'prod', version: '3', status: 'applied', requester: 'alice' } }) as never,
    );
    expect(granted).toEqual([
      { event: 'approval.granted', data: { name: 'm', version: '3', request_id: 7, target_type: 'alias', target: 'prod', requester: 'alice', applied_by: 'u' } },
    ]);
  });
});

describe('webhook settings (MLflow’s environment variables)', () => {
  it('defaults as MLflow: https only, no private addresses, 30 s, 3 retries, 60 s cache, a key of this process', () => {
    const s = webhookSettingsFrom({});
    expect(s).toMatchObject({ allowedSchemes: ['https'], allowPrivateIps: false, requestTimeoutMs: 30_000, maxRetries: 3, cacheTtlMs: 60_000, ephemeralKey: true, deliver: true });
    expect(s.encryptionKey).toHaveLength(32);
    expect(webhookSettingsFrom({}).encryptionKey.equals(s.encryptionKey)).toBe(false);
  });
  it('reads each variable', () => {
    const s = webhookSettingsFrom({
      MLFLOW_WEBHOOK_ALLOWED_SCHEMES: ' http , https ,',
      MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS: 'TRUE',
      MLFLOW_WEBHOOK_REQUEST_TIMEOUT: '5',
      MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES: '0',
      MLFLOW_WEBHOOK_CACHE_TTL: '0',
      MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY: KEY,
      FLOWREG_WEBHOOK_DELIVERY: 'false',
    });
    expect(s).toMatchObject({ allowedSchemes: ['http', 'https'], allowPrivateIps: true, requestTimeoutMs: 5000, maxRetries: 0, cacheTtlMs: 0, ephemeralKey: false, deliver: false });
    expect(fernetKeyText(s.encryptionKey)).toBe(KEY);
  });
  it('stops start-up on a value it cannot honour', () => {
    for (const env of [
      { MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS: 'maybe' },
      { MLFLOW_WEBHOOK_REQUEST_TIMEOUT: '0' },
      { MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES: '-1' },
      { MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY: 'not-a-key' },
    ]) {
      expect(() => webhookSettingsFrom(env), JSON.stringify(env)).toThrow(ConfigError);
    }
  });
});
