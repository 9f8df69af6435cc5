// What the CLI prints: tables fitted to the terminal (80 columns in a pipe), numbers right-aligned
// with thousands separators, the one JSON shape (ISO siblings of times, null for unknown, tier
// names), --quiet, the progress line that log lines clear and redraw, and the log line format.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  alreadyReported,
  count,
  displayWidth,
  fixed,
  printJson,
  renderTable,
  stdoutOutput,
  terminalWidth,
  wasReported,
  wrapText,
} from '../../src/cli/output.js';
import { snapshotProgress, StatusLine } from '../../src/cli/progress.js';
import { VctpError } from '../../src/core/errors.js';
import { createLogger } from '../../src/log/logger.js';
import { toJsonShape } from '../../src/queries/json-shape.js';

const lines = (table: string) => table.split('\n');
const widest = (table: string) => Math.max(...lines(table).map(displayWidth));

/** A status-like table: long names, an ISO time, big numbers and wrapping text. */
const HEAD = ['vCenter', 'latest snapshot (UTC)', 'VMs', 'vCPU', 'missed (7 d)', 'last run'];
const ROWS = [
  ['vcenter-prod-02.corp.example.com', '2026-04-21T13:00:00Z', 12345, 40000, '3 on 1 day', 'failed after 2 attempts'],
  ['vc1.example.com', '2026-04-21T13:00:04Z', 7, 14, 'none', 'ok'],
];

describe('tables', () => {
  it('fit 80 columns: headings and text wrap, numbers and times stay whole', () => {
    const table = renderTable(HEAD, ROWS, { width: 80 });
    assert.ok(widest(table) <= 80, table);
    assert.ok(widest(table) >= 75, 'it uses the width it has');
    assert.match(table, /│ 2026-04-21T13:00:00Z │ 12,345 │ 40,000 │/);
    assert.match(table, /│ 2026-04-21T13:00:04Z │ {6}7 │ {5}14 │/);
    assert.match(table, /│ vcenter-prod- +│/, 'the name wraps, after a hyphen');
    // Wrapped rows are told apart by a rule between them; the heading has its rule too.
    assert.equal(lines(table).filter((l) => l.startsWith('├')).length, 2, table);
    // A short group in parentheses is never split.
    assert.match(table, /missed \(7 d\)|\(7 d\)/);
    assert.doesNotMatch(table, /\(7 *│|│ *d\)/);
  });

  it('at 200 columns keep every cell on one line, with one rule under the heading', () => {
    const table = renderTable(HEAD, ROWS, { width: 200 });
    assert.equal(lines(table).length, 6, table); // top, heading, rule, 2 rows, bottom
    assert.ok(widest(table) <= 200);
    assert.match(table, /│ vcenter-prod-02\.corp\.example\.com │ 2026-04-21T13:00:00Z  │ 12,345 │ 40,000 │ 3 on 1 day   │ failed after 2 attempts │/);
    assert.match(table, /│ vc1\.example\.com {18}│ 2026-04-21T13:00:04Z  │ {6}7 │ {5}14 │ none {9}│ ok {22}│/);
  });

  it('right-align numeric columns, headings included, and left-align text', () => {
    const table = renderTable(['name', 'VMs', 'share'], [['a', 1234567, '12.5%'], ['bb', 3, '-']], { width: 80 });
    assert.deepEqual(lines(table).slice(1, 5), [
      '│ name │       VMs │ share │',
      '├──────┼───────────┼───────┤',
      '│ a    │ 1,234,567 │ 12.5% │',
      '│ bb   │         3 │     - │',
    ]);
  });

  it('print a table that cannot fit however it wraps at its natural width (--wide on a narrow terminal)', () => {
    const head = Array.from({ length: 12 }, (_, i) => `column ${i}`);
    const rows = [head.map((_, i) => 1_000_000 * (i + 1))];
    const table = renderTable(head, rows, { width: 80 });
    assert.equal(lines(table).length, 5, table);
    assert.ok(widest(table) > 80);
  });

  it('wrap long words at punctuation, and anywhere when they must', () => {
    assert.deepEqual(wrapText('written: /var/lib/vctp/reports/daily/2026-04-21.xlsx', 20), ['written:', '/var/lib/vctp/', 'reports/daily/2026-', '04-21.xlsx']);
    assert.deepEqual(wrapText('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
    assert.deepEqual(wrapText('21/24 (3 missed)', 12), ['21/24', '(3 missed)']);
    assert.equal(displayWidth('日本'), 4);
  });

  it('are 80 columns wide when stdout is no terminal', () => {
    assert.equal(terminalWidth({ isTTY: false, columns: 200 }), 80);
    assert.equal(terminalWidth({}), 80);
    assert.equal(terminalWidth({ isTTY: true, columns: 132 }), 132);
  });
});

describe('numbers', () => {
  it('have thousands separators and fixed decimals, whatever the host locale', () => {
    assert.equal(count(12345), '12,345');
    assert.equal(count(-1234567), '-1,234,567');
    assert.equal(count(0), '0');
    assert.equal(fixed(12345.6), '12,345.6');
    assert.equal(fixed(12, 2), '12.00');
    assert.equal(fixed(0.125, 2), '0.13');
    assert.equal(fixed(-0, 1), '0.0');
    assert.equal(fixed(-0.001, 2), '0.00');
    assert.equal(fixed(-1.5, 1), '-1.5');
  });
});

describe('the JSON shape', () => {
  it('adds an ISO 8601 sibling to every time, and keeps unix seconds', () => {
    const shaped = toJsonShape({ latestSnapshot: 1776776400, lastSnapshotJob: { finishedAt: 1776776404, status: 'ok' }, rows: [{ time: 1776729600, period: '2026-04-21' }] });
    assert.deepEqual(shaped, {
      latestSnapshot: 1776776400,
      latestSnapshotIso: '2026-04-21T13:00:00Z',
      lastSnapshotJob: { finishedAt: 1776776404, finishedAtIso: '2026-04-21T13:00:04Z', status: 'ok' },
      rows: [{ time: 1776729600, timeIso: '2026-04-21T00:00:00Z', period: '2026-04-21' }],
    });
  });

  it('says null, never 0, for an unknown time, and keeps null times null', () => {
    const input = { lifecycle: { creationTime: 0, deletionTime: 0, firstSeen: 1776729600, lastSeen: null } };
    assert.deepEqual(toJsonShape(input), {
      lifecycle: {
        creationTime: null,
        creationTimeIso: null,
        deletionTime: null,
        deletionTimeIso: null,
        firstSeen: 1776729600,
        firstSeenIso: '2026-04-21T00:00:00Z',
        lastSeen: null,
        lastSeenIso: null,
      },
    });
    assert.equal(input.lifecycle.creationTime, 0, 'the input is not changed');
  });

  it('leaves from and to alone where they are days, not times', () => {
    assert.deepEqual(toJsonShape({ from: '2026-04-01', to: null, actions: [] }), { from: '2026-04-01', to: null, actions: [] });
    assert.deepEqual(toJsonShape({ from: 1776729600 }), { from: 1776729600, fromIso: '2026-04-21T00:00:00Z' });
  });

  it('names tiers as the tables do', () => {
    assert.deepEqual(
      toJsonShape([{ tier: 'tin' }, { tier: 'bronze' }, { tier: 'silver' }, { tier: 'gold' }, { tier: null }]),
      [{ tier: 'Tin' }, { tier: 'Bronze' }, { tier: 'Silver' }, { tier: 'Gold' }, { tier: 'No tier' }],
    );
  });

  it('is what printJson prints', () => {
    let printed = '';
    printJson(stdoutOutput({ json: true, sink: (t) => (printed += t) }), { snapshotTime: 1776776400, error: undefined });
    assert.deepEqual(JSON.parse(printed), { snapshotTime: 1776776400, snapshotTimeIso: '2026-04-21T13:00:00Z' });
  });
});

describe('--quiet', () => {
  it('prints no lines and no tables, but what --json asked for', () => {
    let printed = '';
    const out = stdoutOutput({ quiet: true, sink: (t) => (printed += t) });
    out.write('a line');
    out.table(['a'], [['b']]);
    assert.equal(printed, '');
    printJson({ ...out, json: true }, { ok: true });
    assert.deepEqual(JSON.parse(printed), { ok: true });
  });
});

describe('failures reported once', () => {
  it('are marked by the command and recognized by main', () => {
    const error = new VctpError('partial', '1 of 2 vCenters failed');
    assert.equal(wasReported(error), false);
    assert.equal(alreadyReported(error), error);
    assert.equal(wasReported(error), true);
    assert.equal(wasReported(new VctpError('partial', 'another')), false);
    assert.equal(wasReported('text'), false);
  });
});

/** A terminal stream that records what was written. */
function fakeTerminal(columns = 60) {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      written.push(chunk.toString());
      callback();
    },
  }) as Writable & { columns: number };
  stream.columns = columns;
  return { stream, written, text: () => written.join('') };
}

describe('the progress line', () => {
  it('counts VMs and vCenters, and is cleared before a log line and redrawn after it', () => {
    const term = fakeTerminal();
    const line = new StatusLine(term.stream);
    const progress = snapshotProgress(true, 2, line);
    progress.update({ kind: 'collecting', vcenter: 'vc1', collected: 1200 });
    progress.update({ kind: 'done', vcenter: 'vc1', ok: true });
    const log = createLogger({ level: 'info', output: 'text', destination: line.stream });
    term.written.length = 0;
    log.info('snapshot stored');
    const [clear, logLine, redraw] = term.written;
    assert.equal(clear, '\r\x1b[K');
    assert.match(logLine!, /INFO: snapshot stored\n$/);
    assert.equal(redraw, '[##########..........] 1/2 vCenters, 1,200 VMs collected');
    progress.finish();
    assert.equal(term.written.at(-1), '\r\x1b[K');
    term.written.length = 0;
    log.info('after');
    assert.equal(term.written.length, 1, 'no redraw once finished');
  });

  it('is cut to the terminal width, so that it never wraps', () => {
    const term = fakeTerminal(30);
    snapshotProgress(true, 3, new StatusLine(term.stream)).update({ kind: 'collecting', vcenter: 'vc1', collected: 5 });
    assert.ok(term.written.every((w) => displayWidth(w.replace('\r\x1b[K', '')) <= 29), JSON.stringify(term.written));
  });

  it('is absent when not enabled (no terminal, --json, --quiet)', () => {
    const term = fakeTerminal();
    const progress = snapshotProgress(false, 2, new StatusLine(term.stream));
    progress.update({ kind: 'collecting', vcenter: 'vc1', collected: 10 });
    progress.finish();
    assert.deepEqual(term.written, []);
  });
});

describe('log lines', () => {
  it('show the time in UTC with its zone and keep each event on one line', () => {
    const previous = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const term = fakeTerminal();
      const log = createLogger({ level: 'info', output: 'text', destination: term.stream });
      const before = Date.now();
      log.error({ vcenter: 'vc1', attempts: 2, err: 'connection refused' }, 'snapshot failed; nothing stored for this vCenter');
      const line = term.text();
      const m = /^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)Z\] ERROR: snapshot failed; nothing stored for this vCenter \{"vcenter":"vc1","attempts":2,"err":"connection refused"\}\n$/.exec(line);
      assert.ok(m, line);
      assert.ok(Math.abs(Date.parse(`${m[1]!.replace(' ', 'T')}Z`) - before) < 5000, `${m[1]} is not UTC`);
    } finally {
      if (previous === undefined) delete process.env.TZ;
      else process.env.TZ = previous;
    }
  });

  it('spread fields over lines at debug level', () => {
    const term = fakeTerminal();
    createLogger({ level: 'debug', output: 'text', destination: term.stream }).debug({ a: 1 }, 'detail');
    assert.match(term.text(), /DEBUG: detail\n {4}a: 1\n$/);
  });

  it('in JSON are pino\'s own', () => {
    const term = fakeTerminal();
    createLogger({ level: 'info', output: 'json', destination: term.stream }).info({ a: 1 }, 'hello');
    const line = JSON.parse(term.text()) as Record<string, unknown>;
    assert.equal(line.level, 30);
    assert.equal(typeof line.time, 'number');
    assert.equal(line.msg, 'hello');
    assert.equal(line.a, 1);
  });
});
