// Reads the settings file once per path and caches the result (CONVENTIONS: settings are read
// once, validated, and cached; tests reset the cache).
import { readFile } from 'node:fs/promises';
import { VctpError } from '../core/errors.js';
import { SETTINGS_ENV_VAR } from './env.js';
import { parseSettings } from './parse-settings.js';
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
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new VctpError('config', `${path}: settings file not found; pass --settings <file> or set ${SETTINGS_ENV_VAR}`, { cause: error });
    }
    throw new VctpError('config', `${path}: cannot read the settings file (${code ?? String(error)})`, { cause: error });
  }
  return parseSettings(text, path);
}
