// Settings that load but would mean something wrong are refused at load, each problem naming its
// key path: a vCenter listed twice, an unquoted number or boolean where text is expected, a
// too-short plaintext password, a SQLite database that keeps nothing, a vcenter_ca_file that holds
// no certificate. And the loader warns when others can read the secrets the settings file holds.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadSettings, parseSettings, resetSettingsCache, SettingsError } from '../../src/config/index.js';
import { secretKeysOf, secretsAtRestWarning, type SettingsFileAccess } from '../../src/config/settings-file-access.js';
import { settingsFields } from '../../src/config/settings-schema.js';
import { sqliteNotPersistentReason, sqlitePathFromUrl } from '../../src/core/sqlite-url.js';
import { duplicateVcenterAddresses, normaliseVcenterAddress } from '../../src/core/vcenter-address.js';

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

// A self-signed CA certificate (EC P-256, valid until 2126) for the vcenter_ca_file tests.
const CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBhDCCASugAwIBAgIUV7Y1t3flTb0emgLO41oxlln0x/IwCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMdmN0cCB0ZXN0IENBMCAXDTI2MTIwMTEwNDg1N1oYDzIxMjYx
MTA3MTA0ODU3WjAXMRUwEwYDVQQDDAx2Y3RwIHRlc3QgQ0EwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAAQm4eJodzucR+dsZN9lfZ+0BV0B8VUrK2O7VI8YcAJx0gvs
+L3ujdGoHuoHhLk0kRmVo4AzpjzQVhYe0jUxxMfFo1MwUTAdBgNVHQ4EFgQUT01i
lQgyl9ZXrh4jh54XbnTQZO8wHwYDVR0jBBgwFoAUT01ilQgyl9ZXrh4jh54XbnTQ
ZO8wDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiBrn2D2kxYX/GcG
i3yfH1W9AaWPFBhDJRxcvg4iTliSQQIgN4ieYeAfaS5JZMkarFZX9AHLmO6XGdaH
M14/w1WKxbM=
-----END CERTIFICATE-----
`;

describe('vcenter_addresses: the same vCenter twice', () => {
  it('refuses each spelling of one vCenter, naming both entries', () => {
    const pairs: [string, string][] = [
      ['https://vc1.example.com/sdk', 'https://vc1.example.com/sdk'],
      ['https://vc1.example.com/sdk', 'https://vc1.example.com/sdk/'],
      ['https://vc1.example.com/sdk', 'https://vc1.example.com:443/sdk'],
      ['https://vc1.example.com/sdk', 'HTTPS://VC1.Example.COM/sdk'],
      ['https://vc1.example.com/sdk', 'https://vc1.example.com./sdk'],
      ['https://vc1.example.com/sdk', 'https://vc1.example.com'],
      ['https://vc1.example.com/sdk', 'http://vc1.example.com/sdk'],
      ['https://localhost:8989/sdk', 'https://127.0.0.1:8989/sdk'],
      ['https://localhost:8989/sdk', 'https://[::1]:8989/sdk'],
      ['https://127.0.0.1:8989/sdk', 'https://[::1]:8989/sdk/'],
      ['https://localhost/sdk', 'https://127.1/sdk'],
      ['https://vc1.example.com/sdk', 'https://svc@vc1.example.com/sdk'],
    ];
    for (const [first, second] of pairs) {
      const text = `settings:\n  vcenter_addresses:\n    - https://vc0.example.com/sdk\n    - "${first}"\n    - https://vc2.example.com/sdk\n    - "${second}"\n`;
      assert.deepEqual(problemsOf(text), [`settings.vcenter_addresses[3]: the same vCenter as [1] (${first})`], `${first} + ${second}`);
    }
  });

  it('names the first entry of three, and keeps user information out of the message', () => {
    const problems = problemsOf(
      'settings:\n  vcenter_addresses: [ "https://ops:s3cret@vc1/sdk", "https://vc1:443/sdk", "https://VC1/sdk/" ]\n',
    );
    assert.deepEqual(problems, [
      'settings.vcenter_addresses[1]: the same vCenter as [0] (https://vc1/sdk)',
      'settings.vcenter_addresses[2]: the same vCenter as [0] (https://vc1/sdk)',
    ]);
  });

  it('accepts different vCenters: other hosts, other ports, other loopback addresses', () => {
    const { settings } = parseSettings(
      [
        'settings:',
        '  vcenter_addresses:',
        '    - https://vc1.example.com/sdk',
        '    - https://vc2.example.com/sdk',
        '    - https://vc1.example.com:8443/sdk',
        '    - https://127.0.0.1:8989/sdk',
        '    - https://127.0.0.1:8990/sdk',
        '    - https://127.0.0.2:8989/sdk',
        '',
      ].join('\n'),
      PATH,
    );
    assert.equal(settings.vcenter_addresses.length, 6);
  });

  it('normalises scheme, host case, default port, loopback aliases and trailing slashes (pure)', () => {
    const canonical = (url: string) => normaliseVcenterAddress(url)?.canonical;
    assert.equal(canonical('HTTPS://VC1.Example.com/sdk/'), 'https://vc1.example.com:443/sdk');
    assert.equal(canonical('https://vc1.example.com:443/sdk'), 'https://vc1.example.com:443/sdk');
    assert.equal(canonical('http://vc1.example.com/sdk'), 'http://vc1.example.com:80/sdk');
    assert.equal(canonical('https://[::1]:8989/sdk'), 'https://localhost:8989/sdk');
    assert.equal(canonical('https://127.0.0.1:8989/sdk'), 'https://localhost:8989/sdk');
    assert.equal(canonical('https://LOCALHOST.:8989/sdk'), 'https://localhost:8989/sdk');
    assert.equal(canonical('https://[0:0:0:0:0:0:0:1]/'), 'https://localhost:443');
    assert.equal(canonical('https://[::ffff:127.0.0.1]/sdk'), 'https://localhost:443/sdk');
    assert.equal(canonical('https://[2001:db8::1]/sdk'), 'https://[2001:db8::1]:443/sdk');
    assert.equal(canonical('vc1.example.com'), undefined);
    assert.equal(canonical('ftp://vc1/sdk'), undefined);
    // `https://vc:80` is `http://vc`'s server, and that one is kept under the name of `https://vc`.
    assert.deepEqual(duplicateVcenterAddresses(['https://vc/sdk', 'http://vc/sdk', 'https://vc:80/sdk']), [
      { index: 1, first: 0 },
      { index: 2, first: 0 },
    ]);
    assert.deepEqual(duplicateVcenterAddresses(['https://a/sdk', 'not a url', 'not a url', 'https://b/sdk']), []);
  });
});

/** How each key takes an unquoted number (4242) and boolean (true). */
type Takes =
  | 'typed' // a numeric or boolean key: its typed value (or its own range/boolean error)
  | 'refused' // text is expected: a type error naming the key
  | 'as-written' // opaque text: the source text
  | 'not-scalar'; // a list or mapping

const HOW_KEYS_TAKE_SCALARS: Record<string, Takes> = {
  log_level: 'refused',
  log_output: 'refused',
  database_driver: 'refused',
  enable_experimental_postgres: 'typed',
  database_url: 'refused',
  postgres_vm_hourly_partitioning_enabled: 'typed',
  bind_ip: 'refused',
  bind_port: 'typed',
  bind_disable_tls: 'typed',
  tls_cert_filename: 'refused',
  tls_key_filename: 'refused',
  auth_enabled: 'typed',
  auth_mode: 'refused',
  auth_jwt_signing_key: 'as-written',
  auth_token_lifespan_minutes: 'typed',
  auth_jwt_issuer: 'refused',
  auth_jwt_audience: 'refused',
  auth_clock_skew_seconds: 'typed',
  auth_group_role_mappings: 'not-scalar',
  ldap_groups: 'not-scalar',
  ldap_bind_address: 'refused',
  ldap_base_dn: 'refused',
  ldap_user_base_dn: 'refused',
  ldap_trust_cert_file: 'refused',
  ldap_disable_validation: 'typed',
  ldap_insecure: 'typed',
  enable_pprof: 'typed',
  encryption_key: 'as-written',
  vcenter_username: 'as-written',
  vcenter_password: 'as-written',
  vcenter_insecure: 'typed',
  vcenter_ca_file: 'refused',
  vcenter_request_timeout_seconds: 'typed',
  enable_legacy_api: 'typed',
  vcenter_inventory_snapshot_seconds: 'typed',
  vcenter_inventory_aggregate_seconds: 'typed',
  vcenter_addresses: 'not-scalar',
  vcenters: 'not-scalar',
  hourly_snapshot_concurrency: 'typed',
  hourly_snapshot_max_age_days: 'typed',
  daily_snapshot_max_age_months: 'typed',
  hourly_index_max_age_days: 'typed',
  snapshot_cleanup_cron: 'refused',
  reports_dir: 'refused',
  capture_write_batch_size: 'typed',
  snapshot_table_compat_mode: 'typed',
  async_report_generation: 'typed',
  report_summary_pivots: 'not-scalar',
  hourly_snapshot_retry_seconds: 'typed',
  hourly_snapshot_max_retries: 'typed',
  scheduled_aggregation_engine: 'refused',
  monthly_aggregation_source: 'refused',
  lock_wait_seconds: 'typed',
  metrics_textfile_dir: 'refused',
  tenants_to_filter: 'not-scalar',
  node_charge_clusters: 'not-scalar',
  srm_activeactive_vms: 'not-scalar',
  tier_patterns: 'not-scalar',
  rate_cards: 'not-scalar',
  cost_dimensions: 'not-scalar',
  report_cost_dimensions: 'not-scalar',
};

describe('an unquoted number or boolean where text is expected', () => {
  it('refuses `reports_dir: 42` and takes `reports_dir: "42"`', () => {
    assert.deepEqual(problemsOf('settings:\n  reports_dir: 42\n'), [
      'settings.reports_dir: expected a directory path, got the number 42 (write "42", in quotes, if that text is meant)',
    ]);
    assert.deepEqual(problemsOf('settings:\n  metrics_textfile_dir: true\n  vcenter_ca_file: 0.5\n'), [
      'settings.vcenter_ca_file: expected a file path, got the number 0.5 (write "0.5", in quotes, if that text is meant)',
      'settings.metrics_textfile_dir: expected a directory path, got the boolean true (write "true", in quotes, if that text is meant)',
    ]);
    assert.equal(parseSettings('settings:\n  reports_dir: "42"\n', PATH).settings.reports_dir, '42');
    assert.equal(parseSettings("settings:\n  reports_dir: '42'\n", PATH).settings.reports_dir, '42');
  });

  it('keeps a secret out of the message', () => {
    assert.deepEqual(problemsOf('settings:\n  database_url: 5432\n'), [
      'settings.database_url: expected a SQLite file path or a postgres:// URL, got a number (quote the value if it is meant as text)',
    ]);
  });

  it('checks list items and pivot fields too', () => {
    assert.deepEqual(
      problemsOf('settings:\n  vcenter_addresses: [ 42 ]\n  ldap_groups: [ "CN=a", 7 ]\n  report_summary_pivots:\n    - { metric: avg_ram, title: 2024, pivot_name: 12 }\n'),
      [
        'settings.ldap_groups[1]: expected a string, got the number 7 (write "7", in quotes, if that text is meant)',
        'settings.vcenter_addresses[0]: expected an http:// or https:// URL such as https://vc.example.com/sdk, got the number 42 (write "42", in quotes, if that text is meant)',
        'settings.report_summary_pivots[0].title: expected a non-empty string, got the number 2024 (write "2024", in quotes, if that text is meant)',
        'settings.report_summary_pivots[0].pivot_name: expected a pivot table name (1-255 characters), got the number 12 (write "12", in quotes, if that text is meant)',
      ],
    );
  });

  it('keeps credentials and name patterns as written: they may well be all digits', () => {
    const { settings } = parseSettings(
      'settings:\n  vcenter_username: 1e3\n  vcenter_password: 0123\n  encryption_key: 007\n  tenants_to_filter: [ 2024, "T-*" ]\n  tier_patterns: { gold: [ 1 ] }\n',
      PATH,
    );
    assert.equal(settings.vcenter_username, '1e3');
    assert.equal(settings.vcenter_password, '0123');
    assert.equal(settings.encryption_key, '007');
    assert.deepEqual(settings.tenants_to_filter, ['2024', 'T-*']);
    assert.deepEqual(settings.tier_patterns.gold, ['1']);
  });

  it('has decided every key of the schema', () => {
    // A key added to the schema must be decided here.
    assert.deepEqual(Object.keys(settingsFields).filter((key) => !Object.hasOwn(HOW_KEYS_TAKE_SCALARS, key)), []);
    for (const [key, takes] of Object.entries(HOW_KEYS_TAKE_SCALARS)) {
      if (!Object.hasOwn(settingsFields, key)) continue;
      for (const [written, value] of [
        ['4242', 4242],
        ['true', true],
      ] as const) {
        let loaded: ReturnType<typeof parseSettings> | undefined;
        let problems: readonly string[] = [];
        try {
          loaded = parseSettings(`settings:\n  ${key}: ${written}\n`, PATH);
        } catch (error) {
          assert.ok(error instanceof SettingsError, String(error));
          problems = error.problems;
        }
        const got = loaded?.settings[key as keyof typeof loaded.settings];
        const where = `${key}: ${written}`;
        switch (takes) {
          case 'typed': {
            // 4242 fits every integer key; true fits the booleans and is an "expected an integer" for the rest.
            // (auth_enabled: true is taken, and then wants the other auth keys.)
            const own = problems.find((p) => p.startsWith(`settings.${key}: `));
            if (loaded) assert.equal(got, value, where);
            else if (own) assert.match(own, /^settings\.\w+: expected (an integer|true or false)/, where);
            break;
          }
          case 'refused': {
            const kind = typeof value === 'boolean' ? 'boolean' : 'number';
            const line = problems.find((p) => p.startsWith(`settings.${key}: `));
            assert.ok(line, `${where}: expected a problem naming the key, got ${JSON.stringify(problems)}`);
            // A word from a closed set (log_level, ...) says "expected one of ..., got 4242"; text says which kind it got.
            assert.match(line, new RegExp(`(got the ${kind} ${written} \\(write "${written}", in quotes|got a ${kind} \\(quote|expected one of .*, got "${written}"$)`), where);
            break;
          }
          case 'as-written':
            assert.equal(got, written, where);
            break;
          case 'not-scalar':
            assert.match(problems.join('\n'), new RegExp(`^settings\\.${key}: expected a (list|mapping)`), where);
            break;
        }
      }
    }
  });
});

describe('vcenter_password: too short to be a password', () => {
  it('refuses a plaintext value of 2 characters or fewer at load, without echoing it', () => {
    for (const written of ['ab', '"é"', '12', 'x', '"ñé"']) {
      assert.deepEqual(
        problemsOf(`settings:\n  vcenter_password: ${written}\n`),
        ['settings.vcenter_password: is too short: plaintext values of 2 characters or fewer are rejected'],
        written,
      );
    }
  });

  it('takes 3 characters, and enc:v1: or legacy ciphertext as written (nothing is decrypted at load)', () => {
    for (const written of ['abc', 'enc:v1:AAAA', 'enc:v1:not-even-base64', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
      assert.equal(parseSettings(`settings:\n  vcenter_password: "${written}"\n`, PATH).settings.vcenter_password, written);
    }
  });
});

describe('database_url: a SQLite database that keeps nothing', () => {
  const message = (reason: string) =>
    `settings.database_url: is not a persistent database file: ${reason}; every run would start empty and keep nothing. Set a file path such as /var/lib/vctp/db.sqlite3`;
  const MEMORY = "it names SQLite's in-memory database (:memory:)";
  const MODE = 'it asks for an in-memory database (mode=memory or vfs=memdb)';
  const NO_FILE = 'it names no file (SQLite would open a temporary database and delete it on close)';

  it('refuses :memory:, mode=memory and URLs without a path', () => {
    const cases: [string, string][] = [
      [':memory:', MEMORY],
      ['sqlite://:memory:', MEMORY],
      ['sqlite3://:memory:', MEMORY],
      ['file::memory:', MEMORY],
      ['file::memory:?cache=shared', MEMORY],
      ['file:vctp?mode=memory&cache=shared', MODE],
      ['/var/lib/vctp/db.sqlite3?mode=memory', MODE],
      ['file:/x/db.sqlite3?vfs=memdb', MODE],
      ['sqlite://', NO_FILE],
      ['sqlite3://', NO_FILE],
      ['file:', NO_FILE],
      ['file:?mode=rwc', NO_FILE],
      ['   ', NO_FILE],
    ];
    for (const [url, reason] of cases) {
      assert.deepEqual(problemsOf(`settings:\n  database_url: "${url}"\n`), [message(reason)], url);
      assert.deepEqual(problemsOf(`settings:\n  database_driver: sqlite3\n  database_url: "${url}"\n`), [message(reason)], url);
    }
  });

  it('takes file paths in every accepted form, and "" as the default file', () => {
    for (const url of ['./db.sqlite3', '/var/lib/vctp/db.sqlite3', 'sqlite:///var/lib/vctp/db.sqlite3', 'file:/var/lib/vctp/db.sqlite3', 'file:db.sqlite3?mode=rwc', 'memory.sqlite3']) {
      assert.equal(parseSettings(`settings:\n  database_url: "${url}"\n`, PATH).settings.database_url, url);
      assert.equal(sqliteNotPersistentReason(url), undefined, url);
    }
    assert.equal(parseSettings('settings:\n  database_url: ""\n', PATH).settings.database_url, '/var/lib/vctp/db.sqlite3');
    assert.equal(sqlitePathFromUrl('sqlite:///var/lib/vctp/db.sqlite3?mode=ro'), '/var/lib/vctp/db.sqlite3');
    assert.equal(sqlitePathFromUrl('file:db.sqlite3'), 'db.sqlite3');
  });

  it('leaves PostgreSQL URLs to their own rule', () => {
    assert.equal(parseSettings('settings:\n  database_driver: postgres\n  database_url: "postgres://db/vctp?options=memory"\n', PATH).settings.database_driver, 'postgres');
  });
});

describe('loadSettings: files the settings name, and who can read the secrets', () => {
  let dir: string;
  let counter = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vctp-config-validation-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function settingsFile(body: string, mode = 0o600): Promise<string> {
    const path = join(dir, `vctp-${counter++}.yml`);
    await writeFile(path, `settings:\n${body}`, { mode });
    await chmod(path, mode);
    return path;
  }

  async function loadProblems(path: string): Promise<readonly string[]> {
    resetSettingsCache();
    try {
      await loadSettings(path);
    } catch (error) {
      assert.ok(error instanceof SettingsError, String(error));
      return error.problems;
    }
    assert.fail(`expected ${path} to be refused`);
  }

  async function file(name: string, content: string | Uint8Array): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  }

  it('takes a vcenter_ca_file holding PEM certificates', async () => {
    const bundle = await file('bundle.pem', `# our CAs\n${CA_PEM}\n${CA_PEM}`);
    resetSettingsCache();
    const loaded = await loadSettings(await settingsFile(`  vcenter_ca_file: ${bundle}\n`));
    assert.equal(loaded.settings.vcenter_ca_file, bundle);
    assert.deepEqual(loaded.warnings, []);
  });

  it('refuses a vcenter_ca_file that is missing, a directory, DER, text or a broken certificate', async () => {
    const der = await file('ca.der', new X509Certificate(CA_PEM).raw);
    const text = await file('notes.txt', 'this is not a certificate\n');
    const empty = await file('empty.pem', '');
    const broken = await file('broken.pem', `${CA_PEM}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`);
    const key = await file('key-only.pem', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    const folder = join(dir, 'ca-dir');
    await mkdir(folder);
    const cases: [string, string][] = [
      [join(dir, 'missing.pem'), `settings.vcenter_ca_file: ${join(dir, 'missing.pem')}: file not found`],
      [folder, `settings.vcenter_ca_file: ${folder} is a directory; expected a PEM file of CA certificates`],
      [der, `settings.vcenter_ca_file: ${der} is a DER (binary) certificate, not PEM; convert it: openssl x509 -inform der -in ${der} -out ${join(dir, 'ca')}.pem`],
      [text, `settings.vcenter_ca_file: ${text} holds no PEM certificate (no -----BEGIN CERTIFICATE----- block); expected a PEM file of CA certificates`],
      [empty, `settings.vcenter_ca_file: ${empty} holds no PEM certificate (no -----BEGIN CERTIFICATE----- block); expected a PEM file of CA certificates`],
      [key, `settings.vcenter_ca_file: ${key} holds no PEM certificate (no -----BEGIN CERTIFICATE----- block); expected a PEM file of CA certificates`],
      ['/dev/null', 'settings.vcenter_ca_file: /dev/null is not a regular file; expected a PEM file of CA certificates'],
    ];
    for (const [path, expected] of cases) {
      assert.deepEqual(await loadProblems(await settingsFile(`  vcenter_ca_file: "${path}"\n`)), [expected], path);
    }
    const [brokenProblem, ...rest] = await loadProblems(await settingsFile(`  vcenter_ca_file: "${broken}"\n`));
    assert.deepEqual(rest, []);
    assert.match(brokenProblem!, new RegExp(`^settings\\.vcenter_ca_file: ${broken}: certificate 2 of 2 cannot be parsed \\(`));
  });

  it('lists a bad vcenter_ca_file with the other problems, and parseSettings alone reads no file', async () => {
    const problems = await loadProblems(await settingsFile(`  vcenter_ca_file: ${join(dir, 'nope.pem')}\n  bind_port: x\n`));
    assert.deepEqual(problems, ['settings.bind_port: expected an integer 1-65535, got "x"', `settings.vcenter_ca_file: ${join(dir, 'nope.pem')}: file not found`]);
    assert.equal(parseSettings(`settings:\n  vcenter_ca_file: ${join(dir, 'nope.pem')}\n`, PATH).settings.vcenter_ca_file, join(dir, 'nope.pem'));
  });

  it("does not read the server's files (tls_cert_filename, tls_key_filename, ldap_trust_cert_file)", async () => {
    resetSettingsCache();
    const missing = join(dir, 'absent');
    const loaded = await loadSettings(
      await settingsFile(`  tls_cert_filename: ${missing}.crt\n  tls_key_filename: ${missing}.key\n  ldap_trust_cert_file: ${missing}.pem\n`),
    );
    assert.equal(loaded.settings.tls_cert_filename, `${missing}.crt`);
  });

  it('warns when every local user can read a settings file holding a secret', async () => {
    const path = await settingsFile('  vcenter_password: hunter22\n', 0o644);
    resetSettingsCache();
    const { warnings } = await loadSettings(path);
    assert.deepEqual(warnings, [
      'file mode 0644: the file holds secrets (vcenter_password) and every local user can read it; ' +
        'an enc:v1: value is no protection from whoever reads the file (its key is derived from /etc/machine-id, which every local user can read). ' +
        `Fix: chmod o-rwx ${path} (0640 owner root, group vctp, as installed; or 0600 owned by the user vctp runs as)`,
    ]);

    await chmod(path, 0o600);
    resetSettingsCache();
    assert.deepEqual((await loadSettings(path)).warnings, []);
  });

  it('names each secret, and says "read and change" for a world-writable file', async () => {
    const path = await settingsFile(
      '  vcenter_password: enc:v1:AAAA\n  encryption_key: k3y\n  database_driver: postgres\n  database_url: postgres://vctp:pw@db/vctp\n',
      0o666,
    );
    resetSettingsCache();
    const [warning, ...rest] = (await loadSettings(path)).warnings;
    assert.deepEqual(rest, []);
    assert.match(
      warning!,
      /^file mode 0666: the file holds secrets \(vcenter_password, encryption_key, database_url's password\) and every local user can read and change it; an enc:v1: value is no protection from whoever reads the file \(its key is the encryption_key in the same file\)\. Fix: chmod o-rwx /,
    );
  });

  it('does not warn about a file without secrets, or readable only by the group vctp runs as', async () => {
    resetSettingsCache();
    assert.deepEqual((await loadSettings(await settingsFile('  reports_dir: /srv/reports\n', 0o644))).warnings, []);
    // The temp file's group is this process's own (root's, in the test container): the group vctp runs as.
    const path = await settingsFile('  vcenter_password: hunter22\n', 0o640);
    resetSettingsCache();
    assert.deepEqual((await loadSettings(path)).warnings, []);
  });

  it('warns about another group that can read it', { skip: process.getuid?.() !== 0 && 'chown needs root' }, async () => {
    const path = await settingsFile('  vcenter_password: hunter22\n', 0o640);
    await chown(path, 0, 4242);
    resetSettingsCache();
    const { warnings } = await loadSettings(path);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^file mode 0640: the file holds secrets \(vcenter_password\) and the members of group (\S+ \(gid 4242\)|4242) can read it; /);
    assert.match(warnings[0]!, new RegExp(`Fix: chgrp vctp ${path} \\(the group vctp runs as\\), or chmod 0600 ${path} owned by the user vctp runs as$`));
  });

  it('accepts the group named vctp however vctp runs (secretsAtRestWarning, pure)', () => {
    const file = (mode: number, gid: number, name?: string): SettingsFileAccess => ({
      path: '/etc/dtms/vctp.yml',
      mode: 0o100000 | mode,
      gid,
      processGid: 0,
      groupName: (g) => (g === gid ? name : undefined),
    });
    const secret = { vcenter_password: 'enc:v1:AAAA' };
    assert.equal(secretsAtRestWarning(secret, file(0o640, 998, 'vctp')), undefined);
    assert.equal(secretsAtRestWarning(secret, file(0o640, 0, 'root')), undefined);
    assert.equal(secretsAtRestWarning(secret, file(0o600, 4, 'adm')), undefined);
    assert.equal(secretsAtRestWarning(secret, file(0o604, 998, 'vctp'))?.startsWith('file mode 0604: '), true);
    assert.match(secretsAtRestWarning(secret, file(0o640, 4, 'adm')) ?? '', /the members of group adm \(gid 4\) can read it/);
    assert.equal(secretsAtRestWarning({}, file(0o666, 4, 'adm')), undefined);
    assert.deepEqual(secretKeysOf({ database_url: 'postgres://db/vctp?password=x' }), ["database_url's password"]);
    assert.deepEqual(secretKeysOf({ database_url: 'postgres://vctp@db/vctp', auth_jwt_signing_key: 'a2V5' }), ['auth_jwt_signing_key']);
    assert.deepEqual(secretKeysOf({ database_url: '/var/lib/vctp/db.sqlite3' }), []);
    assert.deepEqual(secretKeysOf({ vcenters: [{ url: 'https://vc/sdk', username: 'u', password: 'enc:v1:x' }] }), ['vcenters passwords']);
    assert.deepEqual(secretKeysOf({ vcenters: [] }), []);
  });
});
