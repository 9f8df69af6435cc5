import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { isVctpError } from '../../src/core/errors.js';
import { activeKey, decryptSecret, encryptSecret, fallbackKeys, tryDecryptLegacy, type HostIdentitySource } from '../../src/config/index.js';

const keyA = createHash('sha256').update('a').digest();
const keyB = createHash('sha256').update('b').digest();
const FIELD = 'settings.vcenter_password';

function host(files: Record<string, string>, name = 'vctp-test-host'): HostIdentitySource {
  return { readFile: (path) => files[path], hostname: () => name };
}

function rejectsWith(run: () => unknown, pattern: RegExp, secret?: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(isVctpError(error));
    assert.equal(error.code, 'credentials');
    assert.match(error.message, pattern);
    if (secret !== undefined) assert.ok(!error.message.includes(secret), 'the message leaks the value');
    return true;
  });
}

describe('encryptSecret / decryptSecret', () => {
  it('round-trips through enc:v1 with a fresh IV each time', () => {
    for (const plain of ['hunter22', 'pässwörd ✓ with spaces', 'x'.repeat(500)]) {
      const value = encryptSecret(plain, keyA);
      assert.match(value, /^enc:v1:[A-Za-z0-9+/]+={0,2}$/);
      assert.equal(Buffer.from(value.slice(7), 'base64').length, 12 + Buffer.byteLength(plain) + 16);
      assert.equal(decryptSecret(value, [keyA]), plain);
      assert.notEqual(encryptSecret(plain, keyA), value);
    }
  });

  it('decrypts legacy (unprefixed) ciphertext with a fallback key', () => {
    const legacy = encryptSecret('legacy-pass', keyB).slice('enc:v1:'.length);
    assert.equal(tryDecryptLegacy(legacy, [keyA, keyB]), 'legacy-pass');
    assert.equal(tryDecryptLegacy(legacy, [keyA]), undefined);
    assert.equal(decryptSecret(legacy, [keyA, keyB]), 'legacy-pass');
    assert.equal(tryDecryptLegacy('plain password', [keyA, keyB]), undefined);
    assert.equal(tryDecryptLegacy('AAAA', [keyA]), undefined); // too short: never a crash
  });

  it('rejects malformed enc:v1 values with a clear message and no crash', () => {
    rejectsWith(() => decryptSecret('enc:v1:not base64!', [keyA], FIELD), /^settings\.vcenter_password: malformed enc:v1 value: not valid base64$/, 'not base64!');
    rejectsWith(() => decryptSecret('enc:v1:', [keyA], FIELD), /malformed enc:v1 value: 0 bytes is shorter than the 28-byte minimum/);
    rejectsWith(() => decryptSecret('enc:v1:AAAAAAAAAAAAAAAAAAAA', [keyA], FIELD), /malformed enc:v1 value: 15 bytes is shorter/);
    const value = encryptSecret('hunter22', keyA);
    const bytes = Buffer.from(value.slice(7), 'base64');
    bytes[bytes.length - 1]! ^= 1; // flip one bit of the tag
    rejectsWith(() => decryptSecret(`enc:v1:${bytes.toString('base64')}`, [keyA], FIELD), /^settings\.vcenter_password: cannot decrypt the enc:v1 value/, 'hunter22');
  });

  it('reports a wrong key clearly without the secret', () => {
    const value = encryptSecret('hunter22', keyA);
    rejectsWith(
      () => decryptSecret(value, [keyB], FIELD),
      /^settings\.vcenter_password: cannot decrypt the enc:v1 value with the active key \(it was encrypted on another host or with another settings\.encryption_key/,
      value.slice(7),
    );
  });
});

describe('activeKey / fallbackKeys', () => {
  const machine = host({ '/etc/machine-id': '0123456789abcdef0123456789abcdef' });

  it('derives the key from settings.encryption_key when set', () => {
    const key = activeKey({ encryption_key: 'my shared key' }, machine);
    assert.deepEqual(key, createHash('sha256').update('my shared key').digest());
    assert.deepEqual(activeKey({ encryption_key: 'my shared key' }, host({}, 'other')), key);
  });

  it('derives a host key from machine-id, then the dbus copy, then the hostname', () => {
    const fromMachineId = activeKey(null, machine);
    assert.equal(fromMachineId.length, 32);
    assert.notDeepEqual(activeKey(null, host({ '/etc/machine-id': 'ffff' })), fromMachineId);
    assert.deepEqual(activeKey({}, host({ '/var/lib/dbus/machine-id': '0123456789abcdef0123456789abcdef' })), fromMachineId);
    assert.notDeepEqual(activeKey(null, host({}, 'host-a')), activeKey(null, host({}, 'host-b')));
  });

  it('offers the other host keys as fallbacks, never the active key', () => {
    const withKey = { encryption_key: 'k' };
    assert.deepEqual(fallbackKeys(withKey, machine), [activeKey(null, machine), activeKey(null, host({}))]);
    assert.deepEqual(fallbackKeys(null, machine), [activeKey(null, host({}))]);
    assert.deepEqual(fallbackKeys(null, host({})), []);
  });
});
