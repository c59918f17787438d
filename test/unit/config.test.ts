/**
 * `flowreg server` flags and environment variables, as `mlflow server` takes them.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultPoolSize, loadServerConfig } from '../../src/config/config.js';
import { restartDelay } from '../../src/server.js';

const CWD = '/srv/work';

describe('loadServerConfig', () => {
  it('defaults to sqlite:///mlflow.db and ./mlartifacts in the working directory', () => {
    const c = loadServerConfig([], {}, CWD);
    expect(c.backendStore).toEqual({ kind: 'sqlite', file: '/srv/work/mlflow.db', uri: 'sqlite:///mlflow.db' });
    expect(c.registryStore).toBe(c.backendStore);
    expect(c.artifactsDestination).toBe('/srv/work/mlartifacts');
    expect(c.defaultArtifactRoot).toBe('mlflow-artifacts:/');
    expect([c.host, c.port, c.workers, c.staticPrefix, c.serveArtifacts, c.artifactsOnly]).toEqual(['127.0.0.1', 5000, 1, '', true, false]);
  });

  it.each([
    ['sqlite:///rel/dir/x.db', { kind: 'sqlite', file: '/srv/work/rel/dir/x.db' }],
    ['sqlite:////abs/x.db', { kind: 'sqlite', file: '/abs/x.db' }],
    ['sqlite:///:memory:', { kind: 'sqlite', file: ':memory:' }],
    ['postgresql://u:p@h:5432/db', { kind: 'postgres', connectionString: 'postgresql://u:p@h:5432/db' }],
    ['postgresql+psycopg2://u:p@h/db', { kind: 'postgres', connectionString: 'postgresql://u:p@h/db' }],
    ['postgres://u@h/db', { kind: 'postgres', connectionString: 'postgresql://u@h/db' }],
  ])('parses %s', (uri, expected) => {
    expect(loadServerConfig(['--backend-store-uri', uri], {}, CWD).backendStore).toMatchObject(expected);
  });

  it('reads flags in both spellings, and flags win over environment variables', () => {
    const env = { MLFLOW_PORT: '6000', MLFLOW_HOST: '0.0.0.0', MLFLOW_BACKEND_STORE_URI: 'sqlite:///env.db', MLFLOW_WORKERS: '3' };
    const c = loadServerConfig(['-p', '7000', '--static-prefix=/mlflow', '--no-serve-artifacts'], env, CWD);
    expect([c.port, c.host, c.workers, c.staticPrefix, c.serveArtifacts]).toEqual([7000, '0.0.0.0', 3, '/mlflow', false]);
    expect(c.backendStore).toMatchObject({ file: '/srv/work/env.db' });
    expect(c.defaultArtifactRoot).toBe('/srv/work/mlruns');
  });

  it('accepts and ignores gunicorn/uvicorn options', () => {
    expect(loadServerConfig(['--gunicorn-opts', '--log-level debug', '--dev'], {}, CWD).port).toBe(5000);
  });

  // That the server then really keeps the registry apart: integration/server-wiring.test.ts.
  it('takes a separate registry store', () => {
    const c = loadServerConfig(['--registry-store-uri', 'sqlite:////r.db'], {}, CWD);
    expect(c.registryStore).toMatchObject({ file: '/r.db' });
    expect(c.backendStore).toMatchObject({ file: '/srv/work/mlflow.db' });
  });

  it.each([
    [['--port', 'abc'], /--port: expected a whole number/],
    [['--port', '70000'], /not a valid port/],
    [['--bogus'], /unknown option '--bogus'/],
    [['--host'], /--host needs a value/],
    [['--static-prefix', 'mlflow'], /must begin with a '\/'/],
    [['--static-prefix', '/mlflow/'], /cannot end with a '\/'/],
    [['--backend-store-uri', 'mysql://u@h/db'], /supports SQLite and PostgreSQL/],
    [['--backend-store-uri', 'sqlite://relative.db'], /invalid SQLite URI/],
    [['--backend-store-uri', './mlruns'], /unsupported backend store URI/],
    [['--workers', '0'], /expected 1 to 64/],
    [['--artifacts-only', '--no-serve-artifacts'], /cannot be combined/],
  ])('rejects %j with one clear line', (argv, message) => {
    expect(() => loadServerConfig(argv as string[], {}, CWD)).toThrow(ConfigError);
    expect(() => loadServerConfig(argv as string[], {}, CWD)).toThrow(message);
  });

  it('rejects a bad environment variable', () => {
    expect(() => loadServerConfig([], { MLFLOW_SERVE_ARTIFACTS: 'maybe' }, CWD)).toThrow(/MLFLOW_SERVE_ARTIFACTS: expected true or false/);
  });

  it('logs at info by default; --log-level, FLOWREG_LOG_LEVEL and MLFLOW_LOGGING_LEVEL change it', () => {
    expect(loadServerConfig([], {}, CWD).logLevel).toBe('info');
    expect(loadServerConfig(['--log-level', 'DEBUG'], {}, CWD).logLevel).toBe('debug');
    expect(loadServerConfig([], { MLFLOW_LOGGING_LEVEL: 'WARNING' }, CWD).logLevel).toBe('warn');
    expect(loadServerConfig([], { MLFLOW_LOGGING_LEVEL: 'warning', FLOWREG_LOG_LEVEL: 'error' }, CWD).logLevel).toBe('error');
    expect(loadServerConfig(['--log-level=info'], { FLOWREG_LOG_LEVEL: 'error' }, CWD).logLevel).toBe('info');
    expect(() => loadServerConfig(['--log-level', 'loud'], {}, CWD)).toThrow(/--log-level: expected debug, info, warning or error/);
  });

  it('sizes the database pool by cores and workers unless told', () => {
    expect(loadServerConfig([], {}, CWD, 2).poolSize).toBe(4);
    expect(loadServerConfig(['--workers', '8'], {}, CWD, 8).poolSize).toBe(2);
    expect(loadServerConfig([], {}, CWD, 64).poolSize).toBe(10);
    expect(loadServerConfig(['--db-pool-size', '25'], {}, CWD, 2).poolSize).toBe(25);
    expect(defaultPoolSize(16, 4)).toBe(8);
    expect(() => loadServerConfig(['--db-pool-size', '0'], {}, CWD)).toThrow(/--db-pool-size: expected 1 to 1000/);
  });

  it('is frozen all the way down, S3 settings included', () => {
    const c = loadServerConfig(['--artifacts-destination', 's3://bucket/p'], { MLFLOW_S3_UPLOAD_EXTRA_ARGS: '{"ServerSideEncryption":"AES256"}' }, CWD);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.backendStore)).toBe(true);
    expect(Object.isFrozen(c.s3)).toBe(true);
    expect(Object.isFrozen(c.s3?.uploadExtraArgs)).toBe(true);
  });
});

describe('worker restarts', () => {
  it('back off while workers keep dying early, up to 30 s', () => {
    expect([0, 1, 2, 3, 6, 7, 20].map(restartDelay)).toEqual([0, 500, 1000, 2000, 16000, 30000, 30000]);
  });
});
