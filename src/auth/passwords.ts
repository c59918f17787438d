/**
 * Password hashing with a memory-hard KDF (Node's scrypt) and MLflow's password rules.
 *
 * A hash is `scrypt$N$r$p$salt$hash` (salt and hash in base64url), so the cost can be raised later
 * without invalidating stored hashes: a hash is verified with the parameters it records. MLflow
 * uses werkzeug's PBKDF2 (auth/sqlalchemy_store.py: generate_password_hash); its hashes are not
 * accepted here, users are created anew.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { invalidParameter } from '../protocol/errors.js';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** 32 MiB and tens of milliseconds per hash; the verified-credential cache keeps it off the hot path. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

/** Parameters above these are refused when verifying, so a tampered row cannot make a check take minutes. */
const MAX = { N: 2 ** 20, r: 32, p: 16 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;

function scrypt(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node refuses more than `maxmem` (32 MiB by default).
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCb(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

function parseHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map((s) => (/^[1-9][0-9]{0,9}$/.test(s as string) ? Number(s) : NaN)) as [number, number, number];
  if (!(N > 1 && (N & (N - 1)) === 0 && N <= MAX.N && r <= MAX.r && p <= MAX.p)) return undefined;
  const salt = Buffer.from(parts[4] as string, 'base64url');
  const key = Buffer.from(parts[5] as string, 'base64url');
  if (salt.length < 8 || key.length !== KEY_BYTES) return undefined;
  return { params: { N, r, p }, salt, key };
}

/** True when `password` matches `stored`; a malformed or foreign hash is a plain `false`. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (stored === null) return false;
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await scrypt(password, parsed.salt, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

/** Whether a stored hash was made with weaker parameters than `params` (worth re-hashing at the next login). */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT): boolean {
  const parsed = parseHash(stored);
  return !parsed || parsed.params.N < params.N || parsed.params.r < params.r || parsed.params.p < params.p;
}

/** mlflow/utils/validation.py: _validate_password */
export function validatePassword(password: string | undefined | null): asserts password is string {
  if (password === undefined || password === null || [...password].length < 12) {
    throw invalidParameter('Password must be at least 12 characters.');
  }
}

/** mlflow/utils/validation.py: _validate_username */
export function validateUsername(username: string | undefined | null): asserts username is string {
  if (username === undefined || username === null || username === '') {
    throw invalidParameter('Username cannot be empty.');
  }
}
