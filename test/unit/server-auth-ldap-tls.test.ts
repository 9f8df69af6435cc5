// The TLS decisions of ldap-tls.ts, as options handed to ldapts and node:tls.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionOptions } from '../../src/server/auth/ldap-tls.js';

const base = { disableValidation: false, insecure: false, timeoutMs: 10_000 };

describe('connectionOptions', () => {
  it('uses TLS from the start on ldaps://, validating the certificate', () => {
    const plan = connectionOptions({ ...base, url: 'ldaps://ad01.example.com:636' });
    assert.equal(plan.startTls, undefined);
    assert.equal(plan.clientOptions.timeout, 10_000);
    assert.equal(plan.clientOptions.connectTimeout, 10_000);
    assert.equal(plan.clientOptions.tlsOptions?.rejectUnauthorized, true);
    assert.equal(plan.clientOptions.tlsOptions?.servername, 'ad01.example.com');
  });

  it('upgrades ldap:// with StartTLS unless ldap_insecure', () => {
    const plan = connectionOptions({ ...base, url: 'ldap://10.0.0.5:389', trustedCa: 'PEM' });
    assert.equal(plan.startTls?.rejectUnauthorized, true);
    assert.equal(plan.startTls?.ca, 'PEM');
    assert.equal(plan.startTls?.host, '10.0.0.5');
    assert.equal(plan.startTls?.servername, undefined, 'no SNI for an IP address');
    assert.equal(connectionOptions({ ...base, insecure: true, url: 'ldap://10.0.0.5:389' }).startTls, undefined);
  });

  it('ldap_insecure leaves ldaps:// encrypted and validated; ldap_disable_validation only stops validation', () => {
    const insecure = connectionOptions({ ...base, insecure: true, url: 'ldaps://ad01.example.com' });
    assert.equal(insecure.clientOptions.tlsOptions?.rejectUnauthorized, true);
    const unvalidated = connectionOptions({ ...base, disableValidation: true, url: 'ldap://ad01.example.com' });
    assert.equal(unvalidated.startTls?.rejectUnauthorized, false);
  });
});
