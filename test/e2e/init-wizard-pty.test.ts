// The `vctp init` wizard (built binary) on a pseudo-terminal, answered key by key as an operator
// would: a wrong vCenter password is refused by the simulator, the password is entered again, and
// the file written is one `vctp snapshot` then runs with.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runVctp, VCTP_BIN } from '../helpers/cli.js';
import { KEY, startPty } from '../helpers/pty.js';
import { startVcsim, type Vcsim } from '../helpers/vcsim.js';

const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

describe('vctp init wizard on a terminal (built binary, simulator)', () => {
  let sim: Vcsim;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vctp-e2e-init-pty-'));
    sim = await startVcsim({ dc: 1, cluster: 1, host: 1, vm: 5, certDir: join(dir, 'certs'), username: 'ops', password: 'pa55word' });
  });
  after(async () => {
    await sim?.stop();
  });

  it('asks, retries a refused login with a new password, and writes a file vctp snapshot uses', async () => {
    const path = join(dir, 'etc', 'vctp.yml');
    const pty = startPty(`${shellQuote(process.execPath)} ${shellQuote(VCTP_BIN)} -s ${shellQuote(path)} init`, { env: { VCTP_SETTINGS: '' } });
    // inquirer drops keys that arrive while one prompt hands over to the next (seen here: without a
    // pause the second prompt's text was lost), so each answer waits a moment after its prompt
    // appears, then waits for its text to be echoed before pressing Enter. Neither wait is asserted.
    const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
    const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const answer = async (prompt: RegExp, keys: string) => {
      await pty.waitFor(prompt);
      await settle();
      pty.type(keys);
    };
    const typeText = async (prompt: RegExp, text: string, echo = new RegExp(escape(text))) => {
      await pty.waitFor(prompt);
      await settle();
      pty.type(text);
      await pty.waitFor(echo);
      pty.type(KEY.enter);
    };
    const secret = (prompt: RegExp, text: string) => typeText(prompt, text, new RegExp(`\\*{${text.length}}`));

    await answer(/trust the vCenters' TLS certificates\?/, KEY.down + KEY.enter); // a CA bundle file
    await typeText(/CA bundle file \(PEM\)/, sim.caFile!);
    await typeText(/vCenter address/, sim.url);
    await typeText(/Username for/, 'ops');
    await secret(/Password for ops/, 'not-the-password');
    await pty.waitFor(/login failed: .*/);
    await answer(/What now\?/, KEY.enter); // enter the username and password again
    await typeText(/Username for/, 'ops');
    await secret(/Password for ops/, 'pa55word');
    await pty.waitFor(/login ok as ops/);
    await answer(/Add another vCenter\?/, 'n' + KEY.enter);
    await answer(/Database/, KEY.enter); // SQLite
    await typeText(/SQLite database file/, join(dir, 'data', 'db.sqlite3'));
    await pty.waitFor(/the first job creates it/);
    await typeText(/Directory for the reports/, join(dir, 'reports'));
    await answer(/Sign-in to the web UI/, KEY.enter); // none
    await answer(/textfile directory/, KEY.enter); // none
    await pty.waitFor(/wrote .*vctp\.yml/);
    assert.equal(await pty.exited, 0, pty.output());

    const shown = pty.output();
    assert.doesNotMatch(shown, /pa55word|not-the-password/, 'passwords are not echoed');
    assert.match(shown, /vCenter https:\/\/127\.0\.0\.1:\d+\/sdk: login failed: /);

    const text = readFileSync(path, 'utf8');
    assert.match(text, /^ {2}vcenter_username: "ops"\n {2}vcenter_password: "enc:v1:[A-Za-z0-9+/=]+"$/m);
    assert.match(text, /^ {2}vcenter_ca_file: /m);
    assert.match(text, /^ {2}auth_enabled: false$/m);
    assert.ok(!existsSync(join(dir, 'data', 'db.sqlite3')));

    const snapshot = await runVctp(['-s', path, 'snapshot', '--json']);
    assert.equal(snapshot.code, 0, snapshot.stderr);
    assert.equal(JSON.parse(snapshot.stdout).outcomes[0].summary.vmCount, sim.info.vms);
  });

  it('Ctrl-C at a prompt: exit 130, nothing written', async () => {
    const path = join(dir, 'stopped', 'vctp.yml');
    const pty = startPty(`${shellQuote(process.execPath)} ${shellQuote(VCTP_BIN)} -s ${shellQuote(path)} init`, { env: { VCTP_SETTINGS: '' } });
    await pty.waitFor(/trust the vCenters' TLS certificates\?/);
    await new Promise((resolve) => setTimeout(resolve, 300)); // as above: let the prompt take keys
    pty.type('\x03');
    assert.equal(await pty.exited, 130, pty.output());
    assert.match(pty.output(), /vctp init: stopped by Ctrl-C; nothing written/);
    assert.ok(!existsSync(path));
  });
});
