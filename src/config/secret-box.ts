// Authenticated encryption of stored credentials (the spec's "Credential Encryption Lifecycle").
//
// Format: `enc:v1:` + base64(iv | ciphertext | tag), AES-256-GCM, 12-byte random IV, 16-byte tag,
// no associated data, standard base64 with padding. "Legacy" ciphertext is the same layout without
// the prefix: it is what Go's `gcm.Seal(nonce, nonce, plaintext, nil)` idiom produces, which we
// take to be the original system's pre-prefix format (its source was not available to check).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { VctpError } from '../core/errors.js';

export const ENC_PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function encryptSecret(plain: string, key: Buffer): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ENC_PREFIX + Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64');
}

/**
 * Decrypts an `enc:v1:` value, or a legacy (unprefixed) one, with the first of `keys` that
 * authenticates it. Every failure is a VctpError('credentials') naming `field`; no message ever
 * contains the value or the plaintext.
 */
export function decryptSecret(value: string, keys: readonly Buffer[], field = 'secret'): string {
  const prefixed = value.startsWith(ENC_PREFIX);
  const form = prefixed ? 'enc:v1 value' : 'legacy encrypted value';
  const payload = decodePayload(prefixed ? value.slice(ENC_PREFIX.length) : value);
  if (typeof payload === 'string') throw new VctpError('credentials', `${field}: malformed ${form}: ${payload}`);
  for (const key of keys) {
    const plain = openWith(key, payload);
    if (plain !== undefined) return plain;
  }
  throw new VctpError(
    'credentials',
    `${field}: cannot decrypt the ${form} with the ${keys.length > 1 ? 'active or fallback keys' : 'active key'} ` +
      '(it was encrypted on another host or with another settings.encryption_key, or it was altered); ' +
      'set the matching encryption_key, or replace the value with the plaintext password to re-encrypt it',
  );
}

/** The legacy step of the lifecycle: the plaintext, or undefined when `value` is not legacy ciphertext for any key. */
export function tryDecryptLegacy(value: string, keys: readonly Buffer[]): string | undefined {
  const payload = decodePayload(value);
  if (typeof payload === 'string') return undefined;
  for (const key of keys) {
    const plain = openWith(key, payload);
    if (plain !== undefined) return plain;
  }
  return undefined;
}

/** The raw bytes, or why they are not a valid payload. */
function decodePayload(base64: string): Buffer | string {
  // Buffer.from(..., 'base64') silently skips junk, so validate first.
  if (!STRICT_BASE64.test(base64)) return 'not valid base64';
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length < IV_BYTES + TAG_BYTES) {
    return `${bytes.length} bytes is shorter than the ${IV_BYTES + TAG_BYTES}-byte minimum (IV and tag)`;
  }
  return bytes;
}

function openWith(key: Buffer, payload: Buffer): string | undefined {
  checkKey(key);
  const iv = payload.subarray(0, IV_BYTES);
  const tag = payload.subarray(payload.length - TAG_BYTES);
  const ciphertext = payload.subarray(IV_BYTES, payload.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    return undefined; // wrong key, altered bytes, or not text: all mean "not this key"
  }
}

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new VctpError('internal', `encryption key must be ${KEY_BYTES} bytes, got ${key.length}`);
}
