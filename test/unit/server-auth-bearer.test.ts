import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBearer } from '../../src/server/auth/guard.js';

describe('parseBearer (RFC 6750 2.1)', () => {
  it('reads the token of a Bearer header, the scheme in any case', () => {
    assert.deepEqual(parseBearer('Bearer abc.DEF-_~+/x=='), { kind: 'token', token: 'abc.DEF-_~+/x==' });
    assert.deepEqual(parseBearer('bearer   abc'), { kind: 'token', token: 'abc' });
  });

  it('tells no header from a malformed one', () => {
    assert.deepEqual(parseBearer(undefined), { kind: 'none' });
    assert.deepEqual(parseBearer('  '), { kind: 'none' });
    for (const header of ['Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer a b', 'Bearer a,b', 'Token abc', 'Bearerabc']) {
      assert.deepEqual(parseBearer(header), { kind: 'malformed' }, header);
    }
  });
});
