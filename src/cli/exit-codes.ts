// The one mapping from errors to exit statuses. Scripts and systemd units rely on it:
// 0 ok, 1 user or configuration error, 2 partial failure (some vCenters failed), 3 internal error,
// 4 the database was unavailable or refused the operation (src/store/database-errors.ts says why),
// 130/143 stopped by SIGINT/SIGTERM (what was in flight rolled back, the run recorded as interrupted).
import type { InterruptSignal, VctpErrorCode } from '../core/errors.js';

export const EXIT_OK = 0;
export const EXIT_USER_ERROR = 1;
export const EXIT_PARTIAL = 2;
export const EXIT_INTERNAL = 3;
/** The database was unreachable, locked, read-only, full or damaged, or refused the operation. */
export const EXIT_DATABASE = 4;
/** 128 + the signal's number, as a shell reports a process a signal ended. */
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;

/** `error`: the VctpError itself, which for 'interrupted' (an InterruptedError) carries the signal. */
export function exitCodeFor(code: VctpErrorCode, error?: { signal?: InterruptSignal }): number {
  switch (code) {
    case 'config':
    case 'usage':
    case 'not-found':
    case 'credentials':
    case 'lock':
    case 'closed':
      return EXIT_USER_ERROR;
    case 'vcenter':
    case 'partial':
      return EXIT_PARTIAL;
    case 'database':
      return EXIT_DATABASE;
    case 'internal':
      return EXIT_INTERNAL;
    case 'interrupted':
      return error?.signal === 'SIGINT' ? EXIT_SIGINT : EXIT_SIGTERM;
  }
}
