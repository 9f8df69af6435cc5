// Resolves settings.vcenter_password as the spec's "Credential Encryption Lifecycle" says:
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

const FIELD = 'settings.vcenter_password';

export interface CredentialOptions extends AtomicWriteOptions {
  host?: HostIdentitySource;
}

export async function resolveVcenterPassword(loaded: LoadedSettings, log: Logger, options: CredentialOptions = {}): Promise<string> {
  const { password: plain, form: found } = readVcenterPassword(loaded, options);
  if (found === 'enc:v1') return plain;
  const stored = loaded.settings.vcenter_password!;
  const key = activeKey(loaded.settings, options.host ?? systemHostIdentity);

  const outcome = await updateSettingInFile(loaded.path, 'vcenter_password', stored, encryptSecret(plain, key), options);
  if (outcome.updated) {
    log.info({ settings_file: loaded.path }, `${FIELD}: ${found} value encrypted in place as enc:v1`);
  } else {
    const message = `${FIELD}: ${found} value left as is in the settings file; using it for this run`;
    log.warn({ settings_file: loaded.path, reason: outcome.reason }, message);
  }
  return plain;
}

export type PasswordForm = 'enc:v1' | 'legacy encrypted' | 'plaintext';

export interface ReadPassword {
  password: string;
  /** How the file holds it; anything but enc:v1 is rewritten by the next resolveVcenterPassword. */
  form: PasswordForm;
}

/**
 * Steps 1-3 of the lifecycle without the rewrite: the password and the form the file holds it in.
 * For readers that must leave the settings file alone (`vctp doctor`).
 */
export function readVcenterPassword(loaded: LoadedSettings, options: { host?: HostIdentitySource } = {}): ReadPassword {
  const stored = loaded.settings.vcenter_password;
  if (stored === undefined) throw new VctpError('credentials', `${FIELD}: is not set`);
  const host = options.host ?? systemHostIdentity;
  const key = activeKey(loaded.settings, host);
  if (stored.startsWith(ENC_PREFIX)) return { password: decryptSecret(stored, [key], FIELD), form: 'enc:v1' };

  const legacy = tryDecryptLegacy(stored, [key, ...fallbackKeys(loaded.settings, host)]);
  if (legacy !== undefined) return { password: legacy, form: 'legacy encrypted' };
  // The loader refuses these already (password-rule.ts); settings built in code are checked here.
  if (isTooShortPlaintext(stored)) throw new VctpError('credentials', `${FIELD}: ${TOO_SHORT_PLAINTEXT}`);
  return { password: stored, form: 'plaintext' };
}
