// A failed zod parse of a request, in words: the first issue, named by where it is
// (query.view, body.date, param.kind) and what was expected, instead of a raw issue dump.
import type { z } from '@hono/zod-openapi';

/** hono's validation targets, as a client would name them. */
const TARGET_NAMES: Record<string, string> = { query: 'query', json: 'body', param: 'param', form: 'body', header: 'header', cookie: 'cookie' };

/** `input`: what was validated (the parsed query or body), to tell a missing field from a wrong one. */
export function validationMessage(target: string, error: z.ZodError, input?: unknown): { field: string; message: string } {
  const issue = error.issues[0];
  const base = TARGET_NAMES[target] ?? target;
  if (!issue) return { field: base, message: `${base}: invalid` };
  const field = [base, ...issue.path.map(String)].join('.');
  const missing = (issue.code === 'invalid_type' || issue.code === 'invalid_value') && valueAt(input, issue.path) === undefined;
  return { field, message: `${field}: ${missing ? 'is required' : describe(issue)}` };
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `expected one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'too_small':
      return issue.origin === 'string' ? `must be at least ${issue.minimum} characters` : `must be >= ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string' ? `must be at most ${issue.maximum} characters` : `must be <= ${issue.maximum}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}`;
    default:
      return issue.message;
  }
}
