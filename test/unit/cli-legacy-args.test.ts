import assert from 'node:assert/strict';
import { it } from 'node:test';
import { translateLegacyArgs } from '../../src/cli/legacy-args.js';

it('rewrites the original single-dash flags to subcommands and options', () => {
  assert.deepEqual(translateLegacyArgs(['-settings', '/etc/dtms/vctp.yml', '-run-inventory']), ['--settings', '/etc/dtms/vctp.yml', 'snapshot']);
  assert.deepEqual(translateLegacyArgs(['-settings=/x.yml', '-db-cleanup']), ['--settings', '/x.yml', 'db', 'cleanup']);
  assert.deepEqual(translateLegacyArgs(['-backfill-vcenter-cache', '-settings', 'a.yml']), ['--settings', 'a.yml', 'backfill']);
  assert.deepEqual(translateLegacyArgs(['-settings', 'a.yml', '-benchmark-aggregations', '-benchmark-runs', '5']), [
    '--settings',
    'a.yml',
    'benchmark',
    'aggregations',
    '--runs',
    '5',
  ]);
  assert.deepEqual(translateLegacyArgs(['status', '--json']), ['status', '--json']);
});

it('refuses two actions at once and a flag without its value', () => {
  assert.throws(() => translateLegacyArgs(['-run-inventory', '-db-cleanup']), /only one action flag/);
  assert.throws(() => translateLegacyArgs(['-settings']), /-settings: expected a file path/);
});
