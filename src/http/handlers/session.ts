/**
 * The web UI's sign-in (auth/sessions.ts): `GET /api/flowreg/v1/session` says whether
 * authentication is on and who the browser's session belongs to (with its CSRF token);
 * `POST` signs in with a user name and password and sets the session cookie; `DELETE` signs out.
 * MLflow has no such routes: its UI relies on the browser's Basic-auth dialog. Basic and Bearer
 * credentials keep working for the API unchanged.
 */
import type { Request, Response } from 'express';
import type { AuthServices } from '../../auth/auth-services.js';
import { cookieValue, CSRF_HEADER, SESSION_COOKIE } from '../../auth/sessions.js';
import { MlflowError } from '../../protocol/errors.js';
import { field } from '../../protocol/request-schema.js';
import type { RouteDef } from '../router.js';
import { rpc } from './rpc.js';

/**
 * Whether the browser reached us over https: a TLS socket, or a TLS-terminating proxy in front
 * saying so in `X-Forwarded-Proto`. The header is trusted only for this: `Secure` only narrows
 * where the browser sends the cookie, so a forged header can do no more than keep a cookie off
 * plain http.
 */
function overHttps(req: Request): boolean {
  const forwarded = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  return req.secure || first === 'https';
}

/** `HttpOnly` (no script reads it), `SameSite=Strict` (no other site's page sends it), `Secure` over https. */
function setCookie(req: Request, res: Response, path: string, value: string, maxAgeSeconds: number): void {
  const attrs = [`${SESSION_COOKIE}=${value}`, `Path=${path}`, `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Strict'];
  if (overHttps(req)) attrs.push('Secure');
  res.setHeader('Set-Cookie', attrs.join('; '));
  res.setHeader('Cache-Control', 'no-store');
}

export function sessionRoutes(auth: AuthServices | undefined, staticPrefix: string): RouteDef[] {
  const path = staticPrefix || '/';
  return [
    rpc('GET', 'flowreg/v1', '/session', {}, async (_req, { req, res }) => {
      res.setHeader('Cache-Control', 'no-store');
      if (!auth) return { authentication: false };
      const secret = cookieValue(req.headers.cookie, SESSION_COOKIE);
      const found = secret === undefined ? undefined : await auth.sessions.describe(secret);
      if (!found) return { authentication: true };
      const { principal } = found;
      return {
        authentication: true,
        user: { id: principal.userId, username: principal.username, is_admin: principal.isAdmin },
        csrf_token: found.csrfToken,
        csrf_header: CSRF_HEADER,
      };
    }),
    rpc('POST', 'flowreg/v1', '/session', { username: field.string, password: field.presentString }, async (body, { req, res }) => {
      if (!auth) throw new MlflowError('BAD_REQUEST', 'Authentication is off: there is nothing to sign in to.');
      const address = req.socket.remoteAddress ?? '';
      const wait = auth.sessions.loginBlockedFor(body.username, address);
      if (wait > 0) {
        const seconds = Math.ceil(wait / 1000);
        throw new MlflowError('RESOURCE_EXHAUSTED', `Too many failed sign-ins. Try again in ${seconds} seconds.`, {
          headers: { 'Retry-After': String(seconds) },
        });
      }
      // The Authenticator's own password check: constant time for unknown users (a stand-in
      // hash), service accounts refused, the legacy default admin password refused.
      const principal = await auth.authenticator.authenticate({ scheme: 'basic', username: body.username, password: body.password });
      const user = principal && (await auth.users.find(principal.username));
      if (!user) {
        auth.sessions.loginFailed(body.username, address);
        throw new MlflowError('UNAUTHENTICATED', 'Wrong user name or password.');
      }
      auth.sessions.loginSucceeded(body.username);
      const session = await auth.sessions.create(user);
      setCookie(req, res, path, session.secret, Math.floor(auth.sessions.ttlMs / 1000));
      return {
        authentication: true,
        user: { id: user.id, username: user.username, is_admin: user.isAdmin },
        csrf_token: session.csrfToken,
        csrf_header: CSRF_HEADER,
        expires_at: session.expiresAt,
      };
    }),
    rpc('DELETE', 'flowreg/v1', '/session', {}, async (_req, { req, res }) => {
      const secret = cookieValue(req.headers.cookie, SESSION_COOKIE);
      if (auth && secret !== undefined) await auth.sessions.revoke(secret);
      setCookie(req, res, path, '', 0);
      return {};
    }),
  ];
}
