import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeFilterValue } from '../../src/core/ldap-escape.js';

describe('escapeFilterValue (RFC 4515)', () => {
  it('escapes the five special characters as \\XX', () => {
    assert.equal(escapeFilterValue('*'), '\\2a');
    assert.equal(escapeFilterValue('('), '\\28');
    assert.equal(escapeFilterValue(')'), '\\29');
    assert.equal(escapeFilterValue('\\'), '\\5c');
    assert.equal(escapeFilterValue('\0'), '\\00');
  });

  it('turns injection attempts into plain values', () => {
    assert.equal(escapeFilterValue(')(uid=*'), '\\29\\28uid=\\2a');
    assert.equal(escapeFilterValue('admin)(|(uid=*'), 'admin\\29\\28|\\28uid=\\2a');
    assert.equal(escapeFilterValue('cn=a\\,b'), 'cn=a\\5c,b');
  });

  it('leaves ordinary names, DNs and UTF-8 alone', () => {
    assert.equal(escapeFilterValue('viewer1'), 'viewer1');
    assert.equal(escapeFilterValue('uid=viewer1,ou=People,dc=example,dc=com'), 'uid=viewer1,ou=People,dc=example,dc=com');
    assert.equal(escapeFilterValue('jürgen.müller'), 'jürgen.müller');
  });
});
