// Turns the parsed YAML document into plain values for validation, with two twists:
// - A non-string scalar keeps its source text (YamlScalar), because Go's yaml.v3 decodes an
//   unquoted `vcenter_password: 0123` into the string "0123" while YAML 1.2 makes it the number
//   123. String settings take the source text, numeric settings the typed value.
// - Mappings become null-prototype objects, so a `__proto__:` key is just an (unknown) key.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

export class YamlScalar {
  constructor(
    readonly value: number | boolean | bigint,
    readonly source: string,
  ) {}
}

export type YamlValue = string | null | YamlScalar | YamlValue[] | { [key: string]: YamlValue };

/** Aliases can expand a tiny file into a huge tree ("billion laughs"); no real settings file comes close. */
const MAX_VALUES = 100_000;

export function documentToValues(doc: Document): YamlValue {
  let budget = MAX_VALUES;
  const convert = (node: unknown, depth: number): YamlValue => {
    if (--budget < 0 || depth > 64) throw new Error('the document is too large or too deeply nested');
    if (isAlias(node)) return convert(node.resolve(doc), depth + 1);
    if (isMap(node)) {
      const out = Object.create(null) as { [key: string]: YamlValue };
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        out[keyText(pair.key, doc)] = convert(pair.value, depth + 1);
      }
      return out;
    }
    if (isSeq(node)) return node.items.map((item) => convert(item, depth + 1));
    if (isScalar(node)) {
      const value: unknown = node.value;
      if (value === null || value === undefined) return null;
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
        return new YamlScalar(value, node.source ?? String(value));
      }
      return String(value);
    }
    return null; // an empty value (`key:` with nothing after it)
  };
  return convert(doc.contents, 0);
}

function keyText(key: unknown, doc: Document): string {
  if (isAlias(key)) return keyText(key.resolve(doc), doc);
  if (isScalar(key)) return key.source ?? String(key.value);
  return String(key);
}

/** "line 3, column 7" for a source offset. */
export function describePosition(lineCounter: LineCounter, offset: number): string {
  const { line, col } = lineCounter.linePos(offset);
  return `line ${line}, column ${col}`;
}

export function isMapping(value: unknown): value is { [key: string]: YamlValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof YamlScalar);
}
