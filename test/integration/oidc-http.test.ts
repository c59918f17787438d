/**
 * OIDC through the whole request path: settings as `loadServerConfig` parses them, services opened
 * by `openServices`, and an MLflow RPC sent with `Authorization: Bearer <JWT>` (what
 * MLFLOW_TRACKING_TOKEN produces). The verifier's own refusal table is in oidc-issuer.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { openServices, type Services } from '../../src/compose.js';
import { loadServerConfig } from '../../src/config/config.js';
import { API, TEST_ADMIN_PASSWORD } from '../helpers/app.js';
import { FAST_SCRYPT } from '../helpers/auth.js';
import { backends, freshDatabase, type FreshDatabase } from '../helpers/databases.js';
import { signToken, startIssuer, testKey, type TestIssuer, type TestKey } from '../helpers/oidc.js';

const nowS = () => Math.floor(Date.now() / 1000);

describe.each(backends())('OIDC bearer tokens over HTTP on %s', (backend) => {
  let dir: string;
  let fresh: FreshDatabase;
  let issuer: TestIssuer;
  let key: TestKey;
  let services: Services;
  let request: supertest.Agent;

  beforeAll(async () => {
    key = await testKey('http-key');
    issuer = await startIssuer(key);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-oidc-http-'));
    fresh = await freshDatabase(backend, dir);
    const config = loadServerConfig(['--app-name', 'basic-auth', '--backend-store-uri', fresh.uri], {
      FLOWREG_OIDC_ISSUER: issuer.url,
      FLOWREG_OIDC_AUDIENCE: 'flowreg',
      MLFLOW_AUTH_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    });
    expect(config.oidc).toBeDefined();
    services = await openServices({
      ...config,
      artifactsDestination: path.join(dir, 'mlartifacts'),
      logger: () => undefined,
      scrypt: FAST_SCRYPT,
    });
    request = supertest.agent(createApp(services.deps));
  });

  afterAll(async () => {
    await services?.close();
    await issuer?.stop();
    await fresh?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('accepts a valid token, provisions its user, and gives the creator MANAGE', async () => {
    const token = await signToken(key, issuer.url, { iat: nowS(), exp: nowS() + 600, preferred_username: 'carol' });
    const created = await request.post(`${API}/registered-models/create`).set(bearer(token)).send({ name: 'oidc-model' });
    expect(created.status).toBe(200);
    const admin = { Authorization: `Basic ${Buffer.from(`admin:${TEST_ADMIN_PASSWORD}`).toString('base64')}` };
    const user = await request.get(`${API}/users/get`).set(admin).query({ username: 'carol' });
    expect(user.status).toBe(200);
    const grant = await request
      .get(`${API}/registered-models/permissions/get`)
      .set(admin)
      .query({ name: 'oidc-model', username: 'carol' });
    expect(grant.body.registered_model_permission?.permission).toBe('MANAGE');
  });

  it.each([
    ['an expired token', { exp: nowS() - 3600, iat: nowS() - 7200 }],
    ['another audience', { aud: 'someone-else', exp: nowS() + 600 }],
    ['another issuer', { iss: 'https://issuer.example', exp: nowS() + 600 }],
  ])('answers %s with 401 and a Basic challenge', async (_name, claims) => {
    const token = await signToken(key, issuer.url, { iat: nowS(), ...claims });
    const res = await request.get(`${API}/registered-models/get`).set(bearer(token)).query({ name: 'oidc-model' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="mlflow"');
  });
});
