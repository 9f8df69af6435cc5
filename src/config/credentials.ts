// Resolves the vCenter passwords (settings.vcenter_password and each settings.vcenters[i].password)
// as the spec's "Credential Encryption Lifecycle" says:
//   1. `enc:v1:...`          -> decrypt with the active key (only that key: a mismatch is an error)
//   2. no prefix             -> try legacy ciphertext with the active key, then the fallback keys
//   3. neither, length > 2   -> it is plaintext; length <= 2 is rejected
// After 2 or 3 the file is rewritten in place to `enc:v1:<ciphertext>` under the active key. If
// the file cannot be rewritten (read-only, changed meanwhile, ...), that is a warning: the service
// runs with the value it resolved and tries again next start.
import { VctpError } from '../core/errors.js';
import type { AtomicWriteOptions } from '../files/atomic-write.js';
import type { Logger } from '../log/logger.js';
import { activeKey, fallbackKeys, systemHostIdentity, type HostIdentitySource } from './encryption-keys.js';
import { isTooShortPlaintext, TOO_SHORT_PLAINTEXT } from './password-rule.js';
import { decryptSecret, ENC_PREFIX, encryptSecret, tryDecryptLegacy } from './secret-box.js';
import { updateSettingInFile } from './settings-file-update.js';
import type { LoadedSettings } from './settings-types.js';
import { vcenterEntries, type VcenterEntry, type VcenterLogin } from '../core/vcenter-logins.js';
import type { SettingPath } from './yaml-scalar-edit.js';

export interface CredentialOptions extends AtomicWriteOptions {
  host?: HostIdentitySource;
}

export type PasswordForm = 'enc:v1' | 'legacy encrypted' | 'plaintext';

export interface ReadPassword {
  password: string;
  /** How the file holds it; anything but enc:v1 is rewritten by the next resolveVcenterLogins. */
  form: PasswordForm;
}

/**
 * Every configured vCenter with its username and decrypted password (src/core/vcenter-logins.ts
 * lists them). A password the file holds as plaintext or legacy ciphertext is rewritten in place
 * as enc:v1, each at its own key, once even when several vCenters share it.
 * Throws a config VctpError naming the key when a username or password is unset, and a
 * credentials one when a password cannot be decrypted.
 */
export async function resolveVcenterLogins(loaded: LoadedSettings, log: Logger, options: CredentialOptions = {}): Promise<VcenterLogin[]> {
  const entries = vcenterEntries(loaded.settings);
  const read = new Map<string, ReadPassword>();
  const logins: VcenterLogin[] = [];
  for (const entry of entries) {
    const username = requireUsername(entry);
    let password = read.get(entry.passwordKey);
    if (password === undefined) {
      password = readStoredPassword(loaded, entry.password, entry.passwordKey, options);
      read.set(entry.passwordKey, password);
      if (password.form !== 'enc:v1') await encryptInPlace(loaded, entry, password, log, options);
    }
    logins.push({ url: entry.url, username, password: password.password });
  }
  return logins;
}

/** One vCenter's login as `vctp doctor` reads it: the file is left alone, and a failure is data. */
export interface ReadLogin {
  url: string;
  urlKey: string;
  /** Unset: the error names the key. */
  username: string | { error: string };
  password: (ReadPassword & { key: string }) | { error: string };
}

/** Steps 1-3 of the lifecycle for every vCenter, without the rewrite (`vctp doctor`). */
export function readVcenterLogins(loaded: LoadedSettings, options: { host?: HostIdentitySource } = {}): ReadLogin[] {
  return vcenterEntries(loaded.settings).map((entry) => {
    let username: ReadLogin['username'];
    let password: ReadLogin['password'];
    try {
      username = requireUsername(entry);
    } catch (error) {
      username = { error: (error as Error).message };
    }
    try {
      password = { ...readStoredPassword(loaded, entry.password, entry.passwordKey, options), key: entry.passwordKey };
    } catch (error) {
      password = { error: (error as Error).message };
    }
    return { url: entry.url, urlKey: entry.urlKey, username, password };
  });
}

/** settings.vcenter_password alone (the spec's single credential); resolveVcenterLogins covers every vCenter. */
export async function resolveVcenterPassword(loaded: LoadedSettings, log: Logger, options: CredentialOptions = {}): Promise<string> {
  const entry = { url: '', urlKey: '', username: undefined, usernameKey: '', password: loaded.settings.vcenter_password, passwordKey: SHARED };
  const read = readStoredPassword(loaded, entry.password, SHARED, options);
  if (read.form !== 'enc:v1') await encryptInPlace(loaded, entry, read, log, options);
  return read.password;
}

/** settings.vcenter_password alone, without the rewrite. */
export function readVcenterPassword(loaded: LoadedSettings, options: { host?: HostIdentitySource } = {}): ReadPassword {
  return readStoredPassword(loaded, loaded.settings.vcenter_password, SHARED, options);
}

const SHARED = 'settings.vcenter_password';

function requireUsername(entry: VcenterEntry): string {
  if (entry.username === undefined || entry.username === '') {
    throw new VctpError('config', `${entry.usernameKey}: is not set; it is required to log in to ${entry.urlKey} (${entry.url})`);
  }
  return entry.username;
}

async function encryptInPlace(loaded: LoadedSettings, entry: Pick<VcenterEntry, 'password' | 'passwordKey'>, read: ReadPassword, log: Logger, options: CredentialOptions): Promise<void> {
  const key = activeKey(loaded.settings, options.host ?? systemHostIdentity);
  const outcome = await updateSettingInFile(loaded.path, settingPathOf(entry.passwordKey), entry.password!, encryptSecret(read.password, key), options);
  if (outcome.updated) {
    log.info({ settings_file: loaded.path }, `${entry.passwordKey}: ${read.form} value encrypted in place as enc:v1`);
  } else {
    const message = `${entry.passwordKey}: ${read.form} value left as is in the settings file; using it for this run`;
    log.warn({ settings_file: loaded.path, reason: outcome.reason }, message);
  }
}

/** `settings.vcenters[1].password` -> ['vcenters', 1, 'password']. */
function settingPathOf(key: string): SettingPath {
  return key
    .replace(/^settings\./, '')
    .split(/\.|(?=\[)/)
    .map((step) => (step.startsWith('[') ? Number(step.slice(1, -1)) : step));
}

function readStoredPassword(loaded: LoadedSettings, stored: string | undefined, field: string, options: { host?: HostIdentitySource }): ReadPassword {
  if (stored === undefined) throw new VctpError('credentials', `${field}: is not set`);
  const host = options.host ?? systemHostIdentity;
  const key = activeKey(loaded.settings, host);
  if (stored.startsWith(ENC_PREFIX)) return { password: decryptSecret(stored, [key], field), form: 'enc:v1' };

  const legacy = tryDecryptLegacy(stored, [key, ...fallbackKeys(loaded.settings, host)]);
  if (legacy !== undefined) return { password: legacy, form: 'legacy encrypted' };
  // The loader refuses these already (password-rule.ts); settings built in code are checked here.
  if (isTooShortPlaintext(stored)) throw new VctpError('credentials', `${field}: ${TOO_SHORT_PLAINTEXT}`);
  return { password: stored, form: 'plaintext' };
}
