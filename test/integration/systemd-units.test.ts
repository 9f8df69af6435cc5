// The systemd units in systemd/ (systemd/README.md): systemd itself accepts them, every command
// they run exists in vctp's command tree, every timer and service carries the settings the README
// promises, each service's sandbox scores as documented, and the schedules fire when they say.
// Needs systemd-analyze (Debian package systemd); no running systemd: everything is offline.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';

const run = promisify(execFile);
const UNITS_DIR = fileURLToPath(new URL('../../systemd/', import.meta.url));
const VCTP_BIN = fileURLToPath(new URL('../../bin/vctp', import.meta.url));
const INSTALLED_BIN = '/usr/bin/vctp';

// ---- reading unit files ------------------------------------------------------------------------

interface Entry {
  key: string;
  value: string;
}
interface Unit {
  name: string;
  text: string;
  sections: Map<string, Entry[]>;
}

/** systemd.syntax(7): [Section] headers, Key=Value lines, # and ; comments, \ continuations. */
function parseUnit(name: string, text: string): Unit {
  const sections = new Map<string, Entry[]>();
  let current: Entry[] | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[(i += 1)]!.trim()}`;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = sections.get(header[1]!) ?? [];
      sections.set(header[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(current && eq > 0, `${name}: not a Key=Value line in a section: ${line}`);
    current.push({ key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim() });
  }
  return { name, text, sections };
}

/** Every value of `key` in `section`, in order (an empty assignment is kept: it resets a list). */
function values(unit: Unit, section: string, key: string): string[] {
  return (unit.sections.get(section) ?? []).filter((e) => e.key === key).map((e) => e.value);
}

/** The one value of `key`; fails when it is missing or set twice. */
function single(unit: Unit, section: string, key: string): string {
  const found = values(unit, section, key);
  assert.equal(found.length, 1, `${unit.name}: [${section}] ${key}= is set ${found.length} times, expected once`);
  return found[0]!;
}

const TRUE = new Set(['yes', 'true', 'on', '1']);

const unitFiles = readdirSync(UNITS_DIR).filter((f) => f.endsWith('.service') || f.endsWith('.timer')).sort();
const units = new Map(unitFiles.map((f) => [f, parseUnit(f, readFileSync(join(UNITS_DIR, f), 'utf8'))]));
const services = [...units.values()].filter((u) => u.name.endsWith('.service'));
const timers = [...units.values()].filter((u) => u.name.endsWith('.timer'));

/** `vctp serve`: long-running, started at boot, no timer. */
const SERVER_UNIT = 'vctp.service';
const timedServices = services.filter((s) => s.name !== SERVER_UNIT);

/** What each service runs, in order (ExecStart= then ExecStopPost=): the commands as typed after `vctp`. */
const EXPECTED_COMMANDS: Record<string, string[]> = {
  [SERVER_UNIT]: ['serve'],
  'vctp-snapshot.service': ['snapshot', 'report pending'],
  'vctp-aggregate-daily.service': ['aggregate daily', 'report pending'],
  'vctp-aggregate-monthly.service': ['aggregate monthly', 'report pending'],
  'vctp-retention.service': ['retention'],
  'vctp-db-cleanup.service': ['db cleanup'],
};

const EXEC_KEYS = ['ExecStartPre', 'ExecStart', 'ExecStartPost', 'ExecReload', 'ExecStop', 'ExecStopPost', 'ExecCondition'];

/** The command lines of a service in execution order, with systemd's prefixes (-, @, :, +, !) removed. */
function commandLines(unit: Unit): string[] {
  return EXEC_KEYS.flatMap((key) => values(unit, 'Service', key)).map((line) => line.replace(/^[-@:+!]+/, ''));
}

async function analyze(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> {
  return run('systemd-analyze', args, { env: { ...process.env, SYSTEMD_PAGER: '', SYSTEMD_COLORS: '0', ...env }, maxBuffer: 16 * 1024 * 1024 });
}

/** A systemd time span (`50min`, `120`, `1s`) in seconds, as systemd reads it. */
async function seconds(span: string): Promise<number> {
  const { stdout } = await analyze(['timespan', span]);
  const us = /μs: (\d+)/.exec(stdout);
  assert.ok(us, `systemd-analyze timespan ${span}: ${stdout}`);
  return Number(us[1]) / 1e6;
}

// ---- the tests ---------------------------------------------------------------------------------

describe('systemd units', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'vctp-systemd-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('has the five timed services, each with its timer, and the server\'s unit', () => {
    assert.deepEqual(services.map((s) => s.name).sort(), Object.keys(EXPECTED_COMMANDS).sort());
    assert.deepEqual(timers.map((t) => t.name.replace(/\.timer$/, '')).sort(), timedServices.map((s) => s.name.replace(/\.service$/, '')).sort());
  });

  it('passes systemd-analyze verify with nothing on stderr', async () => {
    // verify checks that ExecStart's binary exists and is executable: copies of the units point at
    // this checkout's bin/vctp instead of the installed /usr/bin/vctp. It does not resolve User=
    // (systemd 252 says nothing when the vctp user is missing), so no stderr line is expected at all.
    accessSync(VCTP_BIN, constants.X_OK);
    for (const unit of units.values()) writeFileSync(join(scratch, unit.name), unit.text.replaceAll(INSTALLED_BIN, VCTP_BIN));
    for (const name of units.keys()) {
      // Run from the scratch directory: a .timer's service is loaded from beside it.
      const { stderr } = await run('systemd-analyze', ['verify', '--man=no', join(scratch, name)], { cwd: scratch, env: { ...process.env, SYSTEMD_PAGER: '' } }).catch(
        (error: { code: number; stderr: string }) => assert.fail(`systemd-analyze verify ${name} exited ${error.code}:\n${error.stderr}`),
      );
      assert.equal(stderr, '', `systemd-analyze verify ${name}`);
    }
  });

  it('runs only commands that exist in vctp\'s command tree', () => {
    const program = buildProgram('0.0.0');
    const takesValue = (command: Command, flag: string) => command.options.some((o) => (o.long === flag || o.short === flag) && (o.required || o.optional));
    const known = (command: Command, flag: string) => command.options.some((o) => o.long === flag.split('=')[0] || o.short === flag);

    /** `vctp -s F report pending --json` -> 'report pending', checking every option on the way. */
    function resolve(unit: string, line: string): string {
      assert.doesNotMatch(line, /["'$%]/, `${unit}: keep command lines free of quoting, variables and specifiers: ${line}`);
      const [bin, ...args] = line.split(/\s+/);
      assert.equal(bin, INSTALLED_BIN, `${unit}: every command runs ${INSTALLED_BIN}: ${line}`);
      let i = 0;
      // Global options (-s FILE, --settings=FILE, --log-level LEVEL) come before the command.
      while (i < args.length && args[i]!.startsWith('-')) {
        const flag = args[i]!;
        assert.ok(known(program, flag), `${unit}: unknown global option ${flag}: ${line}`);
        i += takesValue(program, flag) && !flag.includes('=') ? 2 : 1;
      }
      let command: Command = program;
      const path: string[] = [];
      while (i < args.length && !args[i]!.startsWith('-')) {
        const word = args[i]!;
        const next = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
        assert.ok(next, `${unit}: \`${[...path, word].join(' ')}\` is not a vctp command: ${line}`);
        command = next;
        path.push(word);
        i += 1;
      }
      assert.ok(path.length > 0, `${unit}: no command: ${line}`);
      // A command with subcommands runs only when it has an action of its own (`snapshot` does,
      // beside `snapshot delete`); commander has no public way to ask, so its field is read.
      const runnable = command.commands.length === 0 || (command as unknown as { _actionHandler: unknown })._actionHandler != null;
      assert.ok(runnable, `${unit}: \`${path.join(' ')}\` needs a subcommand: ${line}`);
      for (; i < args.length; i += 1) {
        const flag = args[i]!;
        assert.ok(flag.startsWith('-') && (known(command, flag) || known(program, flag)), `${unit}: \`${path.join(' ')}\` has no option ${flag}: ${line}`);
        if ((takesValue(command, flag) || takesValue(program, flag)) && !flag.includes('=')) i += 1;
      }
      return path.join(' ');
    }

    for (const service of services) {
      const commands = commandLines(service).map((line) => resolve(service.name, line));
      assert.deepEqual(commands, EXPECTED_COMMANDS[service.name], service.name);
    }
  });

  it('gives every timer a schedule that catches up, a small random delay and its service', async () => {
    for (const timer of timers) {
      assert.ok(single(timer, 'Timer', 'OnCalendar'), `${timer.name}: OnCalendar=`);
      assert.ok(TRUE.has(single(timer, 'Timer', 'Persistent')), `${timer.name}: Persistent=true`);
      const delay = await seconds(single(timer, 'Timer', 'RandomizedDelaySec'));
      assert.ok(delay > 0 && delay <= 300, `${timer.name}: RandomizedDelaySec= ${delay} s, expected a small delay`);
      const accuracy = await seconds(single(timer, 'Timer', 'AccuracySec'));
      assert.ok(accuracy > 0 && accuracy <= 60, `${timer.name}: AccuracySec= ${accuracy} s`);
      const target = values(timer, 'Timer', 'Unit')[0] ?? timer.name.replace(/\.timer$/, '.service');
      assert.ok(units.has(target), `${timer.name}: starts ${target}, which is not in systemd/`);
      assert.deepEqual(values(timer, 'Install', 'WantedBy'), ['timers.target'], timer.name);
    }
  });

  it('runs every timed service as a sandboxed oneshot of user vctp, and the server sandboxed the same but for binding port 443', async () => {
    // The settings systemd/README.md documents, identical in every service.
    const required: Record<string, string> = {
      Type: 'oneshot',
      User: 'vctp',
      Group: 'vctp',
      EnvironmentFile: '-/etc/default/vctp',
      ProtectSystem: 'strict',
      StateDirectory: 'vctp',
      NoNewPrivileges: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      ProtectHome: 'yes',
      ProtectKernelTunables: 'yes',
      ProtectKernelModules: 'yes',
      ProtectKernelLogs: 'yes',
      ProtectControlGroups: 'yes',
      ProtectClock: 'yes',
      ProtectHostname: 'yes',
      ProtectProc: 'invisible',
      ProcSubset: 'pid',
      PrivateUsers: 'yes',
      RestrictNamespaces: 'yes',
      RestrictRealtime: 'yes',
      RestrictSUIDSGID: 'yes',
      LockPersonality: 'yes',
      CapabilityBoundingSet: '',
      AmbientCapabilities: '',
      RestrictAddressFamilies: 'AF_UNIX AF_INET AF_INET6',
      SystemCallArchitectures: 'native',
      SystemCallErrorNumber: 'EPERM',
      UMask: '0027',
    };
    // The server: started once its binary runs, restarted on failure, stopped within its drain, and
    // able to bind a port below 1024 (CAP_NET_BIND_SERVICE, which a user namespace would void).
    const server: Record<string, string> = {
      Type: 'exec',
      Restart: 'on-failure',
      CapabilityBoundingSet: 'CAP_NET_BIND_SERVICE',
      AmbientCapabilities: 'CAP_NET_BIND_SERVICE',
      PrivateUsers: 'no',
    };
    for (const service of services) {
      const expected = service.name === SERVER_UNIT ? { ...required, ...server } : required;
      for (const [key, value] of Object.entries(expected)) assert.equal(single(service, 'Service', key), value, `${service.name}: ${key}=`);
      const filters = values(service, 'Service', 'SystemCallFilter');
      assert.ok(filters.some((f) => f.split(/\s+/).includes('@system-service')), `${service.name}: SystemCallFilter=@system-service`);
      assert.deepEqual(values(service, 'Service', 'ReadWritePaths'), ['/var/lib/vctp', '-/var/lib/node_exporter/textfile_collector'], service.name);
      // V8's JIT needs writable then executable memory: Node aborts under MemoryDenyWriteExecute=yes.
      for (const v of values(service, 'Service', 'MemoryDenyWriteExecute')) assert.ok(!TRUE.has(v), `${service.name}: MemoryDenyWriteExecute=${v} kills Node`);
      assert.match(service.text, /MemoryDenyWriteExecute= stays OFF/, `${service.name}: says why MemoryDenyWriteExecute= is off`);
      const timeout = single(service, 'Service', 'TimeoutStartSec');
      assert.ok(!/^(infinity|0)$/.test(timeout), `${service.name}: TimeoutStartSec=${timeout} must bound the run`);
      assert.ok((await seconds(timeout)) > 0, `${service.name}: TimeoutStartSec=${timeout}`);
    }
  });

  it('scores an exposure of at most 2.5 in systemd-analyze security', async () => {
    for (const service of services) {
      const { stdout } = await analyze(['security', '--offline=true', '--no-pager', join(UNITS_DIR, service.name)]);
      const level = /Overall exposure level for \S+: (\d+(?:\.\d+)?)/.exec(stdout);
      assert.ok(level, `${service.name}: no exposure level in:\n${stdout}`);
      const exposure = Number(level[1]);
      assert.ok(Number.isFinite(exposure), `${service.name}: ${level[1]}`);
      assert.ok(exposure <= 2.5, `${service.name}: exposure ${exposure} > 2.5:\n${stdout}`);
    }
  });

  describe('schedules (systemd-analyze calendar, in UTC)', () => {
    const timerOf = (name: string) => {
      const unit = units.get(`${name}.timer`);
      assert.ok(unit, `${name}.timer`);
      return unit;
    };
    /** The next `count` elapses of `name`'s OnCalendar= after 2027-01-30 12:00 UTC, as Dates. */
    async function elapses(name: string, count: number): Promise<Date[]> {
      const spec = single(timerOf(name), 'Timer', 'OnCalendar');
      const { stdout } = await analyze(['calendar', `--iterations=${count}`, '--base-time=2027-01-30 12:00:00 UTC', spec], { TZ: 'UTC' });
      assert.match(stdout, /Normalized form: /, `${name}: ${spec}`);
      const times = [...stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC/g)].map((m) => new Date(`${m[1]}T${m[2]}Z`));
      assert.equal(times.length, count, `${name}: ${stdout}`);
      return times;
    }
    const secondOfDay = (d: Date) => d.getUTCHours() * 3600 + d.getUTCMinutes() * 60 + d.getUTCSeconds();
    const delayOf = (name: string) => seconds(single(timerOf(name), 'Timer', 'RandomizedDelaySec'));

    it('snapshots at the top of every hour, and each run ends before the next begins', async () => {
      const times = await elapses('vctp-snapshot', 25);
      for (const [i, t] of times.entries()) {
        assert.equal(t.getUTCMinutes() * 60 + t.getUTCSeconds(), 0, `snapshot at ${t.toISOString()}`);
        if (i > 0) assert.equal(t.getTime() - times[i - 1]!.getTime(), 3600_000);
      }
      // Latest start (random delay plus accuracy) plus the longest run stays inside the hour.
      const timer = timerOf('vctp-snapshot');
      const latestEnd =
        (await seconds(single(timer, 'Timer', 'RandomizedDelaySec'))) +
        (await seconds(single(timer, 'Timer', 'AccuracySec'))) +
        (await seconds(single(units.get('vctp-snapshot.service')!, 'Service', 'TimeoutStartSec')));
      assert.ok(latestEnd < 3600, `a snapshot may still run ${latestEnd} s after the hour`);
    });

    it('aggregates each day at 00:xx UTC', async () => {
      const times = await elapses('vctp-aggregate-daily', 3);
      for (const [i, t] of times.entries()) {
        assert.equal(t.getUTCHours(), 0, `daily aggregation at ${t.toISOString()}`);
        if (i > 0) assert.equal(t.getTime() - times[i - 1]!.getTime(), 86_400_000);
      }
      // The day's 23:00 snapshot has ended by then: the test above bounds it within its hour.
    });

    it('aggregates each month on the 1st, after that day\'s daily run', async () => {
      const times = await elapses('vctp-aggregate-monthly', 3);
      assert.deepEqual(times.map((t) => t.toISOString().slice(0, 10)), ['2027-02-01', '2027-03-01', '2027-04-01']);
      const [daily] = await elapses('vctp-aggregate-daily', 1);
      assert.ok(secondOfDay(times[0]!) > secondOfDay(daily!) + (await delayOf('vctp-aggregate-daily')), 'monthly starts after the daily run');
    });

    it('runs retention and then the database cleanup once a day, at quiet minutes', async () => {
      const retention = await elapses('vctp-retention', 2);
      const cleanup = await elapses('vctp-db-cleanup', 2);
      for (const times of [retention, cleanup]) {
        assert.equal(times[1]!.getTime() - times[0]!.getTime(), 86_400_000);
        // Half past: the hourly snapshot (top of the hour, seconds long) is not waiting on their locks.
        assert.equal(times[0]!.getUTCMinutes(), 30);
      }
      assert.ok(secondOfDay(cleanup[0]!) > secondOfDay(retention[0]!) + (await delayOf('vctp-retention')), 'cleanup starts after retention');
    });
  });
});
