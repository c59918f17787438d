/**
 * Optional OIDC: which issuer's JWTs flowreg accepts as `Authorization: Bearer` credentials (what
 * MLFLOW_TRACKING_TOKEN produces), parsed once into a frozen object. MLflow has no OIDC of its own;
 * the keys are flowreg's.
 *
 * Fail closed: a partial configuration (an audience without an issuer, an issuer without an
 * audience, a plain-http issuer that is not on this machine) refuses start-up with one line, so an
 * operator never believes tokens are checked against an issuer that is not configured.
 */
import { ConfigError } from './config-error.js';

export interface OidcSettings {
  /** The `iss` every token must carry, exactly as the issuer writes it. */
  readonly issuer: string;
  /** The `aud` every token must carry (the client id flowreg's tokens are issued for). */
  readonly audience: string;
  /** The JWKS URL; undefined: the `jwks_uri` of the issuer's `/.well-known/openid-configuration`. */
  readonly jwksUrl: string | undefined;
  /** The claim whose value is the user name. */
  readonly usernameClaim: string;
  /** The claim listing the caller's groups; a group names the role of the same name. */
  readonly groupsClaim: string;
  /** Members of this group are admins while their token says so; undefined: nobody is made admin by a token. */
  readonly adminGroup: string | undefined;
  /** Leeway for `exp` and `nbf`, for clocks that differ a little from the issuer's. */
  readonly clockToleranceSeconds: number;
}

/** Values given on the command line; each wins over its environment variable. */
export interface OidcFlags {
  readonly issuer?: string;
  readonly audience?: string;
  readonly jwksUrl?: string;
  readonly usernameClaim?: string;
  readonly groupsClaim?: string;
  readonly adminGroup?: string;
  readonly clockToleranceSeconds?: string;
}

/** The environment variable of each setting. */
export const OIDC_ENV: Readonly<Record<keyof OidcFlags, string>> = {
  issuer: 'FLOWREG_OIDC_ISSUER',
  audience: 'FLOWREG_OIDC_AUDIENCE',
  jwksUrl: 'FLOWREG_OIDC_JWKS_URL',
  usernameClaim: 'FLOWREG_OIDC_USERNAME_CLAIM',
  groupsClaim: 'FLOWREG_OIDC_GROUPS_CLAIM',
  adminGroup: 'FLOWREG_OIDC_ADMIN_GROUP',
  clockToleranceSeconds: 'FLOWREG_OIDC_CLOCK_TOLERANCE_SECONDS',
};

/**
 * `preferred_username` is what people recognise in grants. OIDC Core §5.7 warns that it need not
 * be unique nor stable: with an issuer that lets users choose it, configure `sub` instead.
 */
export const DEFAULT_USERNAME_CLAIM = 'preferred_username';
export const DEFAULT_GROUPS_CLAIM = 'groups';
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
const MAX_CLOCK_TOLERANCE_SECONDS = 300;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * An https URL, or plain http to this machine (a test issuer). An issuer has no query or fragment
 * (OIDC Discovery §3: `issuer`).
 */
export function checkOidcUrl(value: string, name: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name}: '${value}' is not a URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new ConfigError(`${name}: expected an https:// URL (plain http only to localhost), got '${value}'`);
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ConfigError(`${name}: '${value}' must not carry a query, a fragment or credentials`);
  }
  return url;
}

function claimName(value: string | undefined, name: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (!/^[A-Za-z0-9_:./-]{1,128}$/.test(value)) throw new ConfigError(`${name}: '${value}' is not a claim name`);
  return value;
}

/**
 * The OIDC settings, or undefined when no OIDC key is set. `flags` win over `env`; an empty value
 * counts as unset.
 */
export function oidcSettingsFrom(env: NodeJS.ProcessEnv, flags: OidcFlags = {}): OidcSettings | undefined {
  const raw: Partial<Record<keyof OidcFlags, string>> = {};
  for (const key of Object.keys(OIDC_ENV) as (keyof OidcFlags)[]) {
    const value = (flags[key] ?? env[OIDC_ENV[key]])?.trim();
    if (value) raw[key] = value;
  }
  if (Object.keys(raw).length === 0) return undefined;
  if (raw.issuer === undefined) {
    const given = (Object.keys(raw) as (keyof OidcFlags)[]).map((k) => OIDC_ENV[k]).join(', ');
    throw new ConfigError(`${given} set without ${OIDC_ENV.issuer}: set the issuer too, or unset them`);
  }
  checkOidcUrl(raw.issuer, OIDC_ENV.issuer);
  if (raw.audience === undefined) throw new ConfigError(`${OIDC_ENV.issuer} is set but ${OIDC_ENV.audience} is not: tokens must be checked for their audience`);
  if (raw.jwksUrl !== undefined) checkOidcUrl(raw.jwksUrl, OIDC_ENV.jwksUrl);
  let clockToleranceSeconds = DEFAULT_CLOCK_TOLERANCE_SECONDS;
  if (raw.clockToleranceSeconds !== undefined) {
    const v = raw.clockToleranceSeconds;
    if (!/^\d+$/.test(v) || Number(v) > MAX_CLOCK_TOLERANCE_SECONDS) {
      throw new ConfigError(`${OIDC_ENV.clockToleranceSeconds}: expected 0 to ${MAX_CLOCK_TOLERANCE_SECONDS} seconds, got '${v}'`);
    }
    clockToleranceSeconds = Number(v);
  }
  return Object.freeze({
    issuer: raw.issuer,
    audience: raw.audience,
    jwksUrl: raw.jwksUrl,
    usernameClaim: claimName(raw.usernameClaim, OIDC_ENV.usernameClaim, DEFAULT_USERNAME_CLAIM),
    groupsClaim: claimName(raw.groupsClaim, OIDC_ENV.groupsClaim, DEFAULT_GROUPS_CLAIM),
    adminGroup: raw.adminGroup,
    clockToleranceSeconds,
  });
}

/**
 * OIDC signs callers in; without authentication on (`--app-name basic-auth`) nothing would check
 * what they may do, so OIDC settings on a server without it refuse start-up rather than being ignored.
 */
export function checkOidcNeedsAuth(settings: OidcSettings | undefined, authEnabled: boolean): void {
  if (settings && !authEnabled) throw new ConfigError(`${OIDC_ENV.issuer} is set but authentication is off: add --app-name basic-auth, or unset the FLOWREG_OIDC_* variables`);
}
