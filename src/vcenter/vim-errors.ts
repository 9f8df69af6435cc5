// Every way a vCenter call fails becomes a VctpError('vcenter') whose message names the vCenter
// and the operation, so an operator reading one log line knows where to look. SOAP faults keep
// their vim25 fault name (InvalidLogin, NotAuthenticated, ...) for callers that branch on it.
import { VctpError } from '../core/errors.js';
import { asObject, asString, isVimObject, type VimValue } from './vim-values.js';

export class VimFaultError extends VctpError {
  readonly vcenter: string;
  readonly operation: string;
  /** vim25 fault type, e.g. 'InvalidLogin', 'NotAuthenticated', 'InvalidProperty'. */
  readonly faultName: string;
  /** The server's faultstring / localizedMessage, when it sent one. */
  readonly faultMessage: string;
  /** The parsed fault detail object, for callers that need its fields. */
  readonly detail: VimValue | undefined;

  constructor(args: {
    vcenter: string;
    operation: string;
    faultName: string;
    faultMessage: string;
    detail?: VimValue | undefined;
    message?: string;
  }) {
    const text = args.faultMessage ? `: ${args.faultMessage}` : '';
    super('vcenter', args.message ?? `vCenter ${args.vcenter}: ${args.operation} failed with ${args.faultName}${text}`);
    this.name = 'VimFaultError';
    this.vcenter = args.vcenter;
    this.operation = args.operation;
    this.faultName = args.faultName;
    this.faultMessage = args.faultMessage;
    this.detail = args.detail;
  }
}

export function isVimFault(error: unknown, faultName?: string): error is VimFaultError {
  return error instanceof VimFaultError && (faultName === undefined || error.faultName === faultName);
}

/**
 * The fault name of a parsed `<soapenv:Fault>`: the detail element's xsi:type (`InvalidLogin`),
 * else its element name without the WSDL's `Fault` suffix (`InvalidLoginFault`).
 */
export function faultFromSoap(vcenter: string, operation: string, fault: VimValue): VimFaultError {
  const f = asObject(fault) ?? {};
  const faultMessage = asString(f['faultstring']) ?? '';
  const detail = asObject(f['detail']);
  let faultName = 'SoapFault';
  let detailValue: VimValue | undefined;
  if (detail) {
    for (const [key, value] of Object.entries(detail)) {
      if (key === '$type' || value === undefined) continue;
      const typed = isVimObject(value) ? value.$type : undefined;
      faultName = typed ?? key.replace(/Fault$/, '');
      detailValue = value;
      break;
    }
  } else {
    faultName = asString(f['faultcode'])?.replace(/^.*:/, '') ?? faultName;
  }
  return new VimFaultError({ vcenter, operation, faultName, faultMessage, detail: detailValue });
}

/** A task's LocalizedMethodFault (TaskInfo.error) as an error. */
export function faultFromMethodFault(vcenter: string, operation: string, error: VimValue | undefined): VimFaultError {
  const lmf = asObject(error) ?? {};
  const fault = asObject(lmf['fault']);
  const faultName = fault?.$type ?? 'MethodFault';
  const faultMessage = asString(lmf['localizedMessage']) ?? '';
  return new VimFaultError({ vcenter, operation, faultName, faultMessage, detail: fault ?? undefined });
}

const TLS_VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Low-level (socket, TLS, DNS) failure of one call, as an operator-readable VctpError. */
export function connectionError(vcenter: string, operation: string, error: unknown): VctpError {
  if (error instanceof VctpError) return error;
  const err = error as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : '';
  const detail = err instanceof Error ? err.message : String(error);
  if (TLS_VERIFY_CODES.has(code)) {
    return new VctpError(
      'vcenter',
      `vCenter ${vcenter}: TLS certificate verification failed during ${operation} (${code}: ${detail}). ` +
        "Trust the certificate's issuing CA with settings.vcenter_ca_file (a PEM file), " +
        'or set settings.vcenter_insecure: true to skip verification.',
      { cause: error },
    );
  }
  const why = DESCRIPTIONS[code] ?? 'connection failed';
  return new VctpError('vcenter', `vCenter ${vcenter}: ${operation}: ${why} (${code || detail}${code ? `: ${detail}` : ''})`, {
    cause: error,
  });
}

const DESCRIPTIONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  EPIPE: 'connection closed by the server',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ERR_STREAM_PREMATURE_CLOSE: 'response cut short',
};

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
