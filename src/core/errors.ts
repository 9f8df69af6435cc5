// The one error type of vctp. Its code decides the exit status (src/cli/exit-codes.ts) and, in
// `serve`, the HTTP status: each mapping lives in exactly one place.

export type VctpErrorCode =
  | 'config' // the settings file or a setting is wrong
  | 'usage' // a flag or argument is wrong
  | 'not-found' // what a flag, argument or request names does not exist (a VM, a report file)
  | 'credentials' // a stored credential cannot be decrypted or is unusable
  | 'vcenter' // a vCenter refused, faulted or could not be reached
  | 'database' // the database is unreachable, locked, full, damaged or refused an operation
  | 'lock' // another run holds the job lock
  | 'closed' // the month is closed (`vctp month close`): its figures are final until `vctp month reopen`
  | 'partial' // some units of work failed, the others committed
  | 'interrupted' // SIGINT or SIGTERM stopped the run (an InterruptedError says which)
  | 'internal'; // a bug

export class VctpError extends Error {
  readonly code: VctpErrorCode;

  constructor(code: VctpErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VctpError';
    this.code = code;
  }
}

export function isVctpError(error: unknown): error is VctpError {
  return error instanceof VctpError;
}

/** The signals that stop a run cleanly: what was in flight rolls back, the lock is released. */
export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/** A run stopped by a signal. Its exit status is 128 + the signal's number (130, 143). */
export class InterruptedError extends VctpError {
  readonly signal: InterruptSignal;

  constructor(signal: InterruptSignal) {
    super('interrupted', `interrupted by ${signal}: what was in flight was rolled back`);
    this.signal = signal;
  }
}
