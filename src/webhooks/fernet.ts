/**
 * Fernet tokens (https://github.com/fernet/spec), what MLflow encrypts webhook secrets with
 * (cryptography.fernet via store/model_registry/dbmodels/models.py: EncryptedString), so one
 * MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY works for both servers: the key is 32 bytes, the first 16
 * sign (HMAC-SHA256), the last 16 encrypt (AES-128-CBC, PKCS7). A token is URL-safe base64 of
 * version 0x80 | 8-byte big-endian seconds | 16-byte IV | ciphertext | 32-byte HMAC of all before.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export class FernetError extends Error {}

export function fernetEncrypt(key: Buffer, plaintext: string, now = Date.now(), iv = randomBytes(16)): string {
  const signing = key.subarray(0, 16);
  const encryption = key.subarray(16, 32);
  const cipher = createCipheriv('aes-128-cbc', encryption, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const header = Buffer.alloc(9);
  header[0] = 0x80;
  header.writeBigUInt64BE(BigInt(Math.floor(now / 1000)), 1);
  const signed = Buffer.concat([header, iv, ciphertext]);
  const mac = createHmac('sha256', signing).update(signed).digest();
  // Python's urlsafe_b64encode pads with '='; so does every token cryptography makes.
  const text = Buffer.concat([signed, mac]).toString('base64url');
  return text + '='.repeat((4 - (text.length % 4)) % 4);
}

export function fernetDecrypt(key: Buffer, token: string): string {
  const data = Buffer.from(token.replace(/=+$/, ''), 'base64url');
  if (data.length < 1 + 8 + 16 + 16 + 32 || data[0] !== 0x80) throw new FernetError('not a Fernet token');
  const signed = data.subarray(0, data.length - 32);
  const mac = data.subarray(data.length - 32);
  const expected = createHmac('sha256', key.subarray(0, 16)).update(signed).digest();
  if (!timingSafeEqual(mac, expected)) throw new FernetError('the token was not made with this key');
  const iv = signed.subarray(9, 25);
  const decipher = createDecipheriv('aes-128-cbc', key.subarray(16, 32), iv);
  try {
    return Buffer.concat([decipher.update(signed.subarray(25)), decipher.final()]).toString('utf8');
  } catch {
    throw new FernetError('the token does not decrypt');
  }
}
