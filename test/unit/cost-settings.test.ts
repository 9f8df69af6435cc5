// settings.rate_cards, cost_dimensions and report_cost_dimensions: accepted in the shape,
// and every mistake refused naming its entry and field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSettings, SettingsError } from '../../src/config/index.js';

const PATH = '/etc/dtms/vctp.yml';

function problemsOf(yamlText: string): readonly string[] {
  try {
    parseSettings(yamlText, PATH);
  } catch (error) {
    assert.ok(error instanceof SettingsError, `expected SettingsError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('expected the settings to be rejected');
}

const CARDS = `settings:
  rate_cards:
    - valid_from: 2026-01-01
      currency: EUR
      per: month
      tiers:
        gold:   { vcpu: 20, ram_gb: 5, disk_gb: 0.10, vm: 2 }
        silver: { vcpu: 14, ram_gb: 3.5, disk_gb: 0.08 }
      templates: 0
      srm_placeholders: 0
      node_charged: 0
    - valid_from: 2026-10-15
      currency: EUR
      per: hour
      tiers:
        none: { vcpu: 0.02 }
  cost_dimensions:
    - {name: tenant, from: "custom_attribute:Tenant", default: unassigned}
    - {name: cost_centre, from: "tag:CostCentre"}
    - {name: team, from: "folder_level: 2"}
  report_cost_dimensions: [tenant, tier]
`;

describe('cost settings', () => {
  it('loads the documented shape with defaults filled', () => {
    const { settings, warnings } = parseSettings(CARDS, PATH);
    assert.deepEqual(warnings, []);
    assert.equal(settings.rate_cards.length, 2);
    assert.deepEqual(settings.rate_cards[0]!.tiers.silver, { vcpu: 14, ram_gb: 3.5, disk_gb: 0.08, vm: 0 });
    assert.equal(settings.rate_cards[1]!.templates, 0);
    assert.deepEqual(settings.cost_dimensions[1], { name: 'cost_centre', from: 'tag:CostCentre', default: 'unassigned' });
    assert.deepEqual(settings.report_cost_dimensions, ['tenant', 'tier']);
  });

  it('defaults to no cards and no dimensions', () => {
    const { settings } = parseSettings('settings:\n', PATH);
    assert.deepEqual(settings.rate_cards, []);
    assert.deepEqual(settings.cost_dimensions, []);
  });

  it('names the entry and field of a bad price, tier, key or day', () => {
    const problems = problemsOf(`settings:
  rate_cards:
    - valid_from: 2026-01-01
      currency: EUR
      per: month
      tiers:
        gold: { vcpu: -1, ram_gb: 0.1234567, disk: 1 }
        platinum: { vcpu: 1 }
    - valid_from: 2026-02-30
      currency: eur
      per: week
      tiers: {}
      colour: red
`);
    const text = problems.join('\n');
    assert.match(text, /settings\.rate_cards\[0\]\.tiers\.gold\.vcpu: expected a number >= 0 with at most 6 decimals/);
    assert.match(text, /settings\.rate_cards\[0\]\.tiers\.gold\.ram_gb: expected a number >= 0 with at most 6 decimals/);
    assert.match(text, /settings\.rate_cards\[0\]\.tiers\.gold: unknown key "disk"/);
    assert.match(text, /settings\.rate_cards\[0\]\.tiers: unknown tier "platinum"/);
    assert.match(text, /settings\.rate_cards\[1\]\.valid_from: expected a UTC day YYYY-MM-DD/);
    assert.match(text, /settings\.rate_cards\[1\]\.currency: expected an ISO 4217 currency code/);
    assert.match(text, /settings\.rate_cards\[1\]\.per: expected one of month, hour/);
    assert.match(text, /settings\.rate_cards\[1\]: unknown key "colour"/);
  });

  it('refuses overlapping, unordered and mixed-currency cards', () => {
    const card = (day: string, currency = 'EUR') => `    - {valid_from: ${day}, currency: ${currency}, per: month}\n`;
    assert.match(problemsOf(`settings:\n  rate_cards:\n${card('2026-03-01')}${card('2026-03-01')}`).join('\n'), /rate_cards\[1\]\.valid_from: 2026-03-01 overlaps rate_cards\[0\]/);
    assert.match(problemsOf(`settings:\n  rate_cards:\n${card('2026-03-01')}${card('2026-01-01')}`).join('\n'), /rate_cards\[1\]\.valid_from: 2026-01-01 is before rate_cards\[0\]/);
    assert.match(problemsOf(`settings:\n  rate_cards:\n${card('2026-01-01')}${card('2026-03-01', 'USD')}`).join('\n'), /rate_cards\[1\]\.currency: USD differs from rate_cards\[0\] \(EUR\)/);
  });

  it('refuses bad dimensions and Cost sheets of unknown dimensions', () => {
    const text = problemsOf(`settings:
  cost_dimensions:
    - {name: tenant, from: "custom_attribute:Tenant"}
    - {name: tenant, from: "tag:Owner"}
    - {name: cluster, from: "tag:X"}
  report_cost_dimensions: [tenant, owner]
`).join('\n');
    assert.match(text, /cost_dimensions\[1\]\.name: tenant is already defined by entry 0/);
    assert.match(text, /cost_dimensions\[2\]\.name: cluster is a built-in dimension/);
    assert.match(text, /report_cost_dimensions\[1\]: owner is not a cost dimension/);
    const shapes = problemsOf(`settings:\n  cost_dimensions:\n    - {name: Team, from: "folder_level: 0"}\n`).join('\n');
    assert.match(shapes, /cost_dimensions\[0\]\.name: expected a name of lower-case letters/);
    assert.match(shapes, /cost_dimensions\[0\]\.from: expected custom_attribute:<name>, tag:<category> or "folder_level: N"/);
  });
});

describe('cost dimension names', () => {
  it('refuses a name an allocation row already uses for a figure', () => {
    const text = problemsOf('settings:\n  cost_dimensions:\n    - {name: cost, from: "tag:Cost"}\n    - {name: vms, from: "tag:X"}\n').join('\n');
    assert.match(text, /cost_dimensions\[0\]\.name: cost is a field of allocation rows/);
    assert.match(text, /cost_dimensions\[1\]\.name: vms is a field of allocation rows/);
  });
});
