/** The edge settings (src/config/security.ts): MLflow's flags and defaults, and refusals. */
import { describe, expect, it } from 'vitest';
import { loadServerConfig, ConfigError } from '../../src/config/config.js';
import { defaultAllowedHosts, isLoopbackHost, securityStartupLines } from '../../src/config/security.js';
import { fnmatchRegExp } from '../../src/http/edge.js';

const load = (argv: string[], env: NodeJS.ProcessEnv = {}) => loadServerConfig(argv, env, '/tmp', 2).security;

describe('security settings', () => {
  it('defaults as MLflow: localhost names on any port, private ranges, SAMEORIGIN, no origins', () => {
    const s = load([]);
    expect(s.disabled).toBe(false);
    expect(s.allowedHosts).toEqual(defaultAllowedHosts('127.0.0.1'));
    expect(s.allowedHosts.slice(0, 8)).toEqual(['localhost', '127.0.0.1', '[::1]', '0.0.0.0', 'localhost:*', '127.0.0.1:*', '[[]::1]:*', '0.0.0.0:*']);
    expect(s.allowedHosts).toContain('172.31.*');
    expect(s.corsAllowedOrigins).toEqual([]);
    expect(s.xFrameOptions).toBe('SAMEORIGIN');
    expect(s).toMatchObject({ headersTimeoutMs: 20_000, idleTimeoutMs: 120_000, requestTimeoutMs: 0, keepAliveTimeoutMs: 65_000, maxConnections: 1000 });
  });

  it('adds the bind address to the default hosts', () => {
    expect(load(['--host', '203.0.113.5']).allowedHosts).toEqual(expect.arrayContaining(['203.0.113.5', '203.0.113.5:*']));
    expect(load(['--host', '2001:db8::1']).allowedHosts).toEqual(expect.arrayContaining(['[2001:db8::1]', '[[]2001:db8::1]:*']));
    expect(load(['--host', '0.0.0.0']).allowedHosts).toEqual(defaultAllowedHosts('127.0.0.1'));
  });

  it('reads the flags and MLflow environment variables, flags first', () => {
    const env = {
      MLFLOW_SERVER_ALLOWED_HOSTS: 'a.example, b.example:*',
      MLFLOW_SERVER_CORS_ALLOWED_ORIGINS: 'https://ui.example',
      MLFLOW_SERVER_X_FRAME_OPTIONS: 'deny',
      FLOWREG_IDLE_TIMEOUT: '30',
    };
    expect(load([], env)).toMatchObject({
      allowedHosts: ['a.example', 'b.example:*'],
      corsAllowedOrigins: ['https://ui.example'],
      xFrameOptions: 'DENY',
      idleTimeoutMs: 30_000,
    });
    expect(load(['--allowed-hosts=c.example', '--x-frame-options', 'NONE'], env)).toMatchObject({ allowedHosts: ['c.example'], xFrameOptions: undefined });
    expect(load(['--disable-security-middleware']).disabled).toBe(true);
    expect(load([], { MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE: 'true' }).disabled).toBe(true);
    expect(load(['--max-connections', '50', '--headers-timeout', '5', '--request-timeout', '600']).maxConnections).toBe(50);
  });

  it.each([
    [['--x-frame-options', 'ALLOW-FROM https://x'], /--x-frame-options/],
    [['--allowed-hosts', 'a.example,,b.example'], /--allowed-hosts: '' is not a valid entry/],
    [['--allowed-hosts', 'a b'], /--allowed-hosts/],
    [['--cors-allowed-origins', 'https://ui.example/path'], /--cors-allowed-origins: 'https:\/\/ui.example\/path'/],
    [['--cors-allowed-origins', 'ui.example'], /--cors-allowed-origins/],
    [['--headers-timeout', '0'], /--headers-timeout/],
    [['--request-timeout', '5', '--headers-timeout', '10'], /--request-timeout/],
    [['--max-connections', '0'], /--max-connections/],
    [['--idle-timeout', 'soon'], /--idle-timeout/],
  ])('refuses %j: never runs open', (argv, message) => {
    expect(() => load(argv)).toThrow(ConfigError);
    expect(() => load(argv)).toThrow(message);
  });

  it('warns when listening beyond loopback with authentication off, or with the middleware off', () => {
    const s = load([]);
    expect(securityStartupLines(s, '127.0.0.1', false)).toEqual([]);
    expect(securityStartupLines(s, '0.0.0.0', false).join('\n')).toMatch(/authentication OFF/);
    expect(securityStartupLines(s, '0.0.0.0', true)).toEqual([]);
    expect(securityStartupLines(load(['--disable-security-middleware']), '127.0.0.1', false).join('\n')).toMatch(/DISABLED/);
    expect(securityStartupLines(load(['--allowed-hosts', '*', '--cors-allowed-origins', '*']), '127.0.0.1', false)).toHaveLength(2);
    expect(['localhost', '127.0.0.2', '::1', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', 'example.com'].some(isLoopbackHost)).toBe(false);
  });

  it.each([
    ['*.internal', 'reg.internal', true],
    ['*.internal', 'reg.internal:5000', false],
    ['localhost:*', 'localhost:5000', true],
    ['[[]::1]:*', '[::1]:5000', true],
    ['192.168.*', '192.168.0.1:80', true],
    ['app-?.example', 'app-1.example', true],
    ['app-[!0-9].example', 'app-1.example', false],
    ['a.example', 'aXexample', false],
  ])('fnmatch %s ~ %s', (pattern, value, match) => {
    expect(fnmatchRegExp(pattern).test(value)).toBe(match);
  });
});
