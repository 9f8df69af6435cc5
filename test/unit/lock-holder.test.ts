// The pure lock-holder decision: when is a holder provably dead, provably alive, or out of sight.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { installInterrupt } from '../../src/app/interrupt.js';
import { silentLogger } from '../../src/log/logger.js';
import { InterruptedError, VctpError } from '../../src/core/errors.js';
import { EXIT_SIGINT, EXIT_SIGTERM, exitCodeFor } from '../../src/cli/exit-codes.js';
import {
  holderName,
  judgeHolder,
  mayTakeOver,
  parseProcStat,
  type LockHolder,
  type ProcessIdentity,
  type ProcessLookup,
  type ProcessSighting,
} from '../../src/core/lock-holder.js';

const BOOT = 'be8c75ce-17d4-4c52-a524-d033358146ca';
const NS = 'pid:[4026531836]';
const self: ProcessIdentity = { hostname: 'collector', bootId: BOOT, pidNamespace: NS, pid: 500, startTime: 9_000 };

const holder = (over: Partial<LockHolder> = {}): LockHolder => ({
  holder: 'collector:42',
  runId: 'run-1',
  bootId: BOOT,
  pidNamespace: NS,
  pid: 42,
  startTime: 1_234,
  ...over,
});

/** A /proc with exactly these processes. */
const procWith = (processes: Record<number, ProcessSighting>): ProcessLookup => (pid) => processes[pid] ?? null;
const nothingRuns: ProcessLookup = () => null;
const NOW = 1_800_000_000;

describe('judgeHolder', () => {
  it('finds a holder whose process is gone dead at once', () => {
    assert.deepEqual(judgeHolder(holder(), self, nothingRuns), { kind: 'dead', reason: 'no process 42 on this host' });
  });

  it('finds a holder whose pid now belongs to a later process dead (pid reused)', () => {
    const verdict = judgeHolder(holder(), self, procWith({ 42: { state: 'S', startTime: 5_000 } }));
    assert.equal(verdict.kind, 'dead');
    assert.match((verdict as { reason: string }).reason, /pid reused/);
  });

  it('finds an exited but unreaped (zombie) holder dead', () => {
    assert.equal(judgeHolder(holder(), self, procWith({ 42: { state: 'Z', startTime: 1_234 } })).kind, 'dead');
  });

  it('finds a holder whose process runs, with its start time, alive', () => {
    for (const state of ['R', 'S', 'D', 'T']) {
      assert.deepEqual(judgeHolder(holder(), self, procWith({ 42: { state, startTime: 1_234 } })), { kind: 'alive' });
    }
  });

  it('cannot judge a holder in another pid namespace, even when the same pid runs here', () => {
    // Two containers on one host: same boot id, both pid 1, each its own pid namespace.
    const other = holder({ pid: 1, pidNamespace: 'pid:[4026532178]', holder: 'collector:1' });
    const lookup = procWith({ 1: { state: 'S', startTime: 3 } });
    assert.equal(judgeHolder(other, { ...self, pid: 1 }, lookup).kind, 'unknown');
    assert.equal(judgeHolder(other, self, nothingRuns).kind, 'unknown');
  });

  it('cannot judge a holder on another host (or before a reboot)', () => {
    assert.equal(judgeHolder(holder({ bootId: 'another-boot' }), self, nothingRuns).kind, 'unknown');
  });

  it('cannot judge a row without a process identity (older vctp) or a process it may not inspect', () => {
    assert.equal(judgeHolder(holder({ bootId: null, pidNamespace: null, pid: null, startTime: null, runId: null }), self, nothingRuns).kind, 'unknown');
    assert.equal(judgeHolder(holder({ startTime: null }), self, nothingRuns).kind, 'unknown');
    assert.equal(judgeHolder(holder(), self, procWith({ 42: { state: null, startTime: null } })).kind, 'unknown');
  });

  it('judges nobody when this process cannot see its own pid namespace in /proc', () => {
    assert.equal(judgeHolder(holder(), { ...self, pidNamespace: null, startTime: null }, nothingRuns).kind, 'unknown');
    assert.equal(judgeHolder(holder(), { ...self, bootId: null }, nothingRuns).kind, 'unknown');
  });
});

describe('mayTakeOver', () => {
  it('takes a dead holder at once, lease or not', () => {
    assert.deepEqual(mayTakeOver(holder(), NOW + 600, NOW, self, nothingRuns), {
      take: true,
      reason: 'dead',
      detail: 'no process 42 on this host',
    });
  });

  it('never takes a live holder, whatever its lease says', () => {
    const alive = procWith({ 42: { state: 'S', startTime: 1_234 } });
    assert.equal(mayTakeOver(holder(), NOW + 600, NOW, self, alive).take, false);
    assert.equal(mayTakeOver(holder(), NOW - 3600, NOW, self, alive).take, false);
  });

  it('takes a holder out of sight only once its lease has run out', () => {
    const elsewhere = holder({ pidNamespace: 'pid:[4026532178]' });
    assert.deepEqual(
      [NOW + 1, NOW, NOW - 1].map((expires) => mayTakeOver(elsewhere, expires, NOW, self, nothingRuns).take),
      [false, false, true],
    );
    assert.equal(mayTakeOver(elsewhere, NOW - 1, NOW, self, nothingRuns).reason, 'expired');
  });
});

describe('parseProcStat', () => {
  it('reads pid, state and start time (field 22), whatever the command name holds', () => {
    const tail = '1 1 1 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 7654321 1000 200 18446744073709551615';
    assert.deepEqual(parseProcStat(`42 (node) S ${tail}\n`), { pid: 42, state: 'S', startTime: 7_654_321 });
    assert.deepEqual(parseProcStat(`7 (a b) (c)) Z ${tail}`), { pid: 7, state: 'Z', startTime: 7_654_321 });
    assert.equal(parseProcStat(''), null);
    assert.equal(parseProcStat('42 (node) S 1 2'), null);
  });

  it('names a holder host:pid', () => {
    assert.equal(holderName(self), 'collector:500');
  });
});

describe('interrupted exit statuses', () => {
  it('maps SIGINT to 130 and SIGTERM to 143; the error carries the signal', () => {
    const sigint = new InterruptedError('SIGINT');
    assert.ok(sigint instanceof VctpError);
    assert.equal(sigint.code, 'interrupted');
    assert.equal(exitCodeFor(sigint.code, sigint), EXIT_SIGINT);
    assert.equal(exitCodeFor('interrupted', new InterruptedError('SIGTERM')), EXIT_SIGTERM);
    assert.deepEqual([EXIT_SIGINT, EXIT_SIGTERM], [130, 143]);
  });
});

describe('installInterrupt', () => {
  it('aborts its signal at the first SIGTERM, exits 143 after the grace period, and is gone once disposed', async () => {
    const exits: number[] = [];
    let exited!: () => void;
    const exitedOnce = new Promise<void>((resolve) => (exited = resolve));
    const interrupt = installInterrupt({ log: silentLogger(), graceMs: 1, exit: (status) => (exits.push(status), exited()) });
    try {
      process.emit('SIGTERM', 'SIGTERM');
      assert.equal(interrupt.signal.aborted, true);
      const reason: unknown = interrupt.signal.reason;
      assert.ok(reason instanceof InterruptedError);
      assert.equal(reason.signal, 'SIGTERM');
      await exitedOnce;
      assert.deepEqual(exits, [143]);
    } finally {
      interrupt.dispose();
    }
    assert.equal(process.listenerCount('SIGTERM'), 0);
    assert.equal(process.listenerCount('SIGINT'), 0);
  });

  it('exits at once, 130, at a second SIGINT', () => {
    const exits: number[] = [];
    const interrupt = installInterrupt({ log: silentLogger(), graceMs: 60_000, exit: (status) => void exits.push(status) });
    try {
      process.emit('SIGINT', 'SIGINT');
      assert.equal((interrupt.signal.reason as InterruptedError).signal, 'SIGINT');
      assert.deepEqual(exits, []);
      process.emit('SIGINT', 'SIGINT');
      assert.deepEqual(exits, [130]);
    } finally {
      interrupt.dispose();
    }
  });
});
