// A VM's custom attributes and tags as one value: the canonical JSON text that vm_attribute_sets
// stores once and spans share by id (README "Storage: state spans"). One text per set, so that
// equal sets are equal strings: the capture compares and deduplicates them as strings, and every
// reader (allocation, reports) parses the same form back with parseAttributeSet.
//
// The form: a JSON object whose keys are sorted (by UTF-16 code units, as JavaScript compares
// strings), `custom_attribute:<field name>` -> value and `tag:<category name>` -> tag name; several
// tags of one category are their names sorted, duplicates dropped, joined with ", ". An empty value
// is no value (vCenter shows a cleared custom attribute as empty), so it is left out; the empty set
// is `{}`, which is never stored (attributes_id 0).
import { VctpError } from './errors.js';

export const NO_ATTRIBUTES = '{}';
export const CUSTOM_ATTRIBUTE_PREFIX = 'custom_attribute:';
export const TAG_PREFIX = 'tag:';
/** How several tags of one category read as one value. */
export const TAG_SEPARATOR = ', ';

/** Custom attribute name -> value, as read from vCenter. (Maps, not objects: a name may be anything.) */
export type CustomAttributes = ReadonlyMap<string, string>;
/** Tag category name -> names of the tags of that category attached to the VM. */
export type TagsByCategory = ReadonlyMap<string, readonly string[]>;

/** The canonical text of a set of key -> value pairs (empty values left out); `{}` when none remain. */
export function attributeSetKey(pairs: Iterable<readonly [string, string]> | Readonly<Record<string, string>>): string {
  const entries = isIterable(pairs) ? [...pairs] : Object.entries(pairs);
  const kept = entries.filter(([, value]) => value !== '');
  if (kept.length === 0) return NO_ATTRIBUTES;
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let text = '{';
  for (let i = 0; i < kept.length; i++) {
    const [key, value] = kept[i]!;
    if (i > 0) {
      if (key === kept[i - 1]![0]) throw new VctpError('internal', `attribute set with the key ${JSON.stringify(key)} twice`);
      text += ',';
    }
    // Built by hand rather than JSON.stringify(object): an object puts integer-like keys first.
    text += `${JSON.stringify(key)}:${JSON.stringify(value)}`;
  }
  return `${text}}`;
}

/** A stored set back as key -> value; `what` names where the text came from, for the error. */
export function parseAttributeSet(text: string, what = 'vm_attribute_sets.attributes'): ReadonlyMap<string, string> {
  if (text === NO_ATTRIBUTES) return new Map();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new VctpError('database', `${what}: expected a JSON object, got ${JSON.stringify(text.slice(0, 80))}`);
  }
  const map = new Map<string, string>();
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') throw new VctpError('database', `${what}: the value of ${JSON.stringify(key)} is not a string`);
    map.set(key, value);
  }
  return map;
}

/** Several tag names of one category as one value: sorted, duplicates dropped, joined. */
export function tagValue(names: readonly string[]): string {
  if (names.length === 1) return names[0]!; // nearly always: one tag per category
  return [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(TAG_SEPARATOR);
}

/**
 * A VM's set from what this capture read. `null` (or absent) for a source means it was not read
 * this time (the tagging endpoint failed, the field names could not be read): that source's part
 * of `previous` (the VM's open span's set) carries forward unchanged, so that an endpoint that
 * blinked does not open a span for every VM.
 */
export function attributeSetOf(
  customAttributes: CustomAttributes | null | undefined,
  tags: TagsByCategory | null | undefined,
  previous: string = NO_ATTRIBUTES,
): string {
  if (customAttributes?.size === 0 && tags?.size === 0) return NO_ATTRIBUTES;
  const pairs: [string, string][] = [];
  const carried = customAttributes == null || tags == null ? parseAttributeSet(previous, 'previous attribute set') : null;
  if (customAttributes != null) {
    for (const [name, value] of customAttributes) pairs.push([CUSTOM_ATTRIBUTE_PREFIX + name, value]);
  } else {
    for (const pair of carried!) if (pair[0].startsWith(CUSTOM_ATTRIBUTE_PREFIX)) pairs.push(pair);
  }
  if (tags != null) {
    for (const [category, names] of tags) pairs.push([TAG_PREFIX + category, tagValue(names)]);
  } else {
    for (const pair of carried!) if (pair[0].startsWith(TAG_PREFIX)) pairs.push(pair);
  }
  return attributeSetKey(pairs);
}

function isIterable(value: unknown): value is Iterable<readonly [string, string]> {
  return typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}
