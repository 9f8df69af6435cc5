// Which vCenter failures a retry can fix. A network blip, a timeout or a busy server may be gone in
// five minutes; a wrong password, a missing privilege or a certificate this host does not trust
// will still be there, and every retried wrong password is one more failed login counted against
// the account by the directory's lockout policy. The one place that decides:
// src/vcenter marks its errors with it, src/jobs/snapshot.ts stops retrying on it.

/** The vim25 faults no retry fixes, with what the per-vCenter outcome says. */
const NOT_RETRIED_FAULTS: Readonly<Record<string, string>> = {
  InvalidLogin: 'authentication failed',
  NoPermission: 'permission denied: give the vCenter account read access',
};

const UNTRUSTED = 'certificate not trusted: set vcenter_ca_file';

/** Node's TLS verification codes (err.code of the socket error), with what the outcome says. */
const NOT_RETRIED_TLS: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: UNTRUSTED,
  SELF_SIGNED_CERT_IN_CHAIN: UNTRUSTED,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED,
  CERT_UNTRUSTED: UNTRUSTED,
  CERT_REJECTED: UNTRUSTED,
  CERT_SIGNATURE_FAILURE: UNTRUSTED,
  CERT_HAS_EXPIRED: 'certificate not trusted: it has expired (renew it on the vCenter, or check this host\'s clock)',
  CERT_NOT_YET_VALID: 'certificate not trusted: it is not valid yet (check this host\'s clock)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate not trusted: it does not name this host (use the name the certificate carries in vcenter_addresses)',
};

/** Why a vim25 fault is not retried, or null when a retry may help. */
export function faultNotRetried(faultName: string): string | null {
  return NOT_RETRIED_FAULTS[faultName] ?? null;
}

/** Why a TLS verification failure (Node's error code) is not retried, or null when the code is no such failure. */
export function tlsNotRetried(code: string): string | null {
  return NOT_RETRIED_TLS[code] ?? null;
}

/** True for the codes Node gives a certificate it could not verify. */
export function isTlsVerificationCode(code: string): boolean {
  return code in NOT_RETRIED_TLS;
}

/** An error that knows it is not worth retrying (src/vcenter's errors carry these two fields). */
export interface NotRetryable {
  retryable: false;
  notRetriedReason: string;
}

/** Why `error` must not be retried, or null when a retry may help (anything not marked so). */
export function notRetriedReason(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const marked = error as Partial<NotRetryable>;
  return marked.retryable === false && typeof marked.notRetriedReason === 'string' ? marked.notRetriedReason : null;
}
