// Reads the settings file once per path and caches the result (settings are read
// once, validated, and cached; tests reset the cache). Beyond parseSettings's rules, loading reads
// the files the settings name (setting-files.ts) and warns when others can read the secrets the
// file holds (settings-file-access.ts).
import type { Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { VctpError } from '../core/errors.js';
import { SETTINGS_ENV_VAR } from './env.js';
import { parseSettings } from './parse-settings.js';
import { settingFileProblems } from './setting-files.js';
import { secretsAtRestWarning, systemGroupName } from './settings-file-access.js';
import type { LoadedSettings } from './settings-types.js';

const cache = new Map<string, Promise<LoadedSettings>>();

export function loadSettings(path: string): Promise<LoadedSettings> {
  let loaded = cache.get(path);
  if (loaded === undefined) {
    loaded = readAndParse(path);
    cache.set(path, loaded);
    // A failed load is not cached: the operator fixes the file and the next call reads it again.
    loaded.catch(() => cache.delete(path));
  }
  return loaded;
}

export function resetSettingsCache(): void {
  cache.clear();
}

async function readAndParse(path: string): Promise<LoadedSettings> {
  let text: string;
  let stats: Stats;
  try {
    const handle = await open(path, 'r');
    try {
      stats = await handle.stat();
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new VctpError('config', `${path}: settings file not found; pass --settings <file> or set ${SETTINGS_ENV_VAR}`, { cause: error });
    }
    throw new VctpError('config', `${path}: cannot read the settings file (${code ?? String(error)})`, { cause: error });
  }
  const loaded = parseSettings(text, path, { fileProblems: settingFileProblems });
  const exposed = secretsAtRestWarning(loaded.settings, {
    path,
    mode: stats.mode,
    gid: stats.gid,
    processGid: process.getegid?.() ?? -1,
    groupName: systemGroupName,
  });
  if (exposed !== undefined) loaded.warnings.push(exposed);
  return loaded;
}
