// Writes one changed setting back into the settings file (today: an encrypted vCenter password),
// or says why it did not. Never throws for an ordinary reason: the caller already has the value it
// needs, and a file that cannot be updated must not stop the service.
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { writeFileAtomic, type AtomicWriteOptions } from '../files/atomic-write.js';
import { replaceSettingScalar, type SettingPath } from './yaml-scalar-edit.js';

export type UpdateOutcome = { updated: true } | { updated: false; reason: string };

export async function updateSettingInFile(
  path: string,
  key: SettingPath,
  expected: string,
  replacement: string,
  options: AtomicWriteOptions = {},
): Promise<UpdateOutcome> {
  try {
    if (!(await isWritable(path))) return { updated: false, reason: 'the settings file is read-only' };
    const text = await readFile(path, 'utf8');
    const updated = replaceSettingScalar(text, key, expected, replacement);
    await writeFileAtomic(path, updated, options);
    return { updated: true };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = error instanceof Error ? error.message : String(error);
    return { updated: false, reason: code !== undefined ? `${code}: ${reason}` : reason };
  }
}

// A file with no write bit is read-only by the operator's intent even for root, who would pass
// access(W_OK); an unwritable directory shows up later as EACCES from the temp file.
async function isWritable(path: string): Promise<boolean> {
  const { mode } = await stat(path);
  if ((mode & 0o222) === 0) return false;
  try {
    await access(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
