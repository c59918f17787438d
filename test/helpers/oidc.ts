/**
 * A test OIDC issuer: signing keys generated in the test, tokens signed with them (and forged ones),
 * and a loopback HTTP server that serves the issuer's `/.well-known/openid-configuration` and JWKS.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { expect } from 'vitest';
import type { OidcCheck } from '../../src/auth/oidc-verifier.js';
import { oidcSettingsFrom, type OidcSettings } from '../../src/config/oidc.js';

export const AUDIENCE = 'flowreg';
/** The tests' fixed time, in seconds. */
export const NOW_S = 1_700_000_000;

export interface TestKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
}

export async function testKey(kid: string, alg = 'RS256'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A token signed by `key`: `iss`, `aud`, `iat` and a 10-minute `exp` unless `claims` says otherwise (undefined drops a claim). */
export async function signToken(key: TestKey, issuer: string, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const payload: JWTPayload = { iss: issuer, aud: AUDIENCE, iat: NOW_S, exp: NOW_S + 600, preferred_username: 'alice', groups: ['data-science'], ...claims };
  for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** `alg: none`: the claims with no signature at all. */
export function unsignedToken(issuer: string, kid: string): string {
  return `${b64({ alg: 'none', kid })}.${b64({ iss: issuer, aud: AUDIENCE, exp: NOW_S + 600, preferred_username: 'mallory' })}.`;
}

/** The algorithm confusion: HS256 with the issuer's public key (PEM, as published) as the HMAC secret. */
export async function publicKeyAsHmacSecret(key: TestKey, issuer: string): Promise<string> {
  const secret = new TextEncoder().encode(await exportSPKI(key.publicKey));
  return new SignJWT({ iss: issuer, aud: AUDIENCE, exp: NOW_S + 600, preferred_username: 'mallory' })
    .setProtectedHeader({ alg: 'HS256', kid: key.kid })
    .sign(secret);
}

/** A good token whose payload was changed after signing (another user name). */
export async function tamperedToken(key: TestKey, issuer: string): Promise<string> {
  const [header, , signature] = (await signToken(key, issuer)).split('.');
  return `${header}.${b64({ iss: issuer, aud: AUDIENCE, exp: NOW_S + 600, preferred_username: 'admin', groups: ['admins'] })}.${signature}`;
}

/** Every token a verifier must refuse: its name, the token, and the refusal it must get. */
export async function refusedTokens(key: TestKey, issuer: string): Promise<ReadonlyArray<readonly [string, string, RegExp]>> {
  const stranger = await testKey('stranger');
  const iss = /unexpected "iss"/;
  return [
    ['wrong issuer', await signToken(key, 'https://evil.example.com'), iss],
    ['issuer with a trailing slash added', await signToken(key, `${issuer}/`), iss],
    ['wrong audience', await signToken(key, issuer, { aud: 'another-app' }), /unexpected "aud"/],
    ['no audience', await signToken(key, issuer, { aud: undefined }), /missing required "aud"/],
    ['expired beyond the tolerance', await signToken(key, issuer, { exp: NOW_S - 31 }), /ERR_JWT_EXPIRED/],
    ['not yet valid beyond the tolerance', await signToken(key, issuer, { nbf: NOW_S + 31 }), /"nbf" claim timestamp check failed/],
    ['no exp', await signToken(key, issuer, { exp: undefined }), /missing required "exp"/],
    ['alg none', unsignedToken(issuer, key.kid), /ERR_JOSE_ALG_NOT_ALLOWED/],
    ['HS256 signed with the public key', await publicKeyAsHmacSecret(key, issuer), /ERR_JOSE_ALG_NOT_ALLOWED/],
    ['unknown kid', await signToken(stranger, issuer), /ERR_JWKS_NO_MATCHING_KEY/],
    ['known kid, signed by another key', await signToken({ ...stranger, kid: key.kid }, issuer), /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/],
    ['tampered payload', await tamperedToken(key, issuer), /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/],
    ['missing username claim', await signToken(key, issuer, { preferred_username: undefined }), /claim preferred_username is missing/],
    ['empty username', await signToken(key, issuer, { preferred_username: '' }), /claim preferred_username is missing/],
    ['username not a string', await signToken(key, issuer, { preferred_username: 42 }), /claim preferred_username is missing/],
    ['groups not a list of names', await signToken(key, issuer, { groups: [{ name: 'admins' }] }), /claim groups is not a list/],
  ];
}

/** Each refused case with the reason it got, for comparison with the table in one assertion. */
export async function refusals(verify: (token: string) => Promise<OidcCheck>, cases: ReadonlyArray<readonly [string, string, RegExp]>) {
  const got = await Promise.all(cases.map(async ([name, token]) => [name, await verify(token)] as const));
  return {
    got: got.map(([name, result]) => [name, result.ok ? 'accepted' : result.reason]),
    want: cases.map(([name, , reason]) => [name, expect.stringMatching(reason)]),
  };
}

export function testSettings(issuer: string, extra: Record<string, string> = {}): OidcSettings {
  return oidcSettingsFrom({ FLOWREG_OIDC_ISSUER: issuer, FLOWREG_OIDC_AUDIENCE: AUDIENCE, ...extra }) as OidcSettings;
}

export interface TestIssuer {
  /** `http://127.0.0.1:<port>`: the issuer and the base of its URLs. */
  readonly url: string;
  /** Replaces the published key set (key rotation). */
  publish(...keys: TestKey[]): void;
  /** What the discovery document says instead of the truth. */
  discovery: Record<string, unknown> | undefined;
  /** When set, requests are held unanswered (an issuer that hangs). */
  hang: boolean;
  /** Paths requested so far. */
  readonly requests: string[];
  stop(): Promise<void>;
}

export async function startIssuer(...keys: TestKey[]): Promise<TestIssuer> {
  let published = keys;
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (issuer.hang) return;
    const send = (body: unknown) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/.well-known/openid-configuration') send(issuer.discovery ?? { issuer: issuer.url, jwks_uri: `${issuer.url}/jwks` });
    else if (req.url === '/jwks') send({ keys: published.map((k) => k.publicJwk) });
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer: TestIssuer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    publish: (...next) => void (published = next),
    discovery: undefined,
    hang: false,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return issuer;
}
