/**
 * The edge: every request passes here before the dispatcher. It copies MLflow 3.x's security
 * middleware (mlflow/server/security.py, fastapi_security.py, security_utils.py):
 *   - a `Host` outside `--allowed-hosts` → 403 "Invalid Host header - possible DNS rebinding
 *     attack detected" (health endpoints exempt), against DNS rebinding;
 *   - a state-changing request (POST/PUT/PATCH/DELETE) from a browser page of another origin →
 *     403 "Cross-origin request blocked", whatever its Content-Type (the native multipart publish
 *     and the artifact PUT included). MLflow looks at `Origin` on /api/ and /ajax-api/ paths;
 *     flowreg also refuses `Sec-Fetch-Site: cross-site` without an allowed Origin, and checks every
 *     path (all of them are API). Clients that are not browsers send neither header and pass;
 *   - CORS: allowed origins (the localhost ones and `--cors-allowed-origins`) get the CORS headers
 *     Starlette's CORSMiddleware sends, preflights from them a 204; a preflight from any other
 *     origin is a 400 "Disallowed CORS origin" (Starlette's answer);
 *   - `X-Content-Type-Options: nosniff` and `X-Frame-Options` on every response.
 * The few headers are written by hand: one setHeader each, nothing on the hot path to configure.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SecuritySettings } from '../config/security.js';

/** mlflow/server/security_utils.py: INVALID_HOST_MSG, CORS_BLOCKED_MSG. */
export const INVALID_HOST_MSG = 'Invalid Host header - possible DNS rebinding attack detected';
export const CORS_BLOCKED_MSG = 'Cross-origin request blocked';
/** starlette/middleware/cors.py: preflight_response for a disallowed origin. */
export const DISALLOWED_ORIGIN_MSG = 'Disallowed CORS origin';

const STATE_CHANGING = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);
/** fastapi_security.py: the methods CORSMiddleware allows. */
const CORS_METHODS = 'GET, POST, PUT, DELETE, OPTIONS, PATCH';
/** security_utils.py: CORS_LOCALHOST_HOSTS and LOCALHOST_ORIGIN_PATTERNS (http only). */
const LOCALHOST_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:[0-9]+)?$/;

/** Python's fnmatch.translate: `*`, `?`, `[seq]`, `[!seq]`; case-insensitive (host names are). */
export function fnmatchRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        let set = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (set.startsWith('!')) set = `^${set.slice(1)}`;
        else if (set.startsWith('^')) set = `\\${set}`;
        out += `[${set}]`;
        i = end;
      }
    } else out += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 'is');
}

function matcher(patterns: readonly string[]): (value: string) => boolean {
  if (patterns.includes('*')) return () => true;
  const exact = new Set(patterns.filter((p) => !/[*?[]/.test(p)).map((p) => p.toLowerCase()));
  const wild = patterns.filter((p) => /[*?[]/.test(p)).map((p) => fnmatchRegExp(p).source);
  // One alternation: one regex run per request, whatever the number of patterns.
  const any = wild.length > 0 ? new RegExp(wild.map((w) => `(?:${w})`).join('|'), 'is') : undefined;
  return (value) => exact.has(value.toLowerCase()) || (any !== undefined && any.test(value));
}

function refuse(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  // The body (an upload, perhaps) is not read: close rather than drain it.
  res.setHeader('Connection', 'close');
  res.end(text);
}

export type EdgeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** The edge for `settings`; `staticPrefix` places the health endpoints MLflow exempts from the Host check. */
export function createEdge(settings: SecuritySettings, staticPrefix = ''): EdgeHandler {
  if (settings.disabled) return (_req, _res, next) => next();
  const hostAllowed = matcher(settings.allowedHosts);
  const anyOrigin = settings.corsAllowedOrigins.includes('*');
  const listedOrigin = matcher(settings.corsAllowedOrigins);
  const originAllowed = (origin: string) => LOCALHOST_ORIGIN.test(origin) || listedOrigin(origin);
  const exempt = new Set([`${staticPrefix}/health`, `${staticPrefix}/version`]);
  const frame = settings.xFrameOptions;

  return (req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (frame) res.setHeader('X-Frame-Options', frame);

    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const host = req.headers.host;
    if (!exempt.has(path) && (host === undefined || !hostAllowed(host))) return refuse(res, 403, INVALID_HOST_MSG);

    const origin = req.headers.origin || undefined;
    const allowed = origin !== undefined && (anyOrigin || originAllowed(origin));
    if (allowed) {
      // Starlette's CORSMiddleware: credentials only for an explicit list (a spec violation with `*`).
      res.setHeader('Access-Control-Allow-Origin', anyOrigin ? '*' : origin);
      if (!anyOrigin) res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Expose-Headers', '*');
      res.setHeader('Vary', 'Origin');
    }
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS' && origin !== undefined && req.headers['access-control-request-method'] !== undefined) {
      if (!allowed) return refuse(res, 400, DISALLOWED_ORIGIN_MSG);
      res.statusCode = 204;
      res.setHeader('Access-Control-Allow-Methods', CORS_METHODS);
      const asked = req.headers['access-control-request-headers'];
      if (asked) res.setHeader('Access-Control-Allow-Headers', asked);
      res.setHeader('Access-Control-Max-Age', '600');
      res.end();
      return;
    }
    // security.py: block_cross_origin_state_changes (skipped, as there, when every origin is allowed).
    if (STATE_CHANGING.has(method) && !anyOrigin) {
      const crossSite = req.headers['sec-fetch-site'] === 'cross-site';
      if ((origin !== undefined && !allowed) || (crossSite && !allowed)) return refuse(res, 403, CORS_BLOCKED_MSG);
    }
    next();
  };
}
