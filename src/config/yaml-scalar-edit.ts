// Replaces one scalar under `settings:` in the YAML source, leaving every other byte as it was:
// comments, blank lines, quoting and key order elsewhere in the file are the operator's. Works on
// yaml's CST (concrete syntax tree), which keeps the source text of every token.
import { isDeepStrictEqual } from 'node:util';
import { CST, Parser, parseDocument, type Scalar } from 'yaml';

type Token = CST.Token;
type Item = CST.CollectionItem;

/** A key under settings:, or a path to a value nested in one (`['vcenters', 1, 'password']`). */
export type SettingPath = string | readonly (string | number)[];

export function replaceSettingScalar(text: string, path: SettingPath, expected: string, replacement: string): string {
  const steps = typeof path === 'string' ? [path] : path;
  const key = steps.map((step) => (typeof step === 'number' ? `[${step}]` : step)).join('.').replaceAll('.[', '[');
  const tokens = [...new Parser().parse(text)];
  const documents = tokens.filter((t): t is CST.Document => t.type === 'document');
  if (documents.length !== 1) throw new Error('the file does not hold exactly one YAML document');
  let parent = findItem(documents[0]!.value, 'settings');
  let item: Item | undefined = parent;
  for (const step of steps) {
    parent = item;
    item = typeof step === 'number' ? findEntry(item?.value, step) : findItem(item?.value, step);
  }
  const settings = parent;
  const token = item?.value;
  if (item === undefined || token === undefined) throw new Error(`settings.${key} is not in the file`);
  const current = CST.resolveAsScalar(token);
  if (current === null) throw new Error(`settings.${key} is not a plain or quoted value (an alias or a collection)`);
  if (current.value !== expected) throw new Error(`settings.${key} changed in the file since it was read`);

  const offset = token.offset;
  CST.setScalarValue(token, replacement, {
    afterKey: true,
    inFlow: settings?.value?.type === 'flow-collection',
    // A block scalar (| or >) would add a line break to the value; quotes keep it exact.
    type: keepableType(current.type),
  });
  const updated = tokens.map((t) => CST.stringify(t)).join('');
  verifyOnlyThatChanged(text, updated, steps, key, replacement, offset);
  return updated;
}

function findItem(token: Token | null | undefined, name: string): Item | undefined {
  if (token?.type !== 'block-map' && token?.type !== 'flow-collection') return undefined;
  return token.items.find((item) => CST.resolveAsScalar(item.key ?? null)?.value === name);
}

function findEntry(token: Token | null | undefined, index: number): Item | undefined {
  if (token?.type !== 'block-seq' && token?.type !== 'flow-collection') return undefined;
  return token.items[index];
}

function keepableType(type: Scalar.Type | null): Scalar.Type {
  return type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE' ? type : type === 'PLAIN' ? 'PLAIN' : 'QUOTE_DOUBLE';
}

// Belt and braces before a credential file is replaced: everything before the value is
// byte-identical, and the document means the same except for the one key.
function verifyOnlyThatChanged(before: string, after: string, steps: readonly (string | number)[], key: string, replacement: string, offset: number): void {
  const expected = toJs(before) as { settings: Record<string | number, unknown> };
  let holder = expected.settings;
  for (const step of steps.slice(0, -1)) holder = holder[step] as Record<string | number, unknown>;
  holder[steps.at(-1)!] = replacement;
  if (!after.startsWith(before.slice(0, offset)) || !isDeepStrictEqual(toJs(after), expected)) {
    throw new Error(`rewriting settings.${key} would change more than that value`);
  }
}

// yaml's own error messages quote the offending source line, which may be the credential.
function toJs(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) throw new Error('the settings file no longer parses as YAML');
  return doc.toJS();
}
