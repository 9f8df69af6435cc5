import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { runEncrypt } from '../../src/cli/commands/encrypt.js';
import { isVctpError } from '../../src/core/errors.js';
import { activeKey, decryptSecret, parseSettings } from '../../src/config/index.js';

const { settings } = parseSettings('settings:\n  encryption_key: shared-key\n', '/tmp/vctp.yml');

describe('runEncrypt', () => {
  it('encrypts the first line of stdin with the active key', async () => {
    const value = await runEncrypt({ settings, stdin: Readable.from(['hunter', '22\r\n', 'second line\n']), isTTY: false });
    assert.match(value, /^enc:v1:/);
    assert.equal(decryptSecret(value, [activeKey(settings)]), 'hunter22');
  });

  it('keeps spaces inside the password and accepts input without a newline', async () => {
    const value = await runEncrypt({ settings, stdin: Readable.from([' pass word ']), isTTY: false });
    assert.equal(decryptSecret(value, [activeKey(settings)]), ' pass word ');
  });

  it('refuses passwords the settings file would reject', async () => {
    await assert.rejects(runEncrypt({ settings, stdin: Readable.from(['ab\n']), isTTY: false }), (error: unknown) => {
      assert.ok(isVctpError(error));
      assert.match(error.message, /longer than 2 characters/);
      return true;
    });
  });
});
