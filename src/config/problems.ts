// How settings problems read: `settings.report_summary_pivots[1].metric: expected one of ..., got "x"`.
// Every problem names its key path so the operator can find it without a line number.
import type { z } from 'zod';
import { VctpError } from '../core/errors.js';
import { YamlScalar } from './yaml-values.js';

export type KeyPath = readonly PropertyKey[];

/** Thrown for any invalid settings file; `problems` holds the lines of the message. */
export class SettingsError extends VctpError {
  readonly problems: readonly string[];

  constructor(path: string, problems: readonly string[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super('config', `${path}: ${count} in the settings file:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'SettingsError';
    this.problems = problems;
  }
}

export function formatKeyPath(path: KeyPath): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (typeof step === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(step)) out += out === '' ? step : `.${step}`;
    else out += `[${JSON.stringify(String(step))}]`;
  }
  return out;
}

export function describeValue(value: unknown): string {
  if (value instanceof YamlScalar) return value.source;
  if (value === null) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** One line per zod issue, under `prefix` (the key path of the value that was parsed). */
export function issueLines(prefix: KeyPath, issues: readonly z.core.$ZodIssue[], secret: boolean): string[] {
  return issues.map((issue) => {
    const where = formatKeyPath([...prefix, ...issue.path]);
    if (issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) return `${where}: is required (${issue.message})`;
    // An unquoted number or boolean where text is expected (schema-helpers.ts ScalarPolicy).
    if (issue.code === 'invalid_type' && issue.input instanceof YamlScalar) {
      const kind = typeof issue.input.value === 'boolean' ? 'boolean' : 'number';
      if (secret) return `${where}: ${issue.message}, got a ${kind} (quote the value if it is meant as text)`;
      return `${where}: ${issue.message}, got the ${kind} ${issue.input.source} (write ${JSON.stringify(issue.input.source)}, in quotes, if that text is meant)`;
    }
    // A secret's value stays out of messages even when it is the thing that is wrong.
    if (secret || issue.code === 'unrecognized_keys' || issue.input === undefined) return `${where}: ${issue.message}`;
    return `${where}: ${issue.message}, got ${describeValue(issue.input)}`;
  });
}
