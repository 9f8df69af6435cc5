// Where `vctp demo` keeps its things: DIR holds the settings, the SQLite database, the metrics
// textfiles and the simulator's certificates and log; the workbooks go to the reports directory
// (the checkout's reports/ by default). Each run starts over in DIR: an old database would refuse
// snapshot times not later than its latest. Only the demo's own files are removed, never DIR.
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { VctpError } from '../../core/errors.js';
import { ensureDirectorySync } from '../../files/ensure-directory.js';
import { join } from 'node:path';

export interface DemoPaths {
  dir: string;
  settings: string;
  database: string;
  metricsDir: string;
  certDir: string;
  simulatorLog: string;
  reportsDir: string;
}

export function demoPaths(dir: string, reportsDir: string): DemoPaths {
  return {
    dir,
    settings: join(dir, 'vctp.yml'),
    database: join(dir, 'db.sqlite3'),
    metricsDir: join(dir, 'metrics'),
    certDir: join(dir, 'certs'),
    simulatorLog: join(dir, 'vcsim.log'),
    reportsDir,
  };
}

/** Removes what an earlier demo left in DIR (its files only) and creates the directories. */
export function prepareDemoDir(paths: DemoPaths): void {
  // Not mkdirSync({ recursive: true }): it spins forever under /proc (src/core/directory-walk.ts).
  try {
    ensureDirectorySync(paths.dir);
  } catch (error) {
    throw new VctpError('usage', `--dir ${paths.dir}: cannot create the demo directory: ${(error as Error).message}`, { cause: error });
  }
  for (const file of [paths.settings, paths.simulatorLog, ...['', '-wal', '-shm', '-journal'].map((s) => paths.database + s)]) {
    rmSync(file, { force: true });
  }
  for (const sub of [paths.metricsDir, paths.certDir]) rmSync(sub, { recursive: true, force: true });
  for (const sub of [paths.metricsDir, paths.certDir, paths.reportsDir]) ensureDirectorySync(sub);
}

/** The simulator accepts only this pair; a random password keeps other local users out while it runs. */
export function demoCredentials(): { username: string; password: string } {
  return { username: 'demo', password: `demo-${randomBytes(6).toString('hex')}` };
}

export interface DemoSettingsValues {
  url: string;
  username: string;
  password: string;
  caFile: string | null;
}

/**
 * Example prices, and cost dimensions from the custom attribute and tag category the simulator gives
 * its VMs (test/vcsim/attributes.go: Tenant, CostCentre), so the demo's summaries, reports and
 * `vctp allocation` show money.
 */
const DEMO_COST_SETTINGS = [
  '  # demo prices (README "Chargeback in money"), EUR per month',
  '  rate_cards:',
  '    - valid_from: "2020-01-01"',
  '      currency: EUR',
  '      per: month',
  '      tiers:',
  '        gold:   { vcpu: 20, ram_gb: 5, disk_gb: 0.10, vm: 2 }',
  '        silver: { vcpu: 14, ram_gb: 3.5, disk_gb: 0.08, vm: 2 }',
  '        bronze: { vcpu: 9, ram_gb: 2, disk_gb: 0.05, vm: 1 }',
  '        tin:    { vcpu: 5, ram_gb: 1, disk_gb: 0.03, vm: 1 }',
  '        none:   { vcpu: 10, ram_gb: 2.5, disk_gb: 0.06, vm: 1 }',
  '      templates: 0.5',
  '  cost_dimensions:',
  '    - { name: tenant, from: "custom_attribute:Tenant" }',
  '    - { name: cost_centre, from: "tag:CostCentre" }',
  '  report_cost_dimensions: [tenant, cost_centre]',
];

/**
 * Writes DIR/vctp.yml: SQLite in DIR, the simulator as the only vCenter, reports and metrics
 * textfiles where the demo puts them. The password is written in plaintext on purpose: vctp
 * encrypts it in place on first use (README "The vCenter password"); encryption_key makes the
 * enc:v1: value independent of this host's machine-id. Values are JSON strings, which YAML reads
 * as they are.
 */
export function writeDemoSettings(paths: DemoPaths, values: DemoSettingsValues): string {
  const q = (value: string): string => JSON.stringify(value);
  const lines = [
    '# Written by `vctp demo` for the vCenter simulator it started; recreated on every run.',
    '# The simulator has stopped: vctp status, totals, trace and report work on this database,',
    '# a further vctp snapshot with these settings fails to connect.',
    'settings:',
    '  log_output: text',
    '  database_driver: sqlite',
    `  database_url: ${q(paths.database)}`,
    '  vcenter_addresses:',
    `    - ${q(values.url)}`,
    `  vcenter_username: ${q(values.username)}`,
    `  vcenter_password: ${q(values.password)}`,
    ...(values.caFile ? [`  vcenter_ca_file: ${q(values.caFile)}`] : []),
    '  # demo only: a real installation keeps the key out of the file, or lets vctp derive one per host',
    '  encryption_key: demo-only-key',
    '  # a failing attempt is retried after 5 s instead of 5 minutes',
    '  hourly_snapshot_retry_seconds: 5',
    `  reports_dir: ${q(paths.reportsDir)}`,
    `  metrics_textfile_dir: ${q(paths.metricsDir)}`,
    ...DEMO_COST_SETTINGS,
    '',
  ];
  writeFileSync(paths.settings, lines.join('\n'), { mode: 0o600 });
  return paths.settings;
}
