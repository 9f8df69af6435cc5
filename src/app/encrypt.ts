// `vctp encrypt` (and, later, the HTTP API's /api/encrypt): an `enc:v1:` value for
// settings.vcenter_password or a settings.vcenters[].password, under the key vctp itself will
// decrypt it with (the same key for both: src/config/credentials.ts).
import { existsSync } from 'node:fs';
import { activeKey, encryptSecret, loadSettings, settingsPathFrom, type Settings } from '../config/index.js';
import { VctpError } from '../core/errors.js';
import type { RuntimeOptions } from './runtime.js';

/**
 * The settings whose encryption_key gives the key, when a settings file exists; null without one
 * (the key then comes from this host's identity, as vctp derives it when it reads the value).
 */
export async function encryptionSettings(options: RuntimeOptions): Promise<Settings | null> {
  const path = settingsPathFrom(options.settings);
  return existsSync(path) ? (await loadSettings(path)).settings : null;
}

export function encryptPassword(plain: string, settings: Settings | null): string {
  if ([...plain].length <= 2) {
    throw new VctpError('usage', 'the password must be longer than 2 characters (the settings file rejects shorter ones)');
  }
  return encryptSecret(plain, activeKey(settings));
}
