import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRole, roleSatisfies, rolePolicy } from '../../src/server/auth/roles.js';

const VIEWERS = 'CN=vctp-viewers,OU=Groups,DC=example,DC=com';
const ADMINS = 'CN=vctp-admins,OU=Groups,DC=example,DC=com';
const OPS = 'CN=platform-operators,OU=Groups,DC=example,DC=com';

describe('decideRole', () => {
  const mappings = { [VIEWERS]: 'viewer' as const, [ADMINS]: 'admin' as const };

  it('gives admin when any mapped group says admin, else viewer', () => {
    const policy = rolePolicy(mappings, []);
    assert.deepEqual(decideRole(policy, [VIEWERS]), { ok: true, role: 'viewer', mappedGroups: [VIEWERS] });
    assert.deepEqual(decideRole(policy, [VIEWERS, ADMINS, OPS]), { ok: true, role: 'admin', mappedGroups: [VIEWERS, ADMINS] });
  });

  it('compares DNs trimmed and case-insensitively', () => {
    const policy = rolePolicy({ [`  ${ADMINS.toLowerCase()} `]: 'admin' }, [` ${ADMINS.toUpperCase()}`]);
    assert.equal(decideRole(policy, [ADMINS]).ok, true);
  });

  it('refuses a user in no mapped group, even one on the allowlist', () => {
    assert.deepEqual(decideRole(rolePolicy(mappings, []), [OPS]), { ok: false, reason: 'no-mapped-role' });
    assert.deepEqual(decideRole(rolePolicy(mappings, [VIEWERS, OPS]), [OPS]), { ok: false, reason: 'no-mapped-role' });
    assert.deepEqual(decideRole(rolePolicy(mappings, []), []), { ok: false, reason: 'no-mapped-role' });
  });

  it('refuses a mapped user outside a non-empty allowlist', () => {
    assert.deepEqual(decideRole(rolePolicy(mappings, [VIEWERS]), [ADMINS]), { ok: false, reason: 'not-in-allowed-group' });
  });

  it('lets the stronger role win when one DN is mapped twice in two spellings', () => {
    const policy = rolePolicy({ [ADMINS]: 'admin', [ADMINS.toLowerCase()]: 'viewer' }, []);
    const decision = decideRole(policy, [ADMINS]);
    assert.equal(decision.ok && decision.role, 'admin');
  });
});

describe('roleSatisfies', () => {
  it('lets admin do what viewer may, not the other way round', () => {
    assert.equal(roleSatisfies('admin', 'admin'), true);
    assert.equal(roleSatisfies('admin', 'viewer'), true);
    assert.equal(roleSatisfies('viewer', 'viewer'), true);
    assert.equal(roleSatisfies('viewer', 'admin'), false);
  });
});
