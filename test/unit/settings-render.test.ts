// The settings file `vctp init` writes: rendered from the answers, passwords as enc:v1: values,
// commented, and loading with zero problems and zero warnings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSettingsText, type InitAnswers } from '../../src/config/init-settings.js';
import { activeKey, decryptSecret, parseSettings, type HostIdentitySource } from '../../src/config/index.js';
import { renderSettingsFile } from '../../src/config/settings-render.js';
import { isVctpError } from '../../src/core/errors.js';

const HOST: HostIdentitySource = { readFile: () => 'feedfacefeedfacefeedfacefeedface', hostname: () => 'collector-1' };
const NOW = new Date('2026-12-01T19:00:00.123Z');
const options = { path: '/etc/dtms/vctp.yml', writtenBy: 'vctp init (root)', now: NOW, host: HOST };

// Values a YAML writer could get wrong: quotes, #, ': ', a leading *, digits only, non-ASCII.
const ANSWERS: InitAnswers = {
  vcenters: [
    { url: 'https://vc1.example.com/sdk', username: 'svc-vctp@vsphere.local', password: 'p"a#s: s\\w', shared: true },
    { url: 'https://vc2.example.com/sdk', username: 'svc-vctp@vsphere.local', password: 'p"a#s: s\\w', shared: true },
    { url: 'https://lab.example.com:8443/sdk', username: '0042', password: '*ünïcödé ✓', shared: false },
  ],
  vcenterInsecure: true,
  database: { driver: 'postgres', url: 'postgres://vctp:s%40cret@db.example.com:5432/vctp' },
  reportsDir: '/srv/vctp reports/#1',
  metricsTextfileDir: '/var/lib/prometheus/node-exporter',
  auth: { kind: 'ldap', bindAddress: 'ldaps://dc.example.com', baseDn: 'DC=example,DC=com', groupRoles: { 'CN=vctp admins,DC=example,DC=com': 'admin', 'CN=Staff: all,DC=example,DC=com': 'viewer' } },
};

describe('vctp init: the settings file', () => {
  it('loads with zero problems and zero warnings, and holds every answer', () => {
    const text = buildSettingsText(ANSWERS, options);
    const { settings, warnings } = parseSettings(text, options.path);
    assert.deepEqual(warnings, []);
    const key = activeKey(null, HOST);
    assert.deepEqual(settings.vcenter_addresses, ['https://vc1.example.com/sdk', 'https://vc2.example.com/sdk']);
    assert.equal(settings.vcenter_username, 'svc-vctp@vsphere.local');
    assert.equal(decryptSecret(settings.vcenter_password!, [key]), 'p"a#s: s\\w');
    assert.equal(settings.vcenters.length, 1);
    assert.equal(settings.vcenters[0]!.url, 'https://lab.example.com:8443/sdk');
    assert.equal(settings.vcenters[0]!.username, '0042');
    assert.equal(decryptSecret(settings.vcenters[0]!.password, [key]), '*ünïcödé ✓');
    assert.equal(settings.vcenter_insecure, true);
    assert.equal(settings.database_driver, 'postgres');
    assert.equal(settings.database_url, 'postgres://vctp:s%40cret@db.example.com:5432/vctp');
    assert.equal(settings.reports_dir, '/srv/vctp reports/#1');
    assert.equal(settings.metrics_textfile_dir, '/var/lib/prometheus/node-exporter');
    assert.equal(settings.auth_enabled, true);
    assert.equal(settings.auth_mode, 'required');
    assert.deepEqual(settings.auth_group_role_mappings, { 'CN=vctp admins,DC=example,DC=com': 'admin', 'CN=Staff: all,DC=example,DC=com': 'viewer' });
    assert.equal(Buffer.from(settings.auth_jwt_signing_key!, 'base64').length, 32);
  });

  it('stores passwords as enc:v1: values only, and says so in comments', () => {
    const text = buildSettingsText(ANSWERS, options);
    for (const secret of ['p"a#s: s\\w', 'p\\"a#s', '*ünïcödé ✓']) assert.ok(!text.includes(secret), secret);
    assert.equal(text.match(/password: "enc:v1:[A-Za-z0-9+/=]+"$/gm)?.length, 2);
    assert.match(text, /^# vctp settings, written by vctp init \(root\) at 2026-12-01T19:00:00Z\.$/m);
    assert.match(text, /^ {2}# Passwords are stored encrypted \(enc:v1:\.\.\.\)/m);
    assert.match(text, /^ {2}# vCenters with their own account/m);
    assert.match(text, /^ {2}# PostgreSQL: several collectors may share it/m);
    assert.match(text, /^ {2}# TLS certificates of the vCenters are NOT verified/m);
    assert.match(text, /^ {2}# --- Authentication \(vctp serve\)/m);
  });

  it('the smallest answers: one SQLite file, no metrics, no sign-in; every other key at its default', () => {
    const text = buildSettingsText(
      {
        vcenters: [{ url: 'https://vc1/sdk', username: 'ops', password: 'pa55word', shared: false }],
        database: { driver: 'sqlite', url: '/var/lib/vctp/db.sqlite3' },
        reportsDir: '/var/lib/vctp/reports',
        auth: { kind: 'none' },
      },
      options,
    );
    const { settings, warnings } = parseSettings(text, options.path);
    assert.deepEqual(warnings, []);
    assert.deepEqual(settings.vcenter_addresses, []);
    assert.equal(settings.vcenters[0]!.username, 'ops');
    assert.equal(settings.metrics_textfile_dir, undefined);
    assert.equal(settings.auth_enabled, false);
    assert.equal(settings.bind_port, 9443);
    assert.match(text, /^ {2}# Unset: no metrics files\./m);
  });

  it('encrypts with the kept encryption_key and keeps the kept JWT key', () => {
    const text = buildSettingsText(ANSWERS, { ...options, kept: { encryptionKey: 'site-key', jwtSigningKey: 'a2VwdC1rZXk=' } });
    const { settings } = parseSettings(text, options.path);
    assert.equal(settings.encryption_key, 'site-key');
    assert.equal(settings.auth_jwt_signing_key, 'a2VwdC1rZXk=');
    assert.equal(decryptSecret(settings.vcenters[0]!.password, [activeKey({ encryption_key: 'site-key' })]), '*ünïcödé ✓');
  });

  it('refuses answers the settings parser refuses, naming the setting, before anything is written', () => {
    const bad: InitAnswers = { ...ANSWERS, vcenters: [{ url: 'ftp://vc1/sdk', username: 'ops', password: 'pa55word', shared: true }], vcenterCaFile: '/nonexistent/ca.pem' };
    assert.throws(
      () => buildSettingsText(bad, options),
      (error: unknown) =>
        isVctpError(error) &&
        error.code === 'usage' &&
        /settings\.vcenter_addresses\[0\]: expected an http:\/\/ or https:\/\/ URL/.test(error.message) &&
        /settings\.vcenter_ca_file: /.test(error.message),
    );
  });

  it('renders pure text: the same draft gives the same file', () => {
    const draft = {
      shared: null,
      vcenters: [{ url: 'https://vc1/sdk', username: 'ops', password: 'enc:v1:AAAA' }],
      database: { driver: 'sqlite' as const, url: '/x.sqlite3' },
      reportsDir: '/r',
      auth: { kind: 'none' as const },
      writtenBy: 'test',
      writtenAt: '2026-12-01T19:00:00Z',
    };
    assert.equal(renderSettingsFile(draft), renderSettingsFile(draft));
    assert.match(renderSettingsFile(draft), /^ {2}vcenter_addresses: \[\]\n/m);
  });
});
