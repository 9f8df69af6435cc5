import { encryptionSettings } from '../../app/encrypt.js';
import type { RuntimeOptions } from '../../app/runtime.js';
import { stdoutOutput } from '../output.js';
import { runEncrypt } from './encrypt.js';

export async function encryptCommand(globals: RuntimeOptions): Promise<void> {
  const settings = await encryptionSettings(globals);
  const value = await runEncrypt({ settings, stdin: process.stdin, isTTY: Boolean(process.stdin.isTTY) });
  stdoutOutput(false).write(value);
}
