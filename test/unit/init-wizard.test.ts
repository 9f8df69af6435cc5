// The `vctp init` wizard's flow with scripted prompts and checks: the order of the questions, "same
// credentials as the previous vCenter?", a failed login followed by new credentials, keep-anyway,
// and how the answers map onto vcenter_addresses (one shared account) or vcenters (several).
// (The real prompts on a pseudo-terminal: test/e2e/init-wizard-pty.test.ts.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runInitWizard, type Choice, type Prompter, type WizardChecks } from '../../src/cli/commands/init-wizard.js';
import { normaliseVcenterUrl } from '../../src/cli/commands/init-values.js';
import type { CheckOutcome } from '../../src/jobs/init-checks.js';

type Step =
  | { input: RegExp; answer: string }
  | { password: RegExp; answer: string }
  | { confirm: RegExp; answer: boolean }
  | { select: RegExp; answer: string | ((choices: readonly Choice<unknown>[]) => unknown) };

/** A prompter that expects exactly `steps`, in order; an input answer must pass the prompt's own validate. */
function scripted(steps: Step[]): Prompter & { asked: string[]; done(): void } {
  const queue = [...steps];
  const asked: string[] = [];
  const next = (kind: string, message: string): Step => {
    asked.push(`${kind}: ${message}`);
    const step = queue.shift();
    assert.ok(step, `unexpected ${kind} "${message}"`);
    const pattern = (step as Record<string, unknown>)[kind];
    assert.ok(pattern instanceof RegExp, `expected ${Object.keys(step)[0]}, got ${kind} "${message}"`);
    assert.match(message, pattern);
    return step;
  };
  return {
    asked,
    done: () => assert.deepEqual(queue, [], 'every scripted answer was asked for'),
    async input(message, options = {}) {
      const step = next('input', message) as { answer: string };
      const answer = step.answer === '' && options.default !== undefined ? options.default : step.answer;
      assert.equal(options.validate?.(answer) ?? true, true, `the answer ${JSON.stringify(answer)} to "${message}" passes its validation`);
      return answer;
    },
    async password(message) {
      return (next('password', message) as { answer: string }).answer;
    },
    async confirm(message) {
      return (next('confirm', message) as { answer: boolean }).answer;
    },
    async select<T>(message: string, choices: readonly Choice<T>[]): Promise<T> {
      const step = next('select', message) as { answer: string | ((c: readonly Choice<unknown>[]) => unknown) };
      if (typeof step.answer === 'function') return step.answer(choices) as T;
      const choice = choices.find((c) => c.value === step.answer);
      assert.ok(choice, `"${message}" offers ${step.answer}`);
      return choice.value;
    },
  };
}

/** vCenter logins succeed only with `valid` passwords; each try is recorded. */
function checks(valid: Record<string, string>): WizardChecks & { tried: string[] } {
  const tried: string[] = [];
  return {
    tried,
    async vcenter(login) {
      tried.push(`${login.url} ${login.username}/${login.password} ca=${login.caFile} insecure=${login.insecure}`);
      return valid[login.url] === login.password
        ? ({ ok: true, detail: `login ok as ${login.username}` } satisfies CheckOutcome)
        : { ok: false, error: 'vCenter refused the login: incorrect user name or password' };
    },
    async database(database) {
      tried.push(`db ${database.driver} ${database.url}`);
      return database.url.includes('unreachable') ? { ok: false, error: 'connection refused' } : { ok: true, detail: 'fine' };
    },
  };
}

describe('vctp init wizard (scripted prompts)', () => {
  it('two vCenters on one account, a failed login retried with the right password: the spec\'s shared form', async () => {
    const prompt = scripted([
      { select: /trust the vCenters' TLS/, answer: 'file' },
      { input: /CA bundle file/, answer: '/etc/dtms/vcenter-ca.pem' },
      { input: /^vCenter address/, answer: 'vc1.example.com' },
      { input: /^Username for https:\/\/vc1\.example\.com\/sdk/, answer: 'ops' },
      { password: /^Password for ops/, answer: 'wrong-one' },
      { select: /What now\?/, answer: 'credentials' },
      { input: /^Username for/, answer: 'ops' },
      { password: /^Password for ops/, answer: 'right-one' },
      { confirm: /Add another vCenter\?/, answer: true },
      { input: /^Next vCenter address/, answer: 'https://vc2.example.com:443' },
      { confirm: /Same credentials as the previous vCenter \(ops\)\?/, answer: true },
      { confirm: /Add another vCenter\?/, answer: false },
      { select: /^Database/, answer: 'sqlite' },
      { input: /SQLite database file/, answer: '' },
      { input: /reports/, answer: '' },
      { select: /Sign-in/, answer: 'none' },
      { input: /textfile directory/, answer: '' },
    ]);
    const lines: string[] = [];
    const io = checks({ 'https://vc1.example.com/sdk': 'right-one', 'https://vc2.example.com/sdk': 'right-one' });
    const answers = await runInitWizard({ prompt, checks: io, say: (l) => lines.push(l), skipChecks: false });
    prompt.done();
    assert.deepEqual(io.tried, [
      'https://vc1.example.com/sdk ops/wrong-one ca=/etc/dtms/vcenter-ca.pem insecure=false',
      'https://vc1.example.com/sdk ops/right-one ca=/etc/dtms/vcenter-ca.pem insecure=false',
      'https://vc2.example.com/sdk ops/right-one ca=/etc/dtms/vcenter-ca.pem insecure=false',
      'db sqlite /var/lib/vctp/db.sqlite3',
    ]);
    assert.ok(lines.includes('  vCenter https://vc1.example.com/sdk: login failed: vCenter refused the login: incorrect user name or password'), lines.join('\n'));
    assert.deepEqual(answers, {
      vcenters: [
        { url: 'https://vc1.example.com/sdk', username: 'ops', password: 'right-one', shared: true },
        { url: 'https://vc2.example.com/sdk', username: 'ops', password: 'right-one', shared: true },
      ],
      vcenterCaFile: '/etc/dtms/vcenter-ca.pem',
      database: { driver: 'sqlite', url: '/var/lib/vctp/db.sqlite3' },
      reportsDir: '/var/lib/vctp/reports',
      auth: { kind: 'none' },
    });
  });

  it('different accounts: each vCenter its own entry; a database that fails is changed; LDAP sign-in', async () => {
    const prompt = scripted([
      { select: /TLS/, answer: 'insecure' },
      { input: /^vCenter address/, answer: 'vc1' },
      { input: /^Username/, answer: 'ops' },
      { password: /^Password/, answer: 'secret-1' },
      { confirm: /Add another/, answer: true },
      { input: /^Next vCenter address/, answer: 'lab' },
      { confirm: /Same credentials/, answer: false },
      { input: /^Username for https:\/\/lab\/sdk/, answer: 'lab-admin' },
      { password: /^Password/, answer: 'ab' }, // too short: asked again
      { password: /^Password/, answer: 'secret-2' },
      { select: /What now\?/, answer: 'keep' }, // the lab vCenter is down today
      { confirm: /Add another/, answer: false },
      { select: /^Database/, answer: 'postgres' },
      { input: /PostgreSQL URL/, answer: 'postgres://vctp:pw@unreachable/vctp' },
      { select: /What now\?/, answer: 'change' },
      { input: /PostgreSQL URL/, answer: 'postgres://vctp:pw@db/vctp' },
      { input: /reports/, answer: '/srv/reports' },
      { select: /Sign-in/, answer: 'ldap' },
      { input: /LDAP server URL/, answer: 'ldaps://dc.example.com' },
      { input: /Base DN/, answer: 'DC=example,DC=com' },
      { input: /admins/, answer: 'CN=admins,DC=example,DC=com' },
      { input: /viewers/, answer: 'CN=staff,DC=example,DC=com' },
      { input: /textfile directory/, answer: '/var/lib/node-exporter' },
    ]);
    const lines: string[] = [];
    const io = checks({ 'https://vc1/sdk': 'secret-1' });
    const answers = await runInitWizard({ prompt, checks: io, say: (l) => lines.push(l), skipChecks: false });
    prompt.done();
    assert.ok(lines.some((l) => /longer than 2 characters/.test(l)));
    assert.ok(lines.includes('trying the database postgres://vctp:***@unreachable/vctp ...'), lines.join('\n'));
    assert.deepEqual(answers.vcenters, [
      { url: 'https://vc1/sdk', username: 'ops', password: 'secret-1', shared: false },
      { url: 'https://lab/sdk', username: 'lab-admin', password: 'secret-2', shared: false },
    ]);
    assert.equal(answers.vcenterInsecure, true);
    assert.deepEqual(answers.database, { driver: 'postgres', url: 'postgres://vctp:pw@db/vctp' });
    assert.equal(answers.metricsTextfileDir, '/var/lib/node-exporter');
    assert.deepEqual(answers.auth, {
      kind: 'ldap',
      bindAddress: 'ldaps://dc.example.com',
      baseDn: 'DC=example,DC=com',
      groupRoles: { 'CN=admins,DC=example,DC=com': 'admin', 'CN=staff,DC=example,DC=com': 'viewer' },
    });
  });

  it('--skip-checks: asks the same questions and tries nothing', async () => {
    const prompt = scripted([
      { select: /TLS/, answer: 'public' },
      { input: /^vCenter address/, answer: 'vc1' },
      { input: /^Username/, answer: 'ops' },
      { password: /^Password/, answer: 'secret-1' },
      { confirm: /Add another/, answer: false },
      { select: /^Database/, answer: 'sqlite' },
      { input: /SQLite/, answer: '/data/vctp.sqlite3' },
      { input: /reports/, answer: '' },
      { select: /Sign-in/, answer: 'none' },
      { input: /textfile/, answer: '' },
    ]);
    const io = checks({});
    await runInitWizard({ prompt, checks: io, say: () => undefined, skipChecks: true });
    prompt.done();
    assert.deepEqual(io.tried, []);
  });
});

describe('vctp init: vCenter addresses as typed', () => {
  it('adds https:// and /sdk where left out, and refuses what is no vCenter address', () => {
    assert.equal(normaliseVcenterUrl('vc1.example.com'), 'https://vc1.example.com/sdk');
    assert.equal(normaliseVcenterUrl(' vc1:8443 '), 'https://vc1:8443/sdk');
    assert.equal(normaliseVcenterUrl('https://vc1/'), 'https://vc1/sdk');
    assert.equal(normaliseVcenterUrl('http://127.0.0.1:8989/sdk'), 'http://127.0.0.1:8989/sdk');
    assert.deepEqual(normaliseVcenterUrl('ftp://vc1'), { error: 'expected https:// (or http://), got ftp://' });
    assert.deepEqual(normaliseVcenterUrl(''), { error: 'a vCenter address is needed' });
  });
});
