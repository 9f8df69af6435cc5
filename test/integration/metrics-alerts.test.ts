// contrib/prometheus/vctp-alerts.yml is valid (`promtool check rules`), its unit tests pass
// (`promtool test rules`: the stale-snapshot, failed-snapshot, aggregation-overdue and
// pending-report alerts fire when they should and not before), and every metric it names is one
// vctp writes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FAMILIES } from '../../src/metrics/families.js';
import { promtool as runPromtool } from './metrics-promtool.js';

const DIR = fileURLToPath(new URL('../../contrib/prometheus/', import.meta.url));
const promtool = (...args: string[]) => runPromtool(args, { cwd: DIR });

describe('vctp alert rules', () => {
  it('pass promtool check rules', () => {
    const { status, output } = promtool('check', 'rules', 'vctp-alerts.yml');
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS: 9 rules found/);
  });

  it('pass their promtool unit tests', () => {
    const { status, output } = promtool('test', 'rules', 'vctp-alerts.test.yml');
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS/);
  });

  it('name only metrics vctp writes, and every alert has a severity, a summary and a description', () => {
    const text = readFileSync(`${DIR}vctp-alerts.yml`, 'utf8');
    const known = new Set(FAMILIES.map((f) => f.name));
    const used = new Set([...text.matchAll(/\bvctp_[a-z_]+\b(?!\.prom)/g)].map((m) => m[0]));
    for (const name of used) assert.ok(known.has(name), `${name} is not a vctp metric`);
    assert.ok(used.has('vctp_vcenter_last_snapshot_timestamp_seconds') && used.has('vctp_hourly_snapshots_failed_total'));
    const alerts = text.split(/^\s+- alert: /m).slice(1);
    assert.equal(alerts.length, 9);
    for (const alert of alerts) {
      const name = alert.split('\n')[0];
      assert.match(alert, /^\s+severity: (critical|warning)$/m, `${name} severity`);
      assert.match(alert, /^\s+summary: /m, `${name} summary`);
      assert.match(alert, /^\s+description: /m, `${name} description`);
    }
  });
});
