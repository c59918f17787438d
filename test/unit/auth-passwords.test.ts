/**
 * The password KDF: a hash verifies its own password only, records its parameters, and anything
 * tampered with or foreign is a plain "no" (never an exception, never a long computation).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, hashPassword, needsRehash, validatePassword, validateUsername, verifyPassword } from '../../src/auth/passwords.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('round-trips with the default parameters and records them', async () => {
    const hash = await hashPassword('correct horse battery', DEFAULT_SCRYPT);
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(needsRehash(hash)).toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same password!', FAST), hashPassword('same password!', FAST)]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password!', a)).toBe(true);
    expect(await verifyPassword('same password!', b)).toBe(true);
  });

  it('verifies with the parameters the hash records, and flags weaker ones for re-hashing', async () => {
    const hash = await hashPassword('an older password', FAST);
    expect(hash.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await verifyPassword('an older password', hash)).toBe(true);
    expect(needsRehash(hash)).toBe(true);
  });

  it('compares Unicode passwords in one normal form', async () => {
    const hash = await hashPassword('caf\u00e9-password-x', FAST);
    expect(await verifyPassword('cafe\u0301-password-x', hash)).toBe(true);
  });

  it.each([
    ['another password', (h: string) => h],
    // The first character of the key: all six of its bits are key bits (the last one's low bits
    // are base64url padding, so changing it may not change the key).
    ['right password!!', (h: string) => h.replace(/\$([^$])([^$]+)$/, (_m, c: string, rest: string) => `$${c === 'A' ? 'B' : 'A'}${rest}`)],
    ['right password!!', (h: string) => h.replace(/\$([^$]+)\$([^$]+)$/, (_m, salt: string, key: string) => `$${salt.slice(1)}x$${key}`)],
    ['right password!!', (h: string) => h.replace('scrypt$1024$', 'scrypt$2048$')],
    ['right password!!', (h: string) => h.replace('scrypt$1024$', 'scrypt$1000$')],
    ['right password!!', (h: string) => h.replace('scrypt$1024$', `scrypt$${2 ** 30}$`)],
    ['right password!!', (h: string) => h.replace('scrypt$', 'bcrypt$')],
    ['right password!!', (h: string) => h.split('$').slice(0, 5).join('$')],
    ['right password!!', () => ''],
    ['right password!!', () => 'pbkdf2:sha256:600000$abc$def'],
    ['right password!!', (h: string) => `${h}$extra`],
    ['right password!!', (h: string) => h.replace(/\$[^$]+$/, '$short')],
  ])('refuses %j against a tampered or foreign hash (case %#)', async (password, tamper) => {
    const hash = await hashPassword('right password!!', FAST);
    expect(await verifyPassword(password, tamper(hash))).toBe(false);
  });

  it('refuses a missing hash (a service account has none)', async () => {
    expect(await verifyPassword('whatever password', null)).toBe(false);
  });
});

describe('MLflow password and username rules', () => {
  it.each(['', 'short', '12345678901'])('rejects %j with MLflow message', (password) => {
    expect(() => validatePassword(password)).toThrow('Password must be at least 12 characters.');
  });
  it('counts characters, not bytes', () => {
    expect(() => validatePassword('\u00e9'.repeat(11))).toThrow();
    expect(() => validatePassword('\u00e9'.repeat(12))).not.toThrow();
  });
  it('rejects an empty username', () => {
    expect(() => validateUsername('')).toThrow('Username cannot be empty.');
    expect(() => validateUsername('bob')).not.toThrow();
  });
});
