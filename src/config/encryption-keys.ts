// Which key encrypts credentials. With settings.encryption_key: SHA-256 of it. Without: a key
// derived from this host's identity (/etc/machine-id, then /var/lib/dbus/machine-id, then the
// hostname), so a settings file copied to another host cannot be decrypted there unless both set
// the same encryption_key.
//
// Fallback keys (tried only for legacy ciphertext, never for enc:v1) are the other keys this host
// could have used before: the host keys when an encryption_key was added later, and the
// lower-priority host identities (e.g. a value written before /etc/machine-id existed).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { VctpError } from '../core/errors.js';
import type { Settings } from './settings-types.js';

export interface HostIdentitySource {
  /** The trimmed file content, or undefined when it is missing or empty. */
  readFile(path: string): string | undefined;
  hostname(): string;
}

export const systemHostIdentity: HostIdentitySource = {
  readFile(path) {
    try {
      return readFileSync(path, 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  },
  hostname: () => hostname(),
};

const MACHINE_ID_FILES = ['/etc/machine-id', '/var/lib/dbus/machine-id'];

type KeySettings = Pick<Settings, 'encryption_key'> | null;

export function activeKey(settings: KeySettings, host: HostIdentitySource = systemHostIdentity): Buffer {
  if (settings?.encryption_key) return explicitKey(settings.encryption_key);
  const [first] = hostKeys(host);
  if (first === undefined) {
    throw new VctpError('credentials', 'no settings.encryption_key is set and this host has no machine-id or hostname to derive a key from');
  }
  return first;
}

export function fallbackKeys(settings: KeySettings, host: HostIdentitySource = systemHostIdentity): Buffer[] {
  const active = activeKey(settings, host);
  return hostKeys(host).filter((key) => !key.equals(active));
}

function explicitKey(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Distinct host-derived keys, preferred first. */
function hostKeys(host: HostIdentitySource): Buffer[] {
  const identities: string[] = [];
  for (const file of MACHINE_ID_FILES) {
    const id = host.readFile(file);
    if (id !== undefined) identities.push(`machine-id:${id}`);
  }
  const name = host.hostname().trim();
  if (name !== '') identities.push(`hostname:${name}`);
  const keys: Buffer[] = [];
  for (const identity of new Set(identities)) {
    // A label keeps host keys apart from SHA-256 of an encryption_key that happens to equal an id.
    const key = createHash('sha256').update(`vctp-host-key:v1:${identity}`, 'utf8').digest();
    if (!keys.some((k) => k.equals(key))) keys.push(key);
  }
  return keys;
}
