// The one mapping from errors to HTTP statuses and the one JSON error body: the twin of
// src/cli/exit-codes.ts. A route never picks a status for a failure itself; it throws a VctpError
// and the app's error handler answers here.
//
// Body: { "error": { "status": 400, "code": "usage", "message": "...", "field": "query.view" } }
// (`field` only when one field is at fault).
import type { VctpErrorCode } from '../core/errors.js';

/** Codes only the server answers with: they are about the request, not about vctp's work. */
export type HttpOnlyCode = 'unauthenticated' | 'forbidden' | 'rate-limited' | 'directory-unavailable' | 'gone' | 'not-implemented' | 'unsupported-media-type';
export type ErrorCode = VctpErrorCode | HttpOnlyCode;

export interface ErrorBody {
  error: { status: number; code: ErrorCode; message: string; field?: string };
}

export function statusFor(code: VctpErrorCode): number {
  switch (code) {
    case 'usage':
      return 400;
    case 'not-found':
      return 404;
    case 'lock':
      return 409; // another run (CLI, timer or request) holds the job's lock: try again later
    case 'closed':
      return 409; // the month is closed: its figures are final until it is reopened
    case 'vcenter':
    case 'partial':
      return 502; // a vCenter failed, or some did: the body says which
    case 'database':
    case 'interrupted':
      return 503; // unavailable now (database fault, server shutting down), not the request's fault
    case 'config':
    case 'credentials':
    case 'internal':
      return 500;
  }
}

export function errorBody(status: number, code: ErrorCode, message: string, field?: string): ErrorBody {
  return { error: { status, code, message, ...(field ? { field } : {}) } };
}

/** A JSON error response; `headers` for WWW-Authenticate, Retry-After, Allow. */
export function errorResponse(status: number, code: ErrorCode, message: string, options: { field?: string; headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(errorBody(status, code, message, options.field)), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...options.headers },
  });
}
