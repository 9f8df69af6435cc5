import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseSettings } from '../../src/config/index.js';
import { settingsFields } from '../../src/config/settings-schema.js';

const EXAMPLE = fileURLToPath(new URL('../../vctp.yml.example', import.meta.url));

describe('vctp.yml.example', () => {
  it('loads without errors or warnings and holds the defaults', async () => {
    const text = await readFile(EXAMPLE, 'utf8');
    const loaded = parseSettings(text, EXAMPLE);
    assert.deepEqual(loaded.warnings, []);
    assert.deepEqual(loaded.settings, parseSettings('settings:\n', EXAMPLE).settings);
  });

  it('mentions every settings key', async () => {
    const text = await readFile(EXAMPLE, 'utf8');
    const missing = Object.keys(settingsFields).filter((key) => !new RegExp(`^\\s*#?\\s*${key}:`, 'm').test(text));
    assert.deepEqual(missing, []);
  });
});
