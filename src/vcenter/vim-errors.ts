// Every way a vCenter call fails becomes a VctpError('vcenter') whose message names the vCenter
// and the operation, so an operator reading one log line knows where to look. SOAP faults keep
// their vim25 fault name (InvalidLogin, NotAuthenticated, ...) for callers that branch on it.
// Each error also says whether a retry can help (src/core/vcenter-fault.ts decides): a wrong
// password or an untrusted certificate is not retried.
import { VctpError } from '../core/errors.js';
import { faultNotRetried, isTlsVerificationCode, tlsNotRetried } from '../core/vcenter-fault.js';
import { asObject, asString, isVimObject, type VimValue } from './vim-values.js';

/** One failed call to one vCenter. */
export class VcenterCallError extends VctpError {
  readonly vcenter: string;
  readonly operation: string;
  /** False when no retry can fix it (src/core/vcenter-fault.ts); notRetriedReason then says why. */
  readonly retryable: boolean;
  readonly notRetriedReason: string | null;
  /** The call got no answer within its timeout (or was not sent: the vCenter had stopped answering). */
  readonly timedOut: boolean;

  constructor(args: {
    vcenter: string;
    operation: string;
    message: string;
    notRetriedReason?: string | null;
    timedOut?: boolean;
    cause?: unknown;
  }) {
    super('vcenter', args.message, args.cause === undefined ? undefined : { cause: args.cause });
    // name stays 'VctpError' (what these errors were called before they said whether to retry).
    this.vcenter = args.vcenter;
    this.operation = args.operation;
    this.notRetriedReason = args.notRetriedReason ?? null;
    this.retryable = this.notRetriedReason === null;
    this.timedOut = args.timedOut ?? false;
  }
}

export class VimFaultError extends VcenterCallError {
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
    super({
      vcenter: args.vcenter,
      operation: args.operation,
      message: args.message ?? `vCenter ${args.vcenter}: ${args.operation} failed with ${args.faultName}${text}`,
      notRetriedReason: faultNotRetried(args.faultName),
    });
    this.name = 'VimFaultError';
    this.faultName = args.faultName;
    this.faultMessage = args.faultMessage;
    this.detail = args.detail;
  }
}

/** A call that got no answer in time: `vCenter vc1: RetrievePropertiesEx timed out after 60 s`. */
export function timeoutError(vcenter: string, operation: string, timeoutMs: number, cause?: unknown): VcenterCallError {
  return new VcenterCallError({
    vcenter,
    operation,
    message: `vCenter ${vcenter}: ${operation} timed out after ${durationText(timeoutMs)} (no answer; settings.vcenter_request_timeout_seconds)`,
    timedOut: true,
    cause,
  });
}

function durationText(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
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

/** Low-level (socket, TLS, DNS) failure of one call, as an operator-readable VctpError. */
export function connectionError(vcenter: string, operation: string, error: unknown): VctpError {
  if (error instanceof VctpError) return error;
  const err = error as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : '';
  const detail = err instanceof Error ? err.message : String(error);
  if (isTlsVerificationCode(code)) {
    return new VcenterCallError({
      vcenter,
      operation,
      message:
        `vCenter ${vcenter}: TLS certificate verification failed during ${operation} (${code}: ${detail}). ` +
        "Trust the certificate's issuing CA with settings.vcenter_ca_file (a PEM file), " +
        'or set settings.vcenter_insecure: true to skip verification.',
      notRetriedReason: tlsNotRetried(code),
      cause: error,
    });
  }
  const why = DESCRIPTIONS[code] ?? 'connection failed';
  return new VcenterCallError({
    vcenter,
    operation,
    message: `vCenter ${vcenter}: ${operation}: ${why} (${code || detail}${code ? `: ${detail}` : ''})`,
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
