// The .deb and .rpm from packaging/build.sh (packaging/README.md). The .deb is installed into this
// machine with dpkg, in a mount namespace whose /etc, /usr and /var are throw-away overlays of the
// real ones (overlay-host.ts says why): the post-install (user, directories, settings, JWT key, TLS
// pair, enabled timers), vctp run as its user, an upgrade that keeps the operator's settings, then
// remove (settings and data kept) and purge (gone), in both orders. The .rpm's layout is listed
// with rpm -qlp and matches the .deb's; its payload unpacks and runs. Needs root, dpkg, rpm
// (Debian package rpm), openssl, npm with its registry (for the Node runtime and dependencies)
// and a C++ toolchain (better-sqlite3). Building takes about a minute once the addon is cached.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { buildPackages, type BuiltPackages } from './build-packages.js';
import { openHost, runCommand, type Host, type Run } from './overlay-host.js';

const TIMERS = ['vctp-aggregate-daily.timer', 'vctp-aggregate-monthly.timer', 'vctp-db-cleanup.timer', 'vctp-retention.timer', 'vctp-snapshot.timer'];

/** What the package itself puts on disk: every path of the .deb's payload (and of the .rpm's). */
const LAYOUT = [
  '/usr/bin/vctp',
  '/usr/lib/vctp/node/bin/node',
  '/usr/lib/vctp/bin/vctp',
  '/usr/lib/vctp/dist/cli/main.js',
  '/usr/lib/vctp/drizzle',
  '/usr/lib/vctp/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
  '/usr/lib/vctp/package.json',
  '/usr/lib/vctp/vctp.yml.example',
  '/usr/lib/vctp/packaging/configure.sh',
  '/usr/lib/vctp/packaging/jwt-key.mjs',
  '/etc/default/vctp',
  '/usr/lib/systemd/system/vctp.service',
  ...TIMERS.map((t) => `/usr/lib/systemd/system/${t}`),
  ...TIMERS.map((t) => `/usr/lib/systemd/system/${t.replace(/\.timer$/, '.service')}`),
  '/usr/lib/sysusers.d/vctp.conf',
];

/** What post-install makes, and purge removes. */
const MADE = ['/etc/dtms/vctp.yml', '/etc/dtms/vctp.crt', '/etc/dtms/vctp.key', '/var/lib/vctp', '/var/lib/vctp/reports'];

function ok(result: Run, what: string): Run {
  assert.equal(result.code, 0, `${what} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

describe('the .deb and .rpm packages', { timeout: 30 * 60_000 }, () => {
  let built: BuiltPackages;
  let host: Host;
  let userExisted = false;

  /** owner:group and octal mode of each path, or "absent". */
  async function stat(...paths: string[]): Promise<Record<string, string>> {
    const entries: Record<string, string> = {};
    for (const path of paths) {
      const r = await host.run('stat', ['-c', '%U:%G %a %F', path]);
      entries[path] = r.code === 0 ? r.stdout.trim() : 'absent';
    }
    return entries;
  }
  const exists = async (path: string) => (await host.run('test', ['-e', path])).code === 0;
  const asVctp = (args: string[]) => host.run('runuser', ['-u', 'vctp', '--', 'vctp', ...args]);
  const dpkg = async (args: string[]) => ok(await host.run('dpkg', args), `dpkg ${args.join(' ')}`);
  const install = async () => {
    const started = process.hrtime.bigint();
    const result = await dpkg(['-i', built.deb]);
    return { result, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  };

  before(async () => {
    built = await buildPackages();
    host = await openHost();
    if (!host.isolated) {
      // Straight onto this machine: only when nothing of vctp is there to lose.
      const status = await host.run('dpkg-query', ['-W', '-f=${Status}', 'vctp']);
      assert.ok(status.code !== 0 || !status.stdout.includes('installed'), 'the vctp package is installed on this machine; this test would purge it');
      for (const path of ['/etc/dtms/vctp.yml', '/var/lib/vctp']) assert.equal(await exists(path), false, `${path} exists on this machine; this test would purge it`);
    }
    userExisted = (await host.run('getent', ['passwd', 'vctp'])).code === 0;
  });

  after(async () => {
    try {
      if (host && !host.isolated) {
        await host.run('dpkg', ['--purge', 'vctp']);
        if (!userExisted) await host.run('userdel', ['vctp']);
        await host.run('rm', ['-rf', '/var/lib/vctp']);
        await host.run('rmdir', ['/etc/dtms']);
      }
    } finally {
      await host?.close();
      if (built) rmSync(built.dir, { recursive: true, force: true });
    }
  });

  it('says what the bundled binaries need of the system, and the .deb depends on it', async (t) => {
    t.diagnostic(`${host.isolated ? 'installing in an overlay namespace' : `installing on this machine (${host.reason})`}; ${built.floor.replace(/\n/g, '; ')}`);
    const glibc = /^glibc (\d+\.\d+)$/m.exec(built.floor)?.[1];
    assert.ok(glibc, built.floor);
    const control = ok(await runCommand('dpkg-deb', ['-f', built.deb, 'Depends', 'Version', 'Architecture']), 'dpkg-deb -f');
    assert.match(control.stdout, new RegExp(`^Depends: libc6 \\(>= ${glibc.replace('.', '\\.')}\\), libstdc\\+\\+6 \\(>= \\d+\\)`, 'm'));
    assert.match(control.stdout, new RegExp(`^Version: ${built.version}-1$`, 'm'));
    const requires = ok(await runCommand('rpm', ['-qp', '--requires', built.rpm]), 'rpm -qp --requires').stdout;
    assert.match(requires, new RegExp(`^glibc >= ${glibc.replace('.', '\\.')}$`, 'm'));
    // AutoReqProv: no: nothing but what the spec lists, the scriptlets' shell and rpm's own feature markers.
    const listed = new Set(requires.split('\n').filter((l) => l !== '' && !l.startsWith('rpmlib(')).map((l) => l.split(' ')[0]));
    assert.deepEqual([...listed].sort(), ['/bin/sh', 'glibc', 'libstdc++', 'shadow-utils']);
  });

  it('installs: the vctp user, its directories, settings with a JWT key, a TLS pair, the timers enabled', async (t) => {
    const { seconds } = await install();
    t.diagnostic(`dpkg -i took ${seconds.toFixed(1)} s`);
    const user = ok(await host.run('getent', ['passwd', 'vctp']), 'getent passwd vctp').stdout.split(':');
    assert.equal(user[5], '/var/lib/vctp');
    assert.match(user[6]!, /nologin/);

    assert.deepEqual(await stat('/usr/bin/vctp', '/usr/lib/vctp/node/bin/node', '/etc/default/vctp', '/usr/lib/systemd/system/vctp-snapshot.timer'), {
      '/usr/bin/vctp': 'root:root 755 regular file',
      '/usr/lib/vctp/node/bin/node': 'root:root 755 regular file',
      '/etc/default/vctp': 'root:root 644 regular file',
      '/usr/lib/systemd/system/vctp-snapshot.timer': 'root:root 644 regular file',
    });
    assert.deepEqual(await stat('/etc/dtms', ...MADE), {
      '/etc/dtms': 'root:root 755 directory',
      '/etc/dtms/vctp.yml': 'root:vctp 640 regular file',
      '/etc/dtms/vctp.crt': 'root:vctp 644 regular file',
      '/etc/dtms/vctp.key': 'root:vctp 640 regular file',
      '/var/lib/vctp': 'vctp:vctp 750 directory',
      '/var/lib/vctp/reports': 'vctp:vctp 750 directory',
    });

    // The settings are the example plus a JWT key: 48 random bytes, base64.
    const written = parse(ok(await host.run('cat', ['/etc/dtms/vctp.yml']), 'cat vctp.yml').stdout) as { settings: Record<string, unknown> };
    const example = parse(ok(await host.run('cat', ['/usr/lib/vctp/vctp.yml.example']), 'cat example').stdout) as { settings: Record<string, unknown> };
    const key = written.settings.auth_jwt_signing_key;
    assert.equal(typeof key, 'string');
    assert.equal(Buffer.from(key as string, 'base64').length, 48);
    assert.deepEqual(written.settings, { ...example.settings, auth_jwt_signing_key: key });

    // The TLS pair: the key belongs to the certificate, which names localhost.
    const certKey = ok(await host.run('openssl', ['x509', '-in', '/etc/dtms/vctp.crt', '-noout', '-pubkey']), 'openssl x509').stdout;
    const keyKey = ok(await host.run('openssl', ['pkey', '-in', '/etc/dtms/vctp.key', '-pubout']), 'openssl pkey').stdout;
    assert.equal(certKey, keyKey);
    assert.match(ok(await host.run('openssl', ['x509', '-in', '/etc/dtms/vctp.crt', '-noout', '-ext', 'subjectAltName']), 'openssl x509 -ext').stdout, /DNS:localhost/);

    // Enabled (for the next boot), not started: the server's unit stays off.
    const wants = ok(await host.run('ls', ['/etc/systemd/system/timers.target.wants']), 'ls timers.target.wants').stdout.split('\n');
    assert.deepEqual(wants.filter((w) => w.startsWith('vctp')).sort(), TIMERS);
    assert.equal(await exists('/etc/systemd/system/multi-user.target.wants/vctp.service'), false);
  });

  it('runs as the vctp user with its own Node: --version, doctor --json, db migrate, status', async () => {
    const version = ok(await asVctp(['--version']), 'vctp --version').stdout.trim();
    assert.equal(version, built.version);
    const node = ok(await host.run('/usr/lib/vctp/node/bin/node', ['--version']), 'bundled node --version').stdout.trim();
    assert.match(node, /^v20\.\d+\.\d+$/);

    type Check = { check: string; status: string; detail: string; warnings?: string[] };
    const doctor = async () => {
      const r = await asVctp(['doctor', '--json']);
      return { code: r.code, checks: JSON.parse(r.stdout) as Check[], stderr: r.stderr };
    };
    const find = (checks: Check[], name: string) => checks.find((c) => c.check === name) ?? assert.fail(`doctor has no ${name} check`);
    const first = await doctor();
    // A fresh install: the settings load with no warning (mode and group are right), but no
    // vCenter is configured yet and no job has made the database.
    assert.equal(first.code, 1, first.stderr);
    assert.equal(find(first.checks, 'settings').status, 'ok');
    assert.deepEqual(find(first.checks, 'settings').warnings, []);
    assert.equal(find(first.checks, 'vcenters').status, 'fail');
    assert.match(find(first.checks, 'database').detail, /\/var\/lib\/vctp\/db\.sqlite3 does not exist yet/);
    assert.equal(find(first.checks, 'disk: reports_dir').status, 'ok');

    ok(await asVctp(['db', 'migrate']), 'vctp db migrate');
    const second = await doctor();
    assert.equal(find(second.checks, 'database').status, 'ok', find(second.checks, 'database').detail);
    const status = ok(await asVctp(['status']), 'vctp status');
    assert.match(status.stdout, /database: sqlite:\/var\/lib\/vctp\/db\.sqlite3/);
    assert.deepEqual(await stat('/var/lib/vctp/db.sqlite3'), { '/var/lib/vctp/db.sqlite3': 'vctp:vctp 640 regular file' });
  });

  it('/usr/bin/vctp takes VCTP_SETTINGS from /etc/default/vctp unless the environment has it', async () => {
    const original = ok(await host.run('cat', ['/etc/default/vctp']), 'cat /etc/default/vctp').stdout;
    try {
      ok(await host.run('sh', ['-c', 'printf "%s\\n" "VCTP_SETTINGS=\\"/etc/dtms/elsewhere.yml\\"" >>/etc/default/vctp']), 'append');
      const r = await asVctp(['status']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /\/etc\/dtms\/elsewhere\.yml/);
      ok(await host.run('runuser', ['-u', 'vctp', '--', 'env', 'VCTP_SETTINGS=/etc/dtms/vctp.yml', 'vctp', 'status']), 'vctp status, VCTP_SETTINGS set');
      ok(await asVctp(['-s', '/etc/dtms/vctp.yml', 'status']), 'vctp -s status');
    } finally {
      await host.run('sh', ['-c', 'cat >/etc/default/vctp'], { input: original });
    }
  });

  it('an upgrade (the same package again) keeps the operator\'s settings, key, TLS pair and timer choices', async () => {
    ok(await host.run('sed', ['-i', 's/^  log_level: info$/  log_level: debug/', '/etc/dtms/vctp.yml']), 'sed');
    ok(await host.run('systemctl', ['disable', 'vctp-retention.timer']), 'systemctl disable (offline)');
    const read = async () =>
      (await Promise.all(['/etc/dtms/vctp.yml', '/etc/dtms/vctp.crt', '/etc/dtms/vctp.key'].map(async (p) => ok(await host.run('cat', [p]), p).stdout))).join('\n');
    const before = await read();
    assert.match(before, /log_level: debug/);
    await install();
    assert.equal(await read(), before);
    assert.equal(await exists('/etc/systemd/system/timers.target.wants/vctp-retention.timer'), false, 'a disabled timer stays disabled');
    assert.equal(await exists('/etc/systemd/system/timers.target.wants/vctp-snapshot.timer'), true);
    ok(await asVctp(['status']), 'vctp status after the upgrade');
  });

  it('remove keeps settings and data; purge then removes them (the vctp user stays)', async () => {
    await dpkg(['--remove', 'vctp']);
    for (const path of ['/usr/bin/vctp', '/usr/lib/vctp', '/usr/lib/systemd/system/vctp-snapshot.timer']) assert.equal(await exists(path), false, `${path} after remove`);
    for (const path of [...MADE, '/var/lib/vctp/db.sqlite3', '/etc/default/vctp']) assert.equal(await exists(path), true, `${path} after remove`);
    assert.match(ok(await host.run('dpkg-query', ['-W', '-f=${Status}', 'vctp']), 'dpkg-query').stdout, /deinstall ok config-files/);

    await dpkg(['--purge', 'vctp']);
    await assertPurged();
  });

  it('purge straight from installed removes everything too', async () => {
    await install();
    assert.equal(await exists('/etc/dtms/vctp.yml'), true);
    await dpkg(['--purge', 'vctp']);
    await assertPurged();
  });

  it('installs without openssl: says so, makes no TLS pair, the rest works', async (t) => {
    if (!host.isolated) return t.skip('hides openssl, which only the overlay namespace can do harmlessly');
    const openssl = ok(await host.run('sh', ['-c', 'command -v openssl']), 'command -v openssl').stdout.trim();
    ok(await host.run('mv', [openssl, `${openssl}.hidden`]), 'hide openssl');
    try {
      const { result } = await install();
      assert.match(result.stdout, /openssl is not installed: no TLS pair made/);
      assert.deepEqual(await stat('/etc/dtms/vctp.crt', '/etc/dtms/vctp.key'), { '/etc/dtms/vctp.crt': 'absent', '/etc/dtms/vctp.key': 'absent' });
      assert.equal(typeof keyOfInstalled(ok(await host.run('cat', ['/etc/dtms/vctp.yml']), 'cat').stdout), 'string', 'the JWT key needs no openssl');
      ok(await asVctp(['db', 'migrate']), 'vctp db migrate');
    } finally {
      await host.run('mv', [`${openssl}.hidden`, openssl]);
    }
    await dpkg(['--purge', 'vctp']);
    await assertPurged();
  });

  const keyOfInstalled = (text: string) => (parse(text) as { settings: Record<string, unknown> }).settings.auth_jwt_signing_key;

  async function assertPurged(): Promise<void> {
    for (const path of [...MADE, '/etc/dtms', '/etc/default/vctp', '/usr/lib/vctp']) assert.equal(await exists(path), false, `${path} after purge`);
    const left = await host.run('sh', ['-c', 'ls -d /etc/systemd/system/vctp* /etc/systemd/system/*.wants/vctp* /var/lib/systemd/deb-systemd-helper-*/*vctp* 2>/dev/null || true']);
    assert.equal(left.stdout, '', 'systemd links or deb-systemd-helper state left after purge');
    const status = await host.run('dpkg-query', ['-W', '-f=${Status}', 'vctp']);
    assert.ok(status.code !== 0 || /not-installed/.test(status.stdout), `dpkg still knows vctp: ${status.stdout}`);
    // The account is kept on purge (deb/postrm says why); it must be there, unchanged.
    ok(await host.run('getent', ['passwd', 'vctp']), 'getent passwd vctp after purge');
  }

  it('the .rpm lists the same layout, marks /etc/default/vctp as configuration, and its payload runs', async () => {
    const rpmFiles = new Set(ok(await runCommand('rpm', ['-qlp', built.rpm]), 'rpm -qlp').stdout.trim().split('\n'));
    for (const path of LAYOUT) assert.ok(rpmFiles.has(path), `rpm -qlp lacks ${path}`);
    // The same files as the .deb (dpkg-deb -c prints ./path; directories end in /).
    const debPaths = ok(await runCommand('dpkg-deb', ['-c', built.deb]), 'dpkg-deb -c')
      .stdout.trim()
      .split('\n')
      .map((line) => line.slice(line.indexOf(' ./') + 2).replace(/ -> .*$/, ''));
    const debFiles = new Set(debPaths.filter((p) => !p.endsWith('/')));
    const debDirs = new Set(debPaths.filter((p) => p.endsWith('/')).map((p) => p.replace(/\/$/, '')));
    assert.deepEqual([...debFiles].filter((p) => !rpmFiles.has(p)), [], 'files of the .deb missing from the .rpm');
    assert.deepEqual([...rpmFiles].filter((p) => !debFiles.has(p) && !debDirs.has(p)), [], 'paths of the .rpm that the .deb lacks');
    assert.equal(ok(await runCommand('rpm', ['-qpc', built.rpm]), 'rpm -qpc').stdout.trim(), '/etc/default/vctp');
    const debArch = ok(await runCommand('dpkg-deb', ['-f', built.deb, 'Architecture']), 'dpkg-deb -f').stdout.trim();
    const rpmArch = ok(await runCommand('rpm', ['-qp', '--qf', '%{ARCH}', built.rpm]), 'rpm -qp --qf').stdout.trim();
    assert.equal(rpmArch, { amd64: 'x86_64', arm64: 'aarch64' }[debArch]);
    const scripts = ok(await runCommand('rpm', ['-qp', '--scripts', built.rpm]), 'rpm -qp --scripts').stdout;
    assert.match(scripts, /postinstall scriptlet[^\n]*\n\/usr\/lib\/vctp\/packaging\/configure\.sh/);

    // Unpacked into an empty root with rpm itself (its database there, no scripts): the runtime
    // and the app work from the payload.
    const root = `${built.dir}/rpm-root`;
    ok(await runCommand('rpm', ['--root', root, '--initdb']), 'rpm --initdb');
    ok(await runCommand('rpm', ['--root', root, '-i', '--nodeps', '--noscripts', built.rpm]), 'rpm -i --root');
    const version = ok(await runCommand(`${root}/usr/lib/vctp/node/bin/node`, [`${root}/usr/lib/vctp/bin/vctp`, '--version'], { env: { ...process.env, VCTP_SETTINGS: '' } }), 'vctp --version from the rpm');
    assert.equal(version.stdout.trim(), built.version);
  });

  it('the .rpm\'s scriptlets: %post sets up and enables the timers, rpm -e disables them and keeps settings and data', async (t) => {
    if (!host.isolated) return t.skip('rpm -i with scriptlets on a Debian host: only in the overlay namespace');
    // rpm's own database knows nothing of Debian's glibc: --nodeps. The scriptlets run for real.
    ok(await host.run('rpm', ['-i', '--nodeps', built.rpm]), 'rpm -i');
    assert.deepEqual(await stat('/etc/dtms/vctp.yml', '/var/lib/vctp'), { '/etc/dtms/vctp.yml': 'root:vctp 640 regular file', '/var/lib/vctp': 'vctp:vctp 750 directory' });
    const wants = () => host.run('sh', ['-c', 'ls /etc/systemd/system/timers.target.wants | grep ^vctp || true']);
    assert.deepEqual(ok(await wants(), 'ls').stdout.trim().split('\n').sort(), TIMERS);
    assert.equal(ok(await asVctp(['--version']), 'vctp --version').stdout.trim(), built.version);

    ok(await host.run('rpm', ['-e', '--nodeps', 'vctp']), 'rpm -e');
    assert.equal(await exists('/usr/bin/vctp'), false);
    assert.equal(ok(await wants(), 'ls').stdout.trim(), '', 'rpm -e disables the timers');
    for (const path of MADE) assert.equal(await exists(path), true, `${path} after rpm -e`);
  });
});
