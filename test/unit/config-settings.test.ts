import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isVctpError } from '../../src/core/errors.js';
import { isInteractiveTerminal, loadSettings, parseSettings, readRuntimeEnv, resetSettingsCache, settingsPathFrom, SettingsError } from '../../src/config/index.js';

const PATH = '/etc/dtms/vctp.yml';

function problemsOf(yamlText: string): readonly string[] {
  try {
    parseSettings(yamlText, PATH);
  } catch (error) {
    assert.ok(error instanceof SettingsError, `expected SettingsError, got ${String(error)}`);
    assert.equal(error.code, 'config');
    assert.ok(error.message.startsWith(`${PATH}: `), error.message);
    for (const problem of error.problems) assert.ok(error.message.includes(problem));
    return error.problems;
  }
  assert.fail('expected the settings to be rejected');
}

describe('parseSettings: defaults', () => {
  it('fills every default from an empty settings mapping', () => {
    const { settings, warnings } = parseSettings('settings:\n', PATH);
    assert.deepEqual(warnings, []);
    assert.equal(settings.database_driver, 'sqlite');
    assert.equal(settings.database_url, '/var/lib/vctp/db.sqlite3');
    assert.equal(settings.reports_dir, '/var/lib/vctp/reports');
    assert.equal(settings.hourly_snapshot_max_age_days, 60);
    assert.equal(settings.daily_snapshot_max_age_months, 12);
    assert.equal(settings.capture_write_batch_size, 1000);
    assert.equal(settings.async_report_generation, true);
    assert.equal(settings.snapshot_table_compat_mode, true);
    assert.equal(settings.hourly_snapshot_retry_seconds, 300);
    assert.equal(settings.hourly_snapshot_max_retries, 3);
    assert.equal(settings.hourly_snapshot_concurrency, 0);
    assert.equal(settings.vcenter_inventory_snapshot_seconds, 3600);
    assert.equal(settings.vcenter_inventory_aggregate_seconds, 86400);
    assert.equal(settings.scheduled_aggregation_engine, 'app');
    assert.equal(settings.monthly_aggregation_source, 'daily');
    assert.equal(settings.lock_wait_seconds, 30);
    assert.equal(settings.log_level, 'info');
    assert.equal(settings.log_output, 'text');
    assert.equal(settings.auth_mode, 'disabled');
    assert.equal(settings.auth_enabled, false);
    assert.equal(settings.bind_port, 9443);
    assert.deepEqual(settings.tier_patterns, { tin: ['Tin'], bronze: ['Bronze'], silver: ['Silver'], gold: ['Gold'] });
    assert.deepEqual(settings.vcenter_addresses, []);
    assert.equal('vcenter_password' in settings, false);
    assert.equal('encryption_key' in settings, false);
  });

  it('treats empty values as unset, like Go zero values', () => {
    const { settings } = parseSettings('settings:\n  reports_dir: ""\n  bind_port:\n  encryption_key: ""\n', PATH);
    assert.equal(settings.reports_dir, '/var/lib/vctp/reports');
    assert.equal(settings.bind_port, 9443);
    assert.equal(settings.encryption_key, undefined);
  });

  it('keeps a tier left out of tier_patterns at its default', () => {
    const { settings } = parseSettings('settings:\n  tier_patterns:\n    gold: ["gold*", "*-GOLD"]\n', PATH);
    assert.deepEqual(settings.tier_patterns, { tin: ['Tin'], bronze: ['Bronze'], silver: ['Silver'], gold: ['gold*', '*-GOLD'] });
  });

  it('defaults ldap_user_base_dn to ldap_base_dn', () => {
    const { settings } = parseSettings('settings:\n  ldap_base_dn: DC=example,DC=com\n', PATH);
    assert.equal(settings.ldap_user_base_dn, 'DC=example,DC=com');
  });

  it('keeps an unquoted numeric password as written, as Go does for a string field', () => {
    const { settings } = parseSettings('settings:\n  vcenter_password: 0123\n  vcenter_username: 1e3\n', PATH);
    assert.equal(settings.vcenter_password, '0123');
    assert.equal(settings.vcenter_username, '1e3');
  });
});

describe('parseSettings: problems', () => {
  it('lists every mistake with its key path, together', () => {
    const problems = problemsOf(
      [
        'settings:',
        '  bind_port: x',
        '  log_level: loud',
        '  log_output: xml',
        '  hourly_snapshot_concurrency: -1',
        '  capture_write_batch_size: 1.5',
        '  vcenter_addresses: [ "vc01.example.com", "https://vc02.example.com/sdk" ]',
        '  ldap_groups: "CN=x"',
        '  async_report_generation: maybe',
        '  tier_patterns: { platinum: [x] }',
        '',
      ].join('\n'),
    );
    assert.deepEqual(problems, [
      'settings.log_level: expected one of trace, debug, info, warn, error, fatal, silent (also accepted: warning), got "loud"',
      'settings.log_output: expected one of text, json, got "xml"',
      'settings.bind_port: expected an integer 1-65535, got "x"',
      'settings.ldap_groups: expected a list of strings, got "CN=x"',
      'settings.vcenter_addresses[0]: expected an http:// or https:// URL such as https://vc.example.com/sdk, got "vc01.example.com"',
      'settings.hourly_snapshot_concurrency: expected an integer >= 0, got -1',
      'settings.capture_write_batch_size: expected an integer >= 1, got 1.5',
      'settings.async_report_generation: expected true or false, got "maybe"',
      'settings.tier_patterns: unknown tier "platinum"; tiers are tin, bronze, silver, gold',
    ]);
  });

  it('names YAML syntax errors by line and column', () => {
    const problems = problemsOf('settings:\n  bind_port: 443\n  ldap_groups: [a, b\n');
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^line \d+, column \d+: YAML syntax error: /);
  });

  it('reports duplicate keys as a syntax error', () => {
    assert.match(problemsOf('settings:\n  bind_port: 1\n  bind_port: 2\n')[0]!, /^line 3, column 3: YAML syntax error: Map keys must be unique/);
  });

  it('requires the top-level settings key', () => {
    assert.match(problemsOf('bind_port: 443\n')[0]!, /settings: is missing/);
    assert.match(problemsOf('')[0]!, /the file is empty/);
    assert.match(problemsOf('settings: [1]\n')[0]!, /settings: expected a mapping/);
  });

  it('validates postgres URLs without echoing them', () => {
    assert.deepEqual(problemsOf('settings:\n  database_driver: postgres\n'), [
      'settings.database_url: is required when database_driver is postgres (postgres://user:pass@host:5432/vctp)',
    ]);
    const bad = problemsOf('settings:\n  database_driver: postgres\n  database_url: mysql://u:secretpw@db/vctp\n');
    assert.deepEqual(bad, ['settings.database_url: expected a postgres:// or postgresql:// URL when database_driver is postgres']);
    assert.match(problemsOf('settings:\n  database_url: postgres://u:secretpw@db/vctp\n')[0]!, /PostgreSQL URL but database_driver is sqlite/);
    for (const url of ['postgres://u:p@db:5432/vctp?sslmode=disable', 'postgresql://db/vctp']) {
      const { settings } = parseSettings(`settings:\n  database_driver: postgres\n  database_url: "${url}"\n`, PATH);
      assert.equal(settings.database_url, url);
      assert.equal(settings.database_driver, 'postgres');
    }
  });

  it('does not require enable_experimental_postgres for postgres', () => {
    const { settings, warnings } = parseSettings('settings:\n  database_driver: postgres\n  enable_experimental_postgres: false\n  database_url: postgres://db/vctp\n', PATH);
    assert.equal(settings.database_driver, 'postgres');
    assert.deepEqual(warnings, []);
  });

  it('names the pivot entry at fault', () => {
    const problems = problemsOf(
      [
        'settings:',
        '  report_summary_pivots:',
        '    - metric: avg_vcpu',
        '      pivot_range: Summary!A3:H40',
        '    - metric: avg_cpu',
        '      pivot_range: A3-H40',
        '      title_cell: "Summary!"',
        '    - title: no metric',
        '    - metric: avg_vcpu',
        '',
      ].join('\n'),
    );
    assert.deepEqual(problems, [
      'settings.report_summary_pivots[1].metric: expected one of avg_vcpu, avg_ram, prorated_vm_count, vm_name_count, got "avg_cpu"',
      'settings.report_summary_pivots[1].pivot_range: expected a range like Summary!A3:H40 or A3:H40, got "A3-H40"',
      'settings.report_summary_pivots[1].title_cell: expected a cell like Summary!A1 or A1, got "Summary!"',
      'settings.report_summary_pivots[2].metric: is required (expected one of avg_vcpu, avg_ram, prorated_vm_count, vm_name_count)',
    ]);
  });

  it('accepts pivot overrides and reports a metric overridden twice', () => {
    const ok = parseSettings("settings:\n  report_summary_pivots:\n    - { metric: avg_ram, title: RAM, pivot_name: PivotRam, pivot_range: \"'Summary Sheet'!$A$3:$H$40\", title_cell: A2 }\n", PATH);
    assert.deepEqual(ok.settings.report_summary_pivots, [
      { metric: 'avg_ram', title: 'RAM', pivot_name: 'PivotRam', pivot_range: "'Summary Sheet'!$A$3:$H$40", title_cell: 'A2' },
    ]);
    const twice = problemsOf('settings:\n  report_summary_pivots:\n    - metric: avg_ram\n    - metric: avg_ram\n');
    assert.deepEqual(twice, ['settings.report_summary_pivots[1].metric: avg_ram is already overridden by entry 0']);
  });

  it('requires role mappings with viewer/admin values when auth is enabled', () => {
    const problems = problemsOf(
      [
        'settings:',
        '  auth_enabled: true',
        '  auth_mode: required',
        '  auth_jwt_signing_key: c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw==',
        '  ldap_bind_address: ldaps://ad01.example.com:636',
        '  ldap_base_dn: DC=example,DC=com',
        '  auth_group_role_mappings:',
        '    "CN=vctp-viewers,OU=Groups,DC=example,DC=com": reader',
        '',
      ].join('\n'),
    );
    assert.deepEqual(problems, ['settings.auth_group_role_mappings["CN=vctp-viewers,OU=Groups,DC=example,DC=com"]: expected one of viewer, admin, got "reader"']);
    const empty = problemsOf('settings:\n  auth_enabled: true\n  auth_group_role_mappings: {}\n');
    assert.ok(empty.includes('settings.auth_group_role_mappings: must map at least one LDAP group DN to viewer or admin when auth_enabled is true'));
    assert.ok(empty.includes('settings.ldap_bind_address: is required when auth_enabled is true'));
  });

  it('checks glob patterns and cron expressions', () => {
    assert.deepEqual(problemsOf('settings:\n  tenants_to_filter: ["ok*", "", "[z-a]"]\n  snapshot_cleanup_cron: every night\n'), [
      'settings.snapshot_cleanup_cron: expected a cron expression (5 or 6 fields, or @daily, @every 6h, ...), got "every night"',
      'settings.tenants_to_filter[1]: expected a glob pattern (a non-empty string; * ? and [abc] are wildcards), got ""',
      'settings.tenants_to_filter[2]: expected a glob pattern (a non-empty string; * ? and [abc] are wildcards), got "[z-a]"',
    ]);
    for (const cron of ['0 3 * * *', '0 30 2 * * *', '@daily', '@every 6h']) {
      assert.equal(parseSettings(`settings:\n  snapshot_cleanup_cron: "${cron}"\n`, PATH).settings.snapshot_cleanup_cron, cron);
    }
  });

  it('never echoes secret values', () => {
    const problems = problemsOf('settings:\n  auth_jwt_signing_key: "not base64 at all!"\n  vcenter_password: [hunter22]\n');
    assert.deepEqual(problems, ['settings.auth_jwt_signing_key: expected a base64 key', 'settings.vcenter_password: expected a non-empty string']);
  });
});

describe('parseSettings: compatibility', () => {
  it('accepts go as the scheduled engine and maps it to app', () => {
    for (const word of ['go', 'GO', 'app']) {
      assert.equal(parseSettings(`settings:\n  scheduled_aggregation_engine: ${word}\n`, PATH).settings.scheduled_aggregation_engine, 'app');
    }
    assert.equal(parseSettings('settings:\n  scheduled_aggregation_engine: sql\n', PATH).settings.scheduled_aggregation_engine, 'sql');
  });

  it('warns about unknown keys and loads the rest', () => {
    const { settings, warnings } = parseSettings('settings:\n  bind_port: 8443\n  bind_prot: 1\n  toString: x\nextra: 1\n', PATH);
    assert.equal(settings.bind_port, 8443);
    assert.deepEqual(warnings, [
      'extra: unknown top-level key, ignored (all configuration lives under settings:)',
      'settings.bind_prot: unknown key, ignored',
      'settings.toString: unknown key, ignored',
    ]);
  });

  it('loads a settings file written for the original Go system unchanged', () => {
    const { settings, warnings } = parseSettings(ORIGINAL_STYLE, PATH);
    assert.deepEqual(warnings, [
      'settings.vcenter_event_polling_seconds: deprecated and ignored',
      'settings.vcenter_inventory_polling_seconds: deprecated and ignored',
      // Keys vctp accepts but does not act on, when set to something other than their default.
      'settings.snapshot_cleanup_cron: accepted and ignored: systemd timers schedule every job; vctp-db-cleanup.timer runs `vctp db cleanup`',
    ]);
    assert.equal(settings.scheduled_aggregation_engine, 'app');
    assert.equal(settings.database_url, './db.sqlite3');
    assert.equal(settings.bind_port, 443);
    assert.equal(settings.log_level, 'debug');
    assert.equal(settings.vcenter_insecure, true);
    assert.equal(settings.auth_enabled, false);
    assert.equal(settings.enable_legacy_api, false);
    assert.equal(settings.hourly_index_max_age_days, -1);
    assert.deepEqual(settings.vcenter_addresses, ['https://vc01.example.com/sdk', 'https://vc02.example.com/sdk']);
    assert.deepEqual(settings.tenants_to_filter, ['Tenant-Test*']);
    assert.equal(settings.report_summary_pivots[0]?.pivot_range, 'Summary!A3:H40');
    assert.deepEqual(settings.auth_group_role_mappings, {
      'CN=vctp-viewers,OU=Groups,DC=example,DC=com': 'viewer',
      'CN=vctp-admins,OU=Groups,DC=example,DC=com': 'admin',
    });
  });
});

describe('loadSettings and settingsPathFrom', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('names the path, flag and env var when the file is missing', async () => {
    resetSettingsCache();
    await assert.rejects(loadSettings('/nonexistent/vctp.yml'), (error: unknown) => {
      assert.ok(isVctpError(error));
      assert.equal(error.code, 'config');
      assert.match(error.message, /^\/nonexistent\/vctp\.yml: settings file not found; pass --settings <file> or set VCTP_SETTINGS$/);
      return true;
    });
  });

  it('reads once and caches until reset', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vctp-config-'));
    dirs.push(dir);
    const file = join(dir, 'vctp.yml');
    await writeFile(file, 'settings:\n  bind_port: 8001\n');
    resetSettingsCache();
    const first = await loadSettings(file);
    await writeFile(file, 'settings:\n  bind_port: 8002\n');
    assert.equal((await loadSettings(file)).settings.bind_port, 8001);
    assert.equal(await loadSettings(file), first);
    resetSettingsCache();
    assert.equal((await loadSettings(file)).settings.bind_port, 8002);
  });

  it('takes the flag, then VCTP_SETTINGS, then /etc/dtms/vctp.yml', () => {
    assert.equal(settingsPathFrom('/a.yml', { VCTP_SETTINGS: '/b.yml' }), '/a.yml');
    assert.equal(settingsPathFrom(undefined, { VCTP_SETTINGS: '/b.yml' }), '/b.yml');
    assert.equal(settingsPathFrom('', { VCTP_SETTINGS: '' }), '/etc/dtms/vctp.yml');
    assert.equal(settingsPathFrom(undefined, {}), '/etc/dtms/vctp.yml');
  });

  it('draws progress only on a real terminal outside CI', () => {
    assert.equal(isInteractiveTerminal({ isTTY: true }, { TERM: 'xterm' }), true);
    assert.equal(isInteractiveTerminal({ isTTY: true }, { TERM: 'dumb' }), false);
    assert.equal(isInteractiveTerminal({ isTTY: true }, { CI: 'true' }), false);
    assert.equal(isInteractiveTerminal({}, {}), false);
  });

  it('reads the manual aggregation engine flags', () => {
    assert.deepEqual(readRuntimeEnv({ DAILY_AGG_GO: '1', MONTHLY_AGG_SQL: '1' }), { dailyAggregationEngine: 'app', monthlyAggregationEngine: 'sql' });
    assert.deepEqual(readRuntimeEnv({}), { dailyAggregationEngine: undefined, monthlyAggregationEngine: undefined });
  });
});

// Every key of the spec's Settings Reference and examples, as an operator of the Go system
// would have written them (YAML 1.1 booleans, unquoted values, deprecated keys included).
const ORIGINAL_STYLE = `# vctp settings
settings:
  log_level: debug
  log_output: json
  database_driver: sqlite
  enable_experimental_postgres: false
  database_url: ./db.sqlite3
  bind_ip: 0.0.0.0
  bind_port: 443
  bind_disable_tls: false
  tls_cert_filename: /etc/dtms/vctp.crt
  tls_key_filename: /etc/dtms/vctp.key
  auth_enabled: false
  auth_mode: disabled
  auth_jwt_signing_key: ""
  auth_token_lifespan_minutes: 60
  auth_jwt_issuer: vctp
  auth_jwt_audience: vctp-api
  auth_clock_skew_seconds: 30
  auth_group_role_mappings:
    "CN=vctp-viewers,OU=Groups,DC=example,DC=com": viewer
    "CN=vctp-admins,OU=Groups,DC=example,DC=com": admin
  ldap_groups:
    - "CN=vctp-viewers,OU=Groups,DC=example,DC=com"
  ldap_bind_address: ldaps://ad01.example.com:636
  ldap_base_dn: DC=example,DC=com
  ldap_user_base_dn: OU=Users,DC=example,DC=com
  ldap_trust_cert_file: ""
  ldap_disable_validation: no
  ldap_insecure: false
  enable_pprof: false
  encryption_key: ""
  vcenter_username: svc-vctp@vsphere.local
  vcenter_password: enc:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
  vcenter_insecure: yes
  enable_legacy_api: false
  vcenter_event_polling_seconds: 60
  vcenter_inventory_polling_seconds: 7200
  vcenter_inventory_snapshot_seconds: 3600
  vcenter_inventory_aggregate_seconds: 86400
  vcenter_addresses:
    - https://vc01.example.com/sdk
    - https://vc02.example.com/sdk
  hourly_snapshot_concurrency: 2
  hourly_snapshot_max_age_days: 60
  daily_snapshot_max_age_months: 12
  hourly_index_max_age_days: -1
  snapshot_cleanup_cron: "0 3 * * *"
  reports_dir: /var/lib/vctp/reports
  capture_write_batch_size: 1000
  snapshot_table_compat_mode: true
  async_report_generation: true
  report_summary_pivots:
    - metric: avg_vcpu
      title: Average vCPU
      pivot_name: PivotAvgVcpu
      pivot_range: Summary!A3:H40
    - metric: vm_name_count
      title: VM count
      pivot_name: PivotVmCount
      pivot_range: J3:Q40
      title_cell: J2
  hourly_snapshot_retry_seconds: 300
  hourly_snapshot_max_retries: 3
  postgres_vm_hourly_partitioning_enabled: false
  scheduled_aggregation_engine: go
  tenants_to_filter:
    - Tenant-Test*
  node_charge_clusters:
    - Node-Charge-*
  srm_activeactive_vms: []
`;
