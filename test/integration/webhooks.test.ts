/**
 * Webhooks end to end, on every backend: MLflow's API (fields, validation messages, paging, error
 * codes), deliveries to a real receiver in this process (envelope, headers, signature), retries
 * after 503 and 429 + Retry-After, a disabled webhook kept silent, the delivery log and redelivery,
 * flowreg's opt-in events, and the audit events of webhook changes (without the secret).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, backends, createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from '../helpers/app.js';
import { eventually, Receiver } from '../helpers/webhook-receiver.js';
import { webhookSettingsFrom, type WebhookSettings } from '../../src/config/webhooks.js';
import { verifySignature } from '../../src/webhooks/signing.js';
import { sendOnce } from '../../src/webhooks/delivery-client.js';

const KEY = 'ZmxvdXJlZy13ZWJob29rLXRlc3Qta2V5LTMyYnl0ZXM='; // 32 bytes, URL-safe base64
const NATIVE = '/api/flowreg/v1/webhooks';

/** Loopback receivers allowed, as MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS=true and http allowed. */
function testSettings(): WebhookSettings {
  return {
    ...webhookSettingsFrom({
      MLFLOW_WEBHOOK_ALLOWED_SCHEMES: 'http,https',
      MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS: 'true',
      MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY: KEY,
      MLFLOW_WEBHOOK_REQUEST_TIMEOUT: '5',
    }),
    pollIntervalMs: 200,
  };
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${counter++}`;

describe.each(backends())('webhooks (%s)', (backend) => {
  let t: TestApp;
  const receiver = new Receiver();

  beforeAll(async () => {
    await receiver.start();
    t = await createTestApp(backend, { webhooks: testSettings() });
  });
  afterAll(async () => {
    await t?.close();
    await receiver.stop();
  });

  const create = (body: object) => t.request.post(`${API}/webhooks`).send(body);
  const deliveries = async (id: string) => (await t.request.get(`${NATIVE}/${id}/deliveries`)).body.deliveries as any[];
  const model = (name: string) => t.request.post(`${API}/registered-models/create`).send({ name });
  const version = (name: string) => t.request.post(`${API}/model-versions/create`).send({ name, source: 's3://b/m' });

  async function hook(events: object[], extra: object = {}): Promise<{ id: string; path: string }> {
    const path = `/${unique('hook')}`;
    const res = await create({ name: unique('hook'), url: receiver.url(path), events, secret: 's3cret', ...extra });
    expect(res.status).toBe(200);
    return { id: res.body.webhook.webhook_id, path };
  }

  it('creates, gets, lists, updates and deletes a webhook with MLflow fields, never returning the secret', async () => {
    const res = await create({
      name: 'ci-trigger',
      url: 'https://example.com/hook',
      events: [{ entity: 'MODEL_VERSION', action: 'CREATED' }, { entity: 'MODEL_VERSION_ALIAS', action: 'CREATED' }],
      description: 'deploy on new versions',
      secret: 'top-secret',
    });
    expect(res.status).toBe(200);
    const w = res.body.webhook;
    expect(w).toEqual({
      webhook_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'ci-trigger',
      description: 'deploy on new versions',
      url: 'https://example.com/hook',
      events: [
        { entity: 'MODEL_VERSION', action: 'CREATED' },
        { entity: 'MODEL_VERSION_ALIAS', action: 'CREATED' },
      ],
      status: 'ACTIVE',
      creation_timestamp: expect.any(Number),
      last_updated_timestamp: w.creation_timestamp,
    });
    expect(JSON.stringify(res.body)).not.toContain('top-secret');
    expect((await t.request.get(`${API}/webhooks/${w.webhook_id}`)).body).toEqual({ webhook: w });
    expect((await t.request.get(`/ajax-api/2.0/mlflow/webhooks/${w.webhook_id}`)).body).toEqual({ webhook: w });

    const updated = await t.request.patch(`${API}/webhooks/${w.webhook_id}`).send({ name: 'ci-trigger-2', status: 'DISABLED', events: [{ entity: 'REGISTERED_MODEL', action: 'CREATED' }] });
    expect(updated.status).toBe(200);
    expect(updated.body.webhook).toMatchObject({ name: 'ci-trigger-2', status: 'DISABLED', url: w.url, description: w.description, events: [{ entity: 'REGISTERED_MODEL', action: 'CREATED' }] });
    // An empty description clears it (present in the message, as HasField).
    const cleared = await t.request.patch(`${API}/webhooks/${w.webhook_id}`).send({ description: '' });
    expect(cleared.body.webhook).not.toHaveProperty('description');

    expect((await t.request.delete(`${API}/webhooks/${w.webhook_id}`)).body).toEqual({});
    const gone = await t.request.get(`${API}/webhooks/${w.webhook_id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Webhook with ID ${w.webhook_id} not found.` });
    expect((await t.request.patch(`${API}/webhooks/${w.webhook_id}`).send({ name: 'x' })).status).toBe(404);
    expect((await t.request.delete(`${API}/webhooks/${w.webhook_id}`)).status).toBe(404);
  });

  it('pages the list newest first with MLflow page tokens', async () => {
    for (let i = 0; i < 3; i++) await hook([{ entity: 'REGISTERED_MODEL', action: 'CREATED' }]);
    const first = await t.request.get(`${API}/webhooks`).query({ max_results: 2 });
    expect(first.status).toBe(200);
    expect(first.body.webhooks).toHaveLength(2);
    expect(first.body.next_page_token).toBe(Buffer.from('{"offset": 2}').toString('base64'));
    const all = (await t.request.get(`${API}/webhooks`).query({ max_results: 1000 })).body.webhooks as any[];
    const times = all.map((w) => w.creation_timestamp);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const second = await t.request.get(`${API}/webhooks`).query({ max_results: 2, page_token: first.body.next_page_token });
    expect(second.body.webhooks[0]).toEqual(all[2]);
    // MLflow reads 0 as unset (`max_results or 100`).
    expect((await t.request.get(`${API}/webhooks`).query({ max_results: 0 })).status).toBe(200);
    for (const bad of [-1, 1001]) {
      const res = await t.request.get(`${API}/webhooks`).query({ max_results: bad });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'max_results must be between 1 and 1000.' });
    }
  });

  it('refuses bad input with MLflow messages and stores nothing', async () => {
    const before = (await t.request.get(`${API}/webhooks`).query({ max_results: 1000 })).body.webhooks?.length ?? 0;
    const cases: Array<[object, string]> = [
      [{ name: '-bad', url: 'https://example.com', events: [{ entity: 'REGISTERED_MODEL', action: 'CREATED' }] },
        "Webhook name '-bad' is invalid. It must start and end with a letter or digit, be less than 63 characters long, and contain only letters, digits, dots (.), underscores (_), and hyphens (-)."],
      [{ name: 'ok', url: 'https://example.com', events: [{ entity: 'MODEL_VERSION', action: 'DELETED' }] },
        "Invalid action 'deleted' for entity 'model_version'. Valid actions are: ['created']"],
      [{ name: 'ok', url: 'ftp://example.com/x', events: [{ entity: 'REGISTERED_MODEL', action: 'CREATED' }] },
        "Invalid webhook URL scheme: 'ftp'. Allowed schemes are: http, https."],
      [{ name: 'ok', url: ' ', events: [{ entity: 'REGISTERED_MODEL', action: 'CREATED' }] }, "Webhook URL cannot be empty or just whitespace: ' '"],
    ];
    for (const [body, message] of cases) {
      const res = await create(body);
      expect(res.status, message).toBe(400);
      expect(res.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message });
    }
    const missing = await create({ name: 'ok', url: 'https://example.com' });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain("'events'");
    const after = (await t.request.get(`${API}/webhooks`).query({ max_results: 1000 })).body.webhooks?.length ?? 0;
    expect(after).toBe(before);
  });

  it('delivers MLflow events with the envelope, headers and a signature that verifies', async () => {
    const { id, path } = await hook([
      { entity: 'REGISTERED_MODEL', action: 'CREATED' },
      { entity: 'MODEL_VERSION', action: 'CREATED' },
      { entity: 'MODEL_VERSION_TAG', action: 'SET' },
      { entity: 'MODEL_VERSION_ALIAS', action: 'CREATED' },
      { entity: 'MODEL_VERSION_ALIAS', action: 'DELETED' },
    ]);
    const name = unique('m');
    expect((await model(name)).status).toBe(200);
    expect((await version(name)).status).toBe(200);
    await t.request.post(`${API}/model-versions/set-tag`).send({ name, version: '1', key: 'k', value: 'v' });
    await t.request.post(`${API}/registered-models/alias`).send({ name, alias: 'champion', version: '1' });
    await t.request.delete(`${API}/registered-models/alias`).send({ name, alias: 'champion' });
    // Not subscribed: no delivery.
    await t.request.post(`${API}/registered-models/set-tag`).send({ name, key: 'k', value: 'v' });

    const got = await eventually('5 deliveries', () => (receiver.at(path).length >= 5 ? receiver.at(path) : undefined));
    const bodies = got.map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => `${b.entity}.${b.action}`).sort()).toEqual(
      ['model_version.created', 'model_version_alias.created', 'model_version_alias.deleted', 'model_version_tag.set', 'registered_model.created'].sort(),
    );
    const byEvent = Object.fromEntries(bodies.map((b) => [`${b.entity}.${b.action}`, b]));
    expect(byEvent['registered_model.created'].data).toEqual({ name, tags: {}, description: '' });
    expect(byEvent['model_version.created'].data).toEqual({ name, version: '1', source: 's3://b/m', run_id: null, tags: {}, description: null });
    expect(byEvent['model_version_tag.set'].data).toEqual({ name, version: '1', key: 'k', value: 'v' });
    expect(byEvent['model_version_alias.created'].data).toEqual({ name, alias: 'champion', version: '1' });
    expect(byEvent['model_version_alias.deleted'].data).toEqual({ name, alias: 'champion' });
    expect(byEvent['registered_model.created'].timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    for (const r of got) {
      expect(r.headers['content-type']).toBe('application/json');
      const deliveryId = r.headers['x-mlflow-delivery-id'] as string;
      const timestamp = r.headers['x-mlflow-timestamp'] as string;
      expect(timestamp).toMatch(/^\d+$/);
      expect(verifySignature('s3cret', deliveryId, timestamp, r.body, r.headers['x-mlflow-signature'] as string)).toBe(true);
      expect(verifySignature('wrong', deliveryId, timestamp, r.body, r.headers['x-mlflow-signature'] as string)).toBe(false);
    }
    const log = await eventually('the log to show 5 delivered', async () => {
      const list = await deliveries(id);
      return list.length === 5 && list.every((d) => d.status === 'DELIVERED') ? list : undefined;
    });
    expect(new Set(log.map((d) => d.delivery_id))).toEqual(new Set(got.map((r) => r.headers['x-mlflow-delivery-id'])));
    expect(log[0]).toMatchObject({ webhook_id: id, attempts: 1, last_status_code: 200, response_excerpt: 'ok', delivered_timestamp: expect.any(Number) });
  });

  it('retries after a 503 with the same delivery id, and waits as Retry-After says', async () => {
    const { id, path } = await hook([{ entity: 'REGISTERED_MODEL', action: 'CREATED' }]);
    receiver.script(path, [{ status: 503, body: 'busy' }, { status: 429, headers: { 'Retry-After': '3' }, body: 'slow down' }]);
    await model(unique('m'));
    const waiting = await eventually('a retry scheduled after the 429', async () => {
      const [d] = await deliveries(id);
      return d && d.attempts === 2 && d.status === 'PENDING' ? d : undefined;
    });
    expect(waiting).toMatchObject({ last_status_code: 429, response_excerpt: 'slow down' });
    expect(waiting.next_attempt_timestamp - waiting.last_attempt_timestamp).toBeGreaterThanOrEqual(3000);
    const done = await eventually('the delivery', async () => {
      const [d] = await deliveries(id);
      return d?.status === 'DELIVERED' ? d : undefined;
    });
    expect(done.attempts).toBe(3);
    const got = receiver.at(path);
    expect(got.map((r) => r.headers['x-mlflow-delivery-id'])).toEqual([done.delivery_id, done.delivery_id, done.delivery_id]);
    expect(got[2]!.time - got[1]!.time).toBeGreaterThanOrEqual(3000);
  });

  it('gives up after the retries and on a 4xx, and redelivers on request with the same id', async () => {
    const { id, path } = await hook([{ entity: 'REGISTERED_MODEL', action: 'CREATED' }]);
    receiver.script(path, [{ status: 400, body: 'no' }]);
    await model(unique('m'));
    const failed = await eventually('the failure', async () => {
      const [d] = await deliveries(id);
      return d?.status === 'FAILED' ? d : undefined;
    });
    expect(failed).toMatchObject({ attempts: 1, last_status_code: 400, response_excerpt: 'no' });
    const res = await t.request.post(`${NATIVE}/${id}/deliveries/${failed.delivery_id}/redeliver`).send({});
    expect(res.status).toBe(200);
    expect(res.body.delivery).toMatchObject({ delivery_id: failed.delivery_id, status: 'PENDING' });
    await eventually('the redelivery', () => (receiver.at(path).length === 2 ? true : undefined));
    expect(receiver.at(path).map((r) => r.headers['x-mlflow-delivery-id'])).toEqual([failed.delivery_id, failed.delivery_id]);
    expect((await t.request.post(`${NATIVE}/${id}/deliveries/nope/redeliver`).send({})).status).toBe(404);
  });

  it('keeps a disabled webhook silent', async () => {
    const disabled = await hook([{ entity: 'REGISTERED_MODEL', action: 'CREATED' }], { status: 'DISABLED' });
    const active = await hook([{ entity: 'REGISTERED_MODEL', action: 'CREATED' }]);
    await model(unique('m'));
    await eventually('the active webhook', () => (receiver.at(active.path).length === 1 ? true : undefined));
    expect(receiver.at(disabled.path)).toEqual([]);
    expect(await deliveries(disabled.id)).toEqual([]);
  });

  it('sends flowreg events only to webhooks that opt in through flowreg’s API', async () => {
    const mlflowOnly = await hook([{ entity: 'MODEL_VERSION', action: 'CREATED' }]);
    const optedIn = await hook([{ entity: 'MODEL_VERSION', action: 'CREATED' }]);
    const put = await t.request.put(`${NATIVE}/${optedIn.id}/extra-events`).send({ events: ['model_version.deleted', 'registered_model.renamed'] });
    expect(put.body).toEqual({ events: ['model_version.deleted', 'registered_model.renamed'] });
    const bad = await t.request.put(`${NATIVE}/${optedIn.id}/extra-events`).send({ events: ['model_version.created'] });
    expect(bad.status).toBe(400);
    // MLflow's view of the webhook is unchanged: the extra events are not MLflow events.
    expect((await t.request.get(`${API}/webhooks/${optedIn.id}`)).body.webhook.events).toEqual([{ entity: 'MODEL_VERSION', action: 'CREATED' }]);

    const name = unique('m');
    await model(name);
    await version(name);
    await t.request.delete(`${API}/model-versions/delete`).send({ name, version: '1' });
    await t.request.post(`${API}/registered-models/rename`).send({ name, new_name: `${name}-b` });
    const got = await eventually('3 deliveries', () => (receiver.at(optedIn.path).length === 3 ? receiver.at(optedIn.path) : undefined));
    const events = got.map((r) => JSON.parse(r.body)).map((b) => `${b.entity}.${b.action}`);
    expect(events.sort()).toEqual(['model_version.created', 'model_version.deleted', 'registered_model.renamed']);
    const renamed = got.map((r) => JSON.parse(r.body)).find((b) => b.action === 'renamed');
    expect(renamed.data).toEqual({ name: `${name}-b`, old_name: name });
    await eventually('the MLflow-only webhook', () => (receiver.at(mlflowOnly.path).length === 1 ? true : undefined));
    expect(receiver.at(mlflowOnly.path).map((r) => JSON.parse(r.body).action)).toEqual(['created']);
  });

  it('reports governance’s rollbacks and applied approvals to webhooks that opt in', async () => {
    const { id, path } = await hook([{ entity: 'MODEL_VERSION_ALIAS', action: 'CREATED' }]);
    await t.request.put(`${NATIVE}/${id}/extra-events`).send({ events: ['model_version_alias.rolled_back', 'approval.granted'] });
    const name = unique('gov');
    await model(name);
    await version(name);
    await version(name);
    await t.request.post(`${API}/registered-models/alias`).send({ name, alias: 'champion', version: '1' });
    await t.request.post(`${API}/registered-models/alias`).send({ name, alias: 'champion', version: '2' });
    expect((await t.request.post(`/api/flowreg/v1/models/${name}/aliases/champion/rollback`).send({})).status).toBe(200);
    // An approval request that needs no approver, applied once the version carries the required tag.
    await t.request.put(`/api/flowreg/v1/models/${name}/aliases/prod/protection`).send({ approvals_required: 0, required_tags: { validation: 'passed' } });
    await t.request.post(`${API}/model-versions/set-tag`).send({ name, version: '2', key: 'validation', value: 'passed' });
    const request = await t.request.post(`/api/flowreg/v1/models/${name}/aliases/prod/requests`).send({ version: '2' });
    expect(request.status).toBe(200);
    const requestId = request.body.request.id;
    if (request.body.request.status !== 'applied') {
      expect((await t.request.post(`/api/flowreg/v1/requests/${requestId}/apply`).send({})).body.request.status).toBe('applied');
    }
    const got = await eventually('6 deliveries', () => (receiver.at(path).length >= 6 ? receiver.at(path) : undefined));
    const bodies = got.map((r) => JSON.parse(r.body));
    const events = bodies.map((b) => `${b.entity}.${b.action}`);
    expect(events.filter((e) => e === 'model_version_alias.created')).toHaveLength(4);
    expect(bodies.find((b) => b.action === 'rolled_back').data).toEqual({ name, alias: 'champion', version: '1', previous_version: '2', emergency: false });
    expect(bodies.find((b) => b.entity === 'approval').data).toMatchObject({ name, version: '2', request_id: requestId, target_type: 'alias', target: 'prod' });
  });

  it('tests a webhook with the example payload and reports the answer', async () => {
    const { id, path } = await hook([{ entity: 'MODEL_VERSION_ALIAS', action: 'DELETED' }]);
    receiver.script(path, [{ status: 202, body: 'accepted' }]);
    const res = await t.request.post(`${API}/webhooks/${id}/test`).send({});
    expect(res.body).toEqual({ result: { success: true, response_status: 202, response_body: 'accepted' } });
    const last = receiver.at(path).at(-1)!;
    expect(JSON.parse(last.body)).toMatchObject({ entity: 'model_version_alias', action: 'deleted', data: { name: 'example_model', alias: 'example_alias' } });
    receiver.script(path, [{ status: 404, body: 'missing' }]);
    const other = await t.request.post(`${API}/webhooks/${id}/test`).send({ event: { entity: 'MODEL_VERSION', action: 'CREATED' } });
    expect(other.body).toEqual({ result: { success: false, response_status: 404, response_body: 'missing' } });
    expect(JSON.parse(receiver.at(path).at(-1)!.body).data.source).toBe('models:/123');
  });

  it('journals webhook changes for the audit trail without the secret', async () => {
    const { id } = await hook([{ entity: 'REGISTERED_MODEL', action: 'CREATED' }]);
    await t.request.patch(`${API}/webhooks/${id}`).send({ secret: 'rotated-secret' });
    await t.request.delete(`${API}/webhooks/${id}`);
    const page = await t.services.auditTrails.registry.list({ resourceTypes: ['webhook'], name: id, limit: 10 });
    expect(page.events.map((e) => e.action)).toEqual(['webhook.delete', 'webhook.update', 'webhook.create']);
    const text = JSON.stringify(page.events);
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('rotated-secret');
    expect(page.events[2]!.after).toMatchObject({ has_secret: true, status: 'ACTIVE' });
  });
});

describe.each(backends())('webhooks with MLflow’s default settings (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend, { webhooks: webhookSettingsFrom({ MLFLOW_WEBHOOK_ALLOWED_SCHEMES: 'http,https' }) });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses loopback, private and metadata destinations, whatever the spelling', async () => {
    const urls: Array<[string, string]> = [
      ['http://127.0.0.1:9/x', '127.0.0.1'],
      ['http://localhost:9/x', 'localhost'],
      ['http://[::1]:9/x', '::1'],
      ['http://[::ffff:127.0.0.1]/x', '::ffff:7f00:1'],
      ['http://2130706433/x', '127.0.0.1'],
      ['http://0177.0.0.1/x', '127.0.0.1'],
      ['http://169.254.169.254/latest/meta-data', '169.254.169.254'],
      ['http://10.1.2.3/x', '10.1.2.3'],
      ['http://192.168.1.1/x', '192.168.1.1'],
    ];
    for (const [url, host] of urls) {
      const res = await t.request.post(`${API}/webhooks`).send({ name: 'h', url, events: [{ entity: 'REGISTERED_MODEL', action: 'CREATED' }] });
      expect(res.status, url).toBe(400);
      expect(res.body.message, url).toMatch(/^Webhook URL must not resolve to a non-public IP address\. /);
      expect(res.body.message, url).toContain(`'${host}'`);
    }
    expect((await t.request.get(`${API}/webhooks`)).body).toEqual({});
  });

  it('checks the address a delivery connects to, after the lookup, not only the URL when it was saved', async () => {
    const receiver = new Receiver();
    await receiver.start();
    try {
      const policy = { allowPrivateIps: false, timeoutMs: 2000 };
      // `localhost` goes through the lookup (a name that could be rebound); the literal is checked directly.
      for (const url of [`http://localhost:${receiver.port}/x`, receiver.url('/x'), `http://[::ffff:127.0.0.1]:${receiver.port}/x`]) {
        const result = await sendOnce({ url, deliveryId: 'd', body: '{}', secret: null }, policy);
        expect(result, url).toMatchObject({ status: null, refused: true });
        expect(result.error, url).toMatch(/is not a public IP address/);
      }
      expect(receiver.received).toEqual([]);
      // With the escape hatch on, the same receiver is reached.
      const open = await sendOnce({ url: `http://localhost:${receiver.port}/x`, deliveryId: 'd', body: '{}', secret: null }, { ...policy, allowPrivateIps: true });
      expect(open.status).toBe(200);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.stop();
    }
  });

  it('refuses http unless MLFLOW_WEBHOOK_ALLOWED_SCHEMES allows it (https only by default)', async () => {
    const strict = await createTestApp(backend);
    try {
      const res = await strict.request.post(`${API}/webhooks`).send({ name: 'h', url: 'http://example.com/x', events: [{ entity: 'REGISTERED_MODEL', action: 'CREATED' }] });
      expect(res.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: "Invalid webhook URL scheme: 'http'. Allowed schemes are: https." });
    } finally {
      await strict.close();
    }
  });
});

describe.each(backends())('webhooks with authentication on (%s)', (backend) => {
  let t: TestApp;
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const ADMIN = basic('admin', TEST_ADMIN_PASSWORD);
  beforeAll(async () => {
    t = await createTestApp(backend, { auth: {}, webhooks: testSettings() });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lets only admins use webhooks and the delivery log, as MLflow’s basic-auth app (sender_is_admin)', async () => {
    expect((await t.request.post(`${API}/users/create`).set('Authorization', ADMIN).send({ username: 'dev', password: 'a-long-enough-password' })).status).toBe(200);
    const dev = basic('dev', 'a-long-enough-password');
    const created = await t.request
      .post(`${API}/webhooks`)
      .set('Authorization', ADMIN)
      .send({ name: 'admin-hook', url: 'https://example.com/x', events: [{ entity: 'REGISTERED_MODEL', action: 'CREATED' }] });
    expect(created.status).toBe(200);
    const id = created.body.webhook.webhook_id as string;
    const calls: Array<[string, string, object | undefined]> = [
      ['post', `${API}/webhooks`, { name: 'mine', url: 'https://example.com/y', events: [{ entity: 'REGISTERED_MODEL', action: 'CREATED' }] }],
      ['get', `${API}/webhooks`, undefined],
      ['get', `${API}/webhooks/${id}`, undefined],
      ['patch', `${API}/webhooks/${id}`, { status: 'DISABLED' }],
      ['delete', `${API}/webhooks/${id}`, undefined],
      ['post', `${API}/webhooks/${id}/test`, {}],
      ['get', `${NATIVE}/${id}/deliveries`, undefined],
      ['put', `${NATIVE}/${id}/extra-events`, { events: [] }],
    ];
    for (const [method, path, body] of calls) {
      let req = (t.request as any)[method](path).set('Authorization', dev);
      if (body) req = req.send(body);
      const res = await req;
      expect(res.status, `${method} ${path}`).toBe(403);
      expect((await (t.request as any)[method](path)).status, `${method} ${path} anonymous`).toBe(401);
    }
    expect((await t.request.get(`${API}/webhooks/${id}`).set('Authorization', ADMIN)).body.webhook.status).toBe('ACTIVE');
  });
});
