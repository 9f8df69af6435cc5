// The pure half of a login (bind-name.ts): what a username is, the filter that finds its entry
// after a direct bind, the DN checks, and the failed-login key. The slapd tests exercise the direct
// bind with a full DN (OpenLDAP takes no UPN or DOMAIN\name as a bind name); UPN and DOMAIN\name
// share that path and differ only in the filters tested here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyLoginName, entryQuery, failureKey, isBelow, parseDn, type LoginName } from '../../src/server/auth/bind-name.js';

const USERS = 'OU=Users,DC=example,DC=com';

function query(username: string) {
  const name = classifyLoginName(username);
  assert.notEqual(name.kind, 'bad-dn', username);
  return entryQuery(name as Exclude<LoginName, { kind: 'bad-dn' }>, USERS);
}

describe('classifyLoginName', () => {
  it('tells UPNs, down-level names, DNs and plain names apart', () => {
    assert.deepEqual(classifyLoginName('jdoe@example.com'), { kind: 'upn', upn: 'jdoe@example.com', local: 'jdoe', domain: 'example.com' });
    assert.deepEqual(classifyLoginName('EXAMPLE\\jdoe'), { kind: 'down-level', domain: 'EXAMPLE', name: 'jdoe' });
    assert.deepEqual(classifyLoginName('example.com\\jdoe'), { kind: 'down-level', domain: 'example.com', name: 'jdoe' });
    assert.equal(classifyLoginName('CN=John Doe,OU=Users,DC=example,DC=com').kind, 'dn');
    assert.equal(classifyLoginName('uid=viewer1, ou=People, dc=example, dc=com').kind, 'dn');
    for (const plain of ['jdoe', 'paren(1)', '*', ')(uid=*', 'admin1\\', '\\jdoe', 'a\\b\\c', '@example.com', 'jdoe@', 'a@b@c', 'j doe@example.com', 'jdoe@exa mple.com', 'EX AMPLE\\jdoe']) {
      assert.equal(classifyLoginName(plain).kind, 'plain', plain);
    }
  });

  it('refuses what starts like a DN but is none', () => {
    for (const bad of ['uid=', 'uid=a,', 'uid=a,,dc=com', 'uid=a\\', 'uid=a\\zz,dc=com', 'uid=a"b,dc=com', 'uid=a;dc=com', 'uid=a,=b', 'uid=#zz']) {
      assert.equal(classifyLoginName(bad).kind, 'bad-dn', bad);
    }
  });
});

describe('entryQuery', () => {
  it('finds a UPN by userPrincipalName only, and a down-level name by sAMAccountName, escaped', () => {
    assert.deepEqual(query('jdoe@example.com'), { base: USERS, scope: 'sub', filter: '(userPrincipalName=jdoe@example.com)' });
    assert.deepEqual(query('EXAMPLE\\jdoe'), { base: USERS, scope: 'sub', filter: '(sAMAccountName=jdoe)' });
    assert.deepEqual(query('j*)(uid=*@example.com'), { base: USERS, scope: 'sub', filter: '(userPrincipalName=j\\2a\\29\\28uid=\\2a@example.com)' });
    assert.deepEqual(query('EXAMPLE\\a*)(x'), { base: USERS, scope: 'sub', filter: '(sAMAccountName=a\\2a\\29\\28x)' });
    assert.deepEqual(query('a*b@example.com'), { base: USERS, scope: 'sub', filter: '(userPrincipalName=a\\2ab@example.com)' });
  });

  it('reads a DN itself (base scope) and searches a plain name by uid or sAMAccountName', () => {
    const dn = 'CN=John Doe,OU=Users,DC=example,DC=com';
    assert.deepEqual(query(dn), { base: dn, scope: 'base', filter: '(objectClass=*)' });
    assert.deepEqual(query('paren(1)'), { base: USERS, scope: 'sub', filter: '(|(uid=paren\\281\\29)(sAMAccountName=paren\\281\\29))' });
  });
});

describe('DN checks', () => {
  const below = (dn: string, base: string) => {
    const rdns = parseDn(dn);
    assert.ok(rdns, dn);
    return isBelow(rdns, base);
  };

  it('parses RFC 4514 escapes, hex pairs included, and spaces around separators', () => {
    assert.deepEqual(parseDn('CN=Doe\\, John+uid=jdoe , OU=Users'), [
      [
        { type: 'CN', value: 'Doe, John' },
        { type: 'uid', value: 'jdoe' },
      ],
      [{ type: 'OU', value: 'Users' }],
    ]);
    assert.deepEqual(parseDn('cn=J\\C3\\BCrgen,dc=x'), [[{ type: 'cn', value: 'Jürgen' }], [{ type: 'dc', value: 'x' }]]);
    assert.equal(parseDn('cn=\\C3,dc=x'), undefined, 'a hex escape that is no UTF-8');
  });

  it('accepts only entries strictly below the user base, case-insensitively', () => {
    assert.equal(below('CN=John Doe,OU=Users,DC=example,DC=com', USERS), true);
    assert.equal(below('cn=john doe,ou=users,dc=EXAMPLE,dc=com', USERS), true);
    assert.equal(below('CN=x,OU=Sub,OU=Users,DC=example,DC=com', USERS), true);
    assert.equal(below('OU=Users,DC=example,DC=com', USERS), false, 'the base itself');
    assert.equal(below('CN=Administrator,CN=Users,DC=example,DC=com', USERS), false);
    assert.equal(below('CN=svc,OU=Service,DC=example,DC=com', USERS), false);
    assert.equal(below('CN=x,OU=Users,DC=example,DC=org', USERS), false);
    // An escaped comma is part of a value, not a level: no way to fake the suffix.
    assert.equal(below('CN=a\\,OU=Users\\,DC=example\\,DC=com,DC=evil', USERS), false);
  });
});

describe('failureKey', () => {
  it('counts one account under one key whatever form the name was typed in', () => {
    const key = (u: string) => failureKey(classifyLoginName(u), u);
    for (const u of ['jdoe', 'JDoe', 'EXAMPLE\\jdoe', 'jdoe@example.com', 'uid=jdoe,ou=People,dc=example,dc=com', 'CN=JDOE,OU=Users,DC=example,DC=com']) {
      assert.equal(key(u), 'jdoe', u);
    }
    assert.equal(key('uid=a"b'), 'uid=a"b', 'not a DN: the name itself');
  });
});
