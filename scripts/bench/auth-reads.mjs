// Registry reads with authentication on (`--app-name basic-auth`), for both servers: what a team
// pays for turning it on. A second instance of each server is started with authentication on,
// on the same seeded database as the instance without it (which keeps running, idle, for the
// "off" figure measured back to back), and a non-admin reader is created through the REST API as
// a user would (`POST /api/2.0/mlflow/users/create`, MLflow's mlflow/server/auth/__init__.py:
// create_user). The reader gets READ from `default_permission` (READ, as in MLflow's shipped
// basic_auth.ini), so every request takes the whole permission path of a non-admin, not the
// admin bypass. flowreg is also measured with an API token (`Authorization: Bearer`, what
// MLFLOW_TRACKING_TOKEN sends); MLflow has no API tokens.
import fs from 'node:fs';
import path from 'node:path';

export const AUTH_READS = ['get_registered_model', 'get_model_version_by_alias'];
export const AUTH_CONCURRENCY = 16;
/** The variants measured per server, in the order of the report. */
export const AUTH_VARIANTS = { flowreg: ['off', 'basic', 'bearer'], mlflow: ['off', 'basic'] };

// MLflow's rule for the bootstrap admin password: at least 12 characters
// (mlflow/server/auth/__init__.py: _validate_bootstrap_admin_password); flowreg applies the same.
const ADMIN = { username: 'admin', password: 'bench-admin-password-2025' };
const READER = { username: 'bench-reader', password: 'bench-reader-password-2025' };

export const basicAuth = ({ username, password }) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

async function call(base, method, pathAndQuery, authorization, body) {
  const headers = { ...(authorization ? { authorization } : {}), ...(body ? { 'content-type': 'application/json' } : {}) };
  const res = await fetch(`${base}${pathAndQuery}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, text };
}

async function expectOk(base, method, pathAndQuery, authorization, body) {
  const res = await call(base, method, pathAndQuery, authorization, body);
  if (res.status !== 200) throw new Error(`${method} ${pathAndQuery}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  return JSON.parse(res.text);
}

/**
 * The command-line flag and environment that turn authentication on. flowreg keeps its users in
 * the backend store (its own migration adds the tables at start-up) and takes the admin password
 * from MLFLOW_AUTH_ADMIN_PASSWORD. `mlflow server` keeps them in the database that its auth ini
 * names (`database_uri`; here a new SQLite file in the run's work folder) and needs a Flask secret.
 */
export function authSettings(name, workDir, backend) {
  const extraArgs = ['--app-name', 'basic-auth'];
  const extraEnv = { MLFLOW_AUTH_ADMIN_PASSWORD: ADMIN.password };
  if (name === 'mlflow') {
    const db = path.join(workDir, `${backend}-mlflow-basic_auth.db`);
    const ini = path.join(workDir, `${backend}-mlflow-basic_auth.ini`);
    fs.rmSync(db, { force: true });
    // The keys of MLflow's shipped mlflow/server/auth/basic_auth.ini.
    fs.writeFileSync(ini, [
      '[mlflow]',
      'default_permission = READ',
      `database_uri = sqlite:///${db}`,
      `admin_username = ${ADMIN.username}`,
      `admin_password = ${ADMIN.password}`,
      'authorization_function = mlflow.server.auth:authenticate_request_basic_auth',
      '',
    ].join('\n'));
    Object.assign(extraEnv, { MLFLOW_AUTH_CONFIG_PATH: ini, MLFLOW_FLASK_SERVER_SECRET_KEY: 'bench-flask-secret-key' });
  }
  return { extraArgs, extraEnv };
}

/**
 * On a server just started with authentication on: checks that it is on (no credentials → 401),
 * creates the reader and checks that it may read; for flowreg, creates the reader's API token.
 * Returns the Authorization header of each variant.
 */
export async function prepareReader(name, base, probePath) {
  const anonymous = await call(base, 'GET', probePath);
  if (anonymous.status !== 401) throw new Error(`${name} with --app-name basic-auth answered a request without credentials with HTTP ${anonymous.status}, not 401`);
  await expectOk(base, 'POST', '/api/2.0/mlflow/users/create', basicAuth(ADMIN), READER);
  const headers = { basic: basicAuth(READER) };
  if (name === 'flowreg') {
    // src/http/handlers/auth-tokens.ts: POST /api/flowreg/v1/tokens {name} → {token, secret}.
    const { secret } = await expectOk(base, 'POST', '/api/flowreg/v1/tokens', headers.basic, { name: 'bench' });
    headers.bearer = `Bearer ${secret}`;
  }
  for (const [variant, authorization] of Object.entries(headers)) {
    const res = await call(base, 'GET', probePath, authorization);
    if (res.status !== 200) throw new Error(`${name}: the reader (${variant}) cannot read ${probePath}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  }
  return headers;
}
