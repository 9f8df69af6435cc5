// The one mapping from errors to exit statuses (CONVENTIONS.md). Scripts and systemd units rely on it:
// 0 ok, 1 user or configuration error, 2 partial failure (some vCenters failed), 3 internal error.
import type { VctpErrorCode } from '../core/errors.js';

export const EXIT_OK = 0;
export const EXIT_USER_ERROR = 1;
export const EXIT_PARTIAL = 2;
export const EXIT_INTERNAL = 3;

export function exitCodeFor(code: VctpErrorCode): number {
  switch (code) {
    case 'config':
    case 'usage':
    case 'credentials':
    case 'store':
    case 'lock':
      return EXIT_USER_ERROR;
    case 'vcenter':
    case 'partial':
      return EXIT_PARTIAL;
    case 'internal':
      return EXIT_INTERNAL;
  }
}
