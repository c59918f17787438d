/**
 * `--app-name basic-auth` and MLflow's basic_auth.ini: read as MLflow reads them, and anything
 * flowreg cannot honour refuses start-up instead of leaving the server open.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { authConfigFrom } from '../../src/auth/auth-config.js';
import { ConfigError, loadServerConfig } from '../../src/config/config.js';
import { parseIni } from '../../src/config/auth.js';

const CWD = '/srv/work';

function ini(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-ini-'));
  const file = path.join(dir, 'basic_auth.ini');
  fs.writeFileSync(file, text);
  return file;
}

describe('--app-name', () => {
  it('leaves authentication off without it', () => {
    expect(loadServerConfig([], {}, CWD).auth).toBeUndefined();
  });

  it.each(['oidc', 'basic_auth', '', 'custom-app'])('refuses to start with --app-name %j', (name) => {
    expect(() => loadServerConfig(['--app-name', name], {}, CWD)).toThrow(ConfigError);
  });

  it('turns authentication on with MLflow’s shipped defaults and the admin password from the environment', () => {
    const c = loadServerConfig(['--app-name', 'basic-auth'], { MLFLOW_AUTH_ADMIN_PASSWORD: 'a-long-password' }, CWD);
    expect(c.auth?.raw).toEqual({ default_permission: 'READ', admin_username: 'admin', admin_password: 'a-long-password' });
  });

  it('reads the [mlflow] section of MLFLOW_AUTH_CONFIG_PATH; a set environment variable wins, even empty', () => {
    const file = ini('[mlflow]\n# comment\ndefault_permission = NO_PERMISSIONS\nadmin_username: root\nadmin_password = from-the-file-1234\n');
    const c = loadServerConfig(['--app-name=basic-auth'], { MLFLOW_AUTH_CONFIG_PATH: file, MLFLOW_AUTH_ADMIN_PASSWORD: '' }, CWD);
    expect(c.auth?.raw).toEqual({ default_permission: 'NO_PERMISSIONS', admin_username: 'root', admin_password: '' });
  });

  it.each([
    ['a missing file', () => '/no/such/basic_auth.ini'],
    ['a file without [mlflow]', () => ini('[other]\nx = 1\n')],
    ['an unreadable line', () => ini('[mlflow]\nnot a setting\n')],
  ])('refuses %s', (_label, file) => {
    expect(() => loadServerConfig(['--app-name', 'basic-auth'], { MLFLOW_AUTH_CONFIG_PATH: file() }, CWD)).toThrow(ConfigError);
  });

  it('refuses MLflow’s separate database_uri: users live in the backend store', () => {
    const raw = parseIni('[mlflow]\ndatabase_uri = sqlite:///basic_auth.db\n', 'x.ini').get('mlflow') ?? {};
    expect(() => authConfigFrom(raw, { backendStoreUri: 'sqlite:///mlflow.db' })).toThrow(/backend store/);
  });
});
