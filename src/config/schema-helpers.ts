// Small zod builders for settings fields. Each carries the "expected ..." text that the problem
// list shows (`settings.bind_port: expected an integer 1-65535, got "x"`), and each first unwraps a
// YamlScalar (an unquoted number or boolean, yaml-values.ts): numeric and boolean fields take its
// typed value; string fields refuse it, unless told to take its source text (see ScalarPolicy).
import { isIP } from 'node:net';
import { z } from 'zod';
import { YamlScalar } from './yaml-values.js';

const typed = (value: unknown): unknown => (value instanceof YamlScalar ? value.value : value);
const text = (value: unknown): unknown => (value instanceof YamlScalar ? value.source : value);

/**
 * What a string field does with an unquoted number or boolean (`reports_dir: 42`, `title: true`):
 * - 'reject' (the default): a type error naming the key. Where a path, URL, name or word is
 *   expected, a number is a mistake (a value under the wrong key, a lost quote), and Go's reading
 *   of it as the directory "42" would silently mean something else. `reports_dir: "42"` is text.
 * - 'as-written': the source text, exactly as written (`0123` stays "0123", as Go's yaml.v3 reads
 *   it), for values that are opaque text which may well be all digits: credentials, and the name
 *   patterns matched against vSphere names.
 */
export type ScalarPolicy = 'reject' | 'as-written';

const scalarInput = (policy: ScalarPolicy) => (policy === 'as-written' ? text : (value: unknown) => value);

export function str(expected = 'expected a string', scalars: ScalarPolicy = 'reject') {
  return z.preprocess(scalarInput(scalars), z.string({ error: expected }));
}

export function nonEmptyStr(expected = 'expected a non-empty string', scalars: ScalarPolicy = 'reject') {
  return z.preprocess(scalarInput(scalars), z.string({ error: expected }).min(1, { error: expected }));
}

/** A string checked by `valid`, for forms zod has no builder for (URLs of a given scheme, cells). */
export function strWhere(expected: string, valid: (value: string) => boolean, scalars: ScalarPolicy = 'reject') {
  return z.preprocess(scalarInput(scalars), z.string({ error: expected }).refine(valid, { error: expected }));
}

// Go's yaml.v3 still accepts YAML 1.1 booleans when the target field is a bool; a file written for
// the original system may hold them.
const YAML11_BOOLEANS: Record<string, boolean> = { true: true, false: false, yes: true, no: false, on: true, off: false };

export function bool() {
  const expected = 'expected true or false';
  return z.preprocess((value) => {
    const v = typed(value);
    return typeof v === 'string' ? (YAML11_BOOLEANS[v.trim().toLowerCase()] ?? v) : v;
  }, z.boolean({ error: expected }));
}

export function int(min: number, max?: number) {
  const expected = max === undefined ? `expected an integer >= ${min}` : `expected an integer ${min}-${max}`;
  const base = z.number({ error: expected }).int({ error: expected }).min(min, { error: expected });
  return z.preprocess(typed, max === undefined ? base : base.max(max, { error: expected }));
}

/** A closed set of words, case-insensitive; `aliases` maps accepted spellings onto members. */
export function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
  aliases: Readonly<Record<string, T[number]>> = {},
) {
  const alsoAccepted = Object.keys(aliases);
  const expected = `expected one of ${values.join(', ')}${alsoAccepted.length > 0 ? ` (also accepted: ${alsoAccepted.join(', ')})` : ''}`;
  return z.preprocess((value) => {
    const v = text(value);
    if (typeof v !== 'string') return v;
    const word = v.trim().toLowerCase();
    // Normalise only a match, so a mistake is reported as written.
    return aliases[word] ?? ((values as readonly string[]).includes(word) ? word : v);
  }, z.enum(values, { error: expected }));
}

export function list<T extends z.ZodType>(item: T, expected = 'expected a list') {
  return z.preprocess(typed, z.array(item, { error: expected }));
}

export function stringList() {
  return list(str(), 'expected a list of strings');
}

export function mapping<T extends z.ZodRawShape>(shape: T, expected = 'expected a mapping') {
  return z.preprocess(typed, z.object(shape, { error: expected }));
}

export function record<T extends z.ZodType>(value: T, expected = 'expected a mapping') {
  return z.preprocess(typed, z.record(z.string(), value, { error: expected }));
}

export function isHttpUrl(value: string): boolean {
  return hasScheme(value, ['http:', 'https:']);
}

export function hasScheme(value: string, schemes: readonly string[]): boolean {
  try {
    const url = new URL(value);
    return schemes.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

export function isIpAddress(value: string): boolean {
  return isIP(value) !== 0;
}

/** Standard or URL-safe base64, padding optional: key generators differ on both. */
export function isBase64(value: string): boolean {
  return value.length % 4 !== 1 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(value);
}
