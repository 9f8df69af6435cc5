// `npm pack` of the project gives a tarball that `npm install -g --prefix DIR` turns into a working
// vctp (package.json "files"): the built dist/ and the drizzle migrations are in it, the sources and
// tests are not, and the installed vctp migrates a SQLite database, which loads better-sqlite3's
// addon (compiled from source during the install: no prebuilt binary is fetched). Needs npm and its
// registry for the dependencies; about a minute and a half, most of it that compile.
//
// The pack runs with --ignore-scripts: prepack (packaging/prepack.sh) would rebuild dist/ if a
// source were newer, under the other test files that run bin/vctp from it at the same time; the
// suite's set-up has built it already.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT } from './build-packages.js';
import { runCommand, type Run } from './overlay-host.js';

function ok(result: Run, what: string): Run {
  assert.equal(result.code, 0, `${what} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

// No network but the npm registry: better-sqlite3 compiles instead of downloading a prebuilt
// binary, and @scarf/scarf's install-time analytics stay off.
const NPM_ENV = {
  ...process.env,
  npm_config_build_from_source: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  SCARF_ANALYTICS: 'false',
  VCTP_SETTINGS: '',
};

describe('the npm tarball', { timeout: 20 * 60_000 }, () => {
  let dir: string;
  let tarball: string;
  let version: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vctp-npm-pack-'));
    const packed = ok(await runCommand('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, env: NPM_ENV }), 'npm pack');
    const [info] = JSON.parse(packed.stdout) as { filename: string; version: string }[];
    assert.ok(info);
    tarball = join(dir, info.filename);
    version = info.version;
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('holds bin, dist and the migrations of both engines, and no sources or tests', async (t) => {
    const files = ok(await runCommand('tar', ['-tzf', tarball]), 'tar -tzf').stdout.trim().split('\n');
    t.diagnostic(`${files.length} files`);
    for (const path of ['package/bin/vctp', 'package/dist/cli/main.js', 'package/package.json', 'package/vctp.yml.example', 'package/systemd/vctp-snapshot.timer']) {
      assert.ok(files.includes(path), `the tarball lacks ${path}`);
    }
    assert.ok(files.some((f) => /^package\/drizzle\/sqlite\/.+\.sql$/.test(f)), 'no SQLite migration in the tarball');
    assert.ok(files.some((f) => /^package\/drizzle\/postgres\/.+\.sql$/.test(f)), 'no PostgreSQL migration in the tarball');
    assert.deepEqual(
      files.filter((f) => /^package\/(src|test|scripts|node_modules|packaging)\//.test(f)),
      [],
      'sources, tests or dependencies in the tarball',
    );
  });

  it('installs globally into a prefix as a working vctp', async () => {
    const prefix = join(dir, 'prefix');
    ok(await runCommand('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: dir, env: NPM_ENV }), 'npm install -g');
    const vctp = join(prefix, 'bin/vctp');
    assert.equal(ok(await runCommand(vctp, ['--version'], { env: NPM_ENV }), 'vctp --version').stdout.trim(), version);

    const settings = join(dir, 'vctp.yml');
    writeFileSync(settings, `settings:\n  database_url: ${join(dir, 'db.sqlite3')}\n  reports_dir: ${join(dir, 'reports')}\n`);
    ok(await runCommand(vctp, ['-s', settings, 'db', 'migrate'], { env: NPM_ENV }), 'vctp db migrate');
    const status = ok(await runCommand(vctp, ['-s', settings, 'status', '--json'], { env: NPM_ENV }), 'vctp status --json');
    assert.deepEqual((JSON.parse(status.stdout) as { vcenters: unknown[] }).vcenters, []);
  });
});
