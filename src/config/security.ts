/**
 * The edge settings: MLflow 3.x's security-middleware flags (mlflow/utils/cli_args.py:
 * ALLOWED_HOSTS, CORS_ALLOWED_ORIGINS, X_FRAME_OPTIONS, DISABLE_SECURITY_MIDDLEWARE, read by
 * mlflow/server/security.py and fastapi_security.py) plus flowreg's timeouts and connection cap,
 * parsed once. A value that cannot be honoured is a ConfigError: the server never starts open.
 */
import { ConfigError } from './config-error.js';

export interface SecuritySettings {
  /** `--disable-security-middleware`: no Host check, no cross-origin block, no security headers. */
  readonly disabled: boolean;
  /** fnmatch patterns for the `Host` header (`*` alone: any host). */
  readonly allowedHosts: readonly string[];
  /** Origins allowed beyond the localhost ones (fnmatch patterns; `*` alone: any origin). */
  readonly corsAllowedOrigins: readonly string[];
  /** `SAMEORIGIN` or `DENY`; undefined for `NONE` (no header). */
  readonly xFrameOptions: 'SAMEORIGIN' | 'DENY' | undefined;
  /** Time allowed to receive a request's headers (Node's server.headersTimeout). */
  readonly headersTimeoutMs: number;
  /** Time a connection may send and receive nothing before it is closed (mid-body included). */
  readonly idleTimeoutMs: number;
  /** Time allowed to receive a whole request, body included; 0 = no limit (Node's server.requestTimeout). */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  readonly keepAliveTimeoutMs: number;
  /** Open connections per worker; more are refused at once. */
  readonly maxConnections: number;
}

/** mlflow/server/security_utils.py: LOCALHOST_VARIANTS. */
const LOCALHOST_VARIANTS = ['localhost', '127.0.0.1', '[::1]', '0.0.0.0'];

/**
 * mlflow/server/security_utils.py: get_default_allowed_hosts — the localhost names, the same on
 * any port, and the private address ranges; plus the address the server is bound to (an address
 * literal in `Host` cannot be a DNS-rebinding name, and without it a server on a public address
 * would refuse its own clients).
 */
export function defaultAllowedHosts(bindHost: string): string[] {
  const local = [...LOCALHOST_VARIANTS, ...LOCALHOST_VARIANTS.map((h) => `${h.replace('[', '[[]')}:*`)];
  const privateRanges = ['192.168.*', '10.*', ...Array.from({ length: 16 }, (_, i) => `172.${16 + i}.*`), 'fc00:*', 'fd00:*'];
  const bind = bindHost.includes(':') && !bindHost.startsWith('[') ? `[${bindHost}]` : bindHost;
  const own = ['0.0.0.0', '[::]', ...LOCALHOST_VARIANTS].includes(bind) ? [] : [bind, `${bind.replace('[', '[[]')}:*`];
  return [...local, ...privateRanges, ...own];
}

export const DEFAULT_HEADERS_TIMEOUT_S = 20;
export const DEFAULT_IDLE_TIMEOUT_S = 120;
export const DEFAULT_REQUEST_TIMEOUT_S = 0;
export const DEFAULT_KEEP_ALIVE_TIMEOUT_S = 65;
export const DEFAULT_MAX_CONNECTIONS = 1000;

/** The raw values of the security flags, as config.ts reads them from argv and the environment. */
export interface RawSecurityFlags {
  allowedHosts?: string;
  corsAllowedOrigins?: string;
  xFrameOptions?: string;
  disableSecurityMiddleware?: boolean;
  headersTimeout?: number;
  idleTimeout?: number;
  requestTimeout?: number;
  keepAliveTimeout?: number;
  maxConnections?: number;
}

/** mlflow/server/security_utils.py: get_allowed_hosts_from_env — comma-separated, trimmed. */
function list(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw.split(',').map((s) => s.trim());
}

/** Refuses what MLflow would silently turn into a setting that matches nothing or everything. */
function checkPatterns(flag: string, patterns: readonly string[], valid: RegExp): void {
  for (const p of patterns) {
    if (p === '' || !valid.test(p)) throw new ConfigError(`${flag}: '${p}' is not a valid entry`);
  }
}

function seconds(flag: string, value: number | undefined, fallback: number, { min = 0, max = 86_400 } = {}): number {
  const v = value ?? fallback;
  if (v < min || v > max) throw new ConfigError(`${flag}: expected ${min} to ${max} seconds, got ${v}`);
  return v * 1000;
}

export function parseSecuritySettings(raw: RawSecurityFlags, bindHost: string): SecuritySettings {
  const hosts = list(raw.allowedHosts);
  // Host patterns: printable ASCII without separators a Host header cannot hold.
  checkPatterns('--allowed-hosts', hosts, /^[\x21-\x7e]+$/);
  const origins = list(raw.corsAllowedOrigins);
  // An origin is scheme://host[:port], nothing after it (a path would never match an Origin header).
  checkPatterns('--cors-allowed-origins', origins, /^(\*|[a-z*][a-z0-9+.*-]*:\/\/[^/\s]+)$/i);
  const frame = (raw.xFrameOptions ?? 'SAMEORIGIN').trim().toUpperCase();
  if (frame !== 'SAMEORIGIN' && frame !== 'DENY' && frame !== 'NONE') {
    throw new ConfigError(`--x-frame-options: expected SAMEORIGIN, DENY or NONE, got '${raw.xFrameOptions}'`);
  }
  const headersTimeoutMs = seconds('--headers-timeout', raw.headersTimeout, DEFAULT_HEADERS_TIMEOUT_S, { min: 1 });
  const requestTimeoutMs = seconds('--request-timeout', raw.requestTimeout, DEFAULT_REQUEST_TIMEOUT_S, { max: 7 * 86_400 });
  if (requestTimeoutMs > 0 && requestTimeoutMs < headersTimeoutMs) {
    throw new ConfigError('--request-timeout must be 0 (no limit) or at least --headers-timeout');
  }
  const maxConnections = raw.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  if (maxConnections < 1 || maxConnections > 1_000_000) {
    throw new ConfigError(`--max-connections: expected 1 to 1000000, got ${maxConnections}`);
  }
  return {
    disabled: raw.disableSecurityMiddleware ?? false,
    allowedHosts: hosts.length > 0 ? hosts : defaultAllowedHosts(bindHost),
    corsAllowedOrigins: origins,
    xFrameOptions: frame === 'NONE' ? undefined : frame,
    headersTimeoutMs,
    idleTimeoutMs: seconds('--idle-timeout', raw.idleTimeout, DEFAULT_IDLE_TIMEOUT_S, { min: 1 }),
    requestTimeoutMs,
    keepAliveTimeoutMs: seconds('--keep-alive-timeout', raw.keepAliveTimeout, DEFAULT_KEEP_ALIVE_TIMEOUT_S, { min: 1 }),
    maxConnections,
  };
}

/** The settings `flowreg server` starts with when no flag is given. */
export function defaultSecuritySettings(bindHost = '127.0.0.1'): SecuritySettings {
  return parseSecuritySettings({}, bindHost);
}

/** Loopback names and addresses: a server bound to one of these is reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The start-up lines, worded as MLflow's `mlflow server` prints them (mlflow/cli/__init__.py: server). */
export function securityStartupLines(s: SecuritySettings, host: string, authEnabled: boolean): string[] {
  const lines: string[] = [];
  if (s.disabled) {
    lines.push('WARNING: Security middleware is DISABLED. Your server is vulnerable to various attacks.');
  } else {
    if (s.allowedHosts.includes('*')) lines.push('WARNING: Accepting ALL hosts. This may leave the server vulnerable to DNS rebinding attacks.');
    if (s.corsAllowedOrigins.includes('*')) {
      lines.push('WARNING: Allowing ALL origins for CORS. This allows ANY website to access your data. Only for local development.');
    }
  }
  if (!isLoopbackHost(host) && !authEnabled) {
    lines.push(
      `WARNING: listening on ${host} with authentication OFF: anyone who can reach this address can read, ` +
        'publish and delete models. Turn authentication on (--app-name basic-auth) or bind to 127.0.0.1.',
    );
  }
  return lines;
}

/** The edge's part of `flowreg server --help`. */
export const SECURITY_HELP = `  --allowed-hosts LIST          Host headers accepted, comma-separated fnmatch patterns (default:
                                localhost names on any port, private address ranges and the bind
                                address; '*' accepts any)  [MLFLOW_SERVER_ALLOWED_HOSTS]
  --cors-allowed-origins LIST   browser origins allowed to call the API besides http://localhost:*
                                (default none; '*' any)  [MLFLOW_SERVER_CORS_ALLOWED_ORIGINS]
  --x-frame-options VALUE       SAMEORIGIN (default), DENY or NONE  [MLFLOW_SERVER_X_FRAME_OPTIONS]
  --disable-security-middleware no Host/Origin checks and no security headers (testing only)
                                [MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE]
  --headers-timeout SECONDS     time to send a request's headers (default 20)  [FLOWREG_HEADERS_TIMEOUT]
  --idle-timeout SECONDS        a connection that sends and receives nothing this long is closed,
                                mid-upload too (default 120)  [FLOWREG_IDLE_TIMEOUT]
  --request-timeout SECONDS     time to receive a whole request, body included (default 0: no
                                limit, so slow multi-GB uploads finish)  [FLOWREG_REQUEST_TIMEOUT]
  --keep-alive-timeout SECONDS  idle keep-alive connections are closed after this (default 65)
                                [FLOWREG_KEEP_ALIVE_TIMEOUT]
  --max-connections N           open connections per worker (default 1000)  [FLOWREG_MAX_CONNECTIONS]
`;
