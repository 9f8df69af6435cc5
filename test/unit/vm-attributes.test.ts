import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { VctpError } from '../../src/core/errors.js';
import { attributeSetKey, attributeSetOf, NO_ATTRIBUTES, parseAttributeSet, tagValue } from '../../src/core/vm-attributes.js';

describe('attribute sets: the canonical form', () => {
  it('sorts keys, leaves empty values out and gives {} for nothing', () => {
    assert.equal(attributeSetKey({ 'tag:Env': 'prod', 'custom_attribute:Tenant': 'acme', 'custom_attribute:Owner': '' }), '{"custom_attribute:Tenant":"acme","tag:Env":"prod"}');
    assert.equal(attributeSetKey([]), NO_ATTRIBUTES);
    assert.equal(attributeSetKey({ 'custom_attribute:Tenant': '' }), NO_ATTRIBUTES);
  });
  it('keeps integer-like keys in sorted order and escapes what JSON must', () => {
    assert.equal(attributeSetKey([['b', '1'], ['10', 'x'], ['2', 'y']]), '{"10":"x","2":"y","b":"1"}');
    assert.equal(attributeSetKey([['custom_attribute:Note', 'say "hi"\n\\ café']]), '{"custom_attribute:Note":"say \\"hi\\"\\n\\\\ café"}');
  });
  it('refuses a key given twice', () => {
    assert.throws(() => attributeSetKey([['a', '1'], ['a', '2']]), /twice/);
  });
  it('joins several tags of one category sorted, without duplicates', () => {
    assert.equal(tagValue(['prod', 'dr', 'prod']), 'dr, prod');
    assert.equal(tagValue([]), '');
  });
  it('parses what it builds, for any keys and values', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string()), (record) => {
        const text = attributeSetKey(new Map(Object.entries(record)));
        const parsed = parseAttributeSet(text);
        const expected = Object.entries(record).filter(([, v]) => v !== '');
        assert.deepEqual(Object.fromEntries(parsed), Object.fromEntries(expected));
        assert.equal(attributeSetKey(parsed), text); // canonical: one text per set
      }),
    );
  });
  it('names the column when a stored set is not an object of strings', () => {
    for (const bad of ['[]', 'null', '{"a":1}', 'not json']) {
      assert.throws(() => parseAttributeSet(bad), (e: unknown) => e instanceof VctpError && /vm_attribute_sets\.attributes/.test(e.message));
    }
  });
});

describe('attribute sets: a VM in one capture', () => {
  const custom = (entries: [string, string][]) => new Map(entries);
  const tags = (entries: [string, string[]][]) => new Map(entries);
  it('prefixes custom attributes and tag categories', () => {
    assert.equal(
      attributeSetOf(custom([['Tenant', 'acme']]), tags([['CostCentre', ['CC-100']], ['Env', ['test', 'dr']]])),
      '{"custom_attribute:Tenant":"acme","tag:CostCentre":"CC-100","tag:Env":"dr, test"}',
    );
  });
  it('carries forward the part that was not read, and only that part', () => {
    const previous = '{"custom_attribute:Tenant":"acme","tag:Env":"prod"}';
    assert.equal(attributeSetOf(custom([['Tenant', 'globex']]), null, previous), '{"custom_attribute:Tenant":"globex","tag:Env":"prod"}');
    assert.equal(attributeSetOf(null, tags([]), previous), '{"custom_attribute:Tenant":"acme"}');
    assert.equal(attributeSetOf(undefined, undefined, previous), previous);
    assert.equal(attributeSetOf(null, null), NO_ATTRIBUTES); // a new VM with nothing read has nothing
  });
  it('a custom attribute and a tag category of the same name are two keys', () => {
    assert.equal(attributeSetOf(custom([['Env', 'x']]), tags([['Env', ['y']]])), '{"custom_attribute:Env":"x","tag:Env":"y"}');
  });
});
