import { existsSync } from 'node:fs';
import { loadSettings } from '../../config/load-settings.js';
import { settingsPathFrom } from '../../config/env.js';
import { stdoutOutput } from '../output.js';
import type { GlobalOptions } from '../runtime.js';
import { runEncrypt } from './encrypt.js';

/**
 * The key comes from the settings' encryption_key when a settings file exists; without one, from
 * this host's identity, as vctp itself would derive it when it reads the value.
 */
export async function encryptCommand(globals: GlobalOptions): Promise<void> {
  const path = settingsPathFrom(globals.settings);
  const settings = existsSync(path) ? (await loadSettings(path)).settings : null;
  const value = await runEncrypt({ settings, stdin: process.stdin, isTTY: Boolean(process.stdin.isTTY) });
  stdoutOutput(false).write(value);
}
