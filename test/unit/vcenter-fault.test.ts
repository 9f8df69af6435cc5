// Which vCenter failures are retried: one classifier (src/core/vcenter-fault.ts), and the errors
// src/vcenter builds carrying its verdict for the snapshot job's retry loop.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VctpError } from '../../src/core/errors.js';
import { faultNotRetried, isTlsVerificationCode, notRetriedReason, tlsNotRetried } from '../../src/core/vcenter-fault.js';
import { connectionError, timeoutError, VimFaultError } from '../../src/vcenter/vim-errors.js';

const errno = (code: string, message = `${code}: something`) => Object.assign(new Error(message), { code });

describe('vCenter fault classification', () => {
  it('a wrong password and a missing privilege are not retried; other faults are', () => {
    assert.equal(faultNotRetried('InvalidLogin'), 'authentication failed');
    assert.match(faultNotRetried('NoPermission') ?? '', /^permission denied/);
    for (const retried of ['NotAuthenticated', 'InvalidProperty', 'SystemError', 'RequestCanceled', 'SoapFault', 'HostCommunication']) {
      assert.equal(faultNotRetried(retried), null, retried);
    }
  });

  it('every TLS verification failure is not retried, saying what to do', () => {
    for (const code of ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']) {
      assert.equal(tlsNotRetried(code), 'certificate not trusted: set vcenter_ca_file', code);
      assert.ok(isTlsVerificationCode(code));
    }
    assert.match(tlsNotRetried('CERT_HAS_EXPIRED') ?? '', /^certificate not trusted: it has expired/);
    assert.match(tlsNotRetried('ERR_TLS_CERT_ALTNAME_INVALID') ?? '', /^certificate not trusted: it does not name this host/);
    for (const network of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPROTO', '']) {
      assert.equal(tlsNotRetried(network), null, network);
      assert.equal(isTlsVerificationCode(network), false);
    }
  });

  it('notRetriedReason reads the mark and nothing else', () => {
    assert.equal(notRetriedReason({ retryable: false, notRetriedReason: 'authentication failed' }), 'authentication failed');
    assert.equal(notRetriedReason({ retryable: true, notRetriedReason: 'x' }), null);
    assert.equal(notRetriedReason(new Error('boom')), null);
    assert.equal(notRetriedReason(new VctpError('vcenter', 'x')), null);
    assert.equal(notRetriedReason(null), null);
    assert.equal(notRetriedReason('InvalidLogin'), null);
  });
});

describe('vCenter errors carry the verdict', () => {
  it('faults', () => {
    const login = new VimFaultError({ vcenter: 'vc1', operation: 'Login', faultName: 'InvalidLogin', faultMessage: 'Cannot complete login' });
    assert.equal(login.retryable, false);
    assert.equal(notRetriedReason(login), 'authentication failed');
    assert.equal(login.code, 'vcenter');
    const property = new VimFaultError({ vcenter: 'vc1', operation: 'RetrievePropertiesEx', faultName: 'InvalidProperty', faultMessage: '' });
    assert.equal(property.retryable, true);
    assert.equal(notRetriedReason(property), null);
  });

  it('socket and TLS failures, and timeouts', () => {
    const tls = connectionError('vc1', 'RetrieveServiceContent', errno('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'));
    assert.equal(notRetriedReason(tls), 'certificate not trusted: set vcenter_ca_file');
    assert.match(tls.message, /settings\.vcenter_ca_file/);
    assert.equal(notRetriedReason(connectionError('vc1', 'Login', errno('ECONNRESET'))), null);
    const timeout = timeoutError('vc1', 'RetrievePropertiesEx', 60_000);
    assert.equal(timeout.message, 'vCenter vc1: RetrievePropertiesEx timed out after 60 s (no answer; settings.vcenter_request_timeout_seconds)');
    assert.equal(timeout.timedOut, true);
    assert.equal(notRetriedReason(timeout), null);
    assert.match(timeoutError('vc1', 'Logout', 1500).message, /after 1500 ms/);
  });
});
