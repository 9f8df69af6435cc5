// `vctp month close YYYY-MM [--reason TEXT]`, `vctp month reopen YYYY-MM --reason TEXT` and
// `vctp month list`: closed months (src/jobs/month-close.ts). Who: the OS user running vctp, with
// the sudo invoker (src/config/os-user.ts).
import { VctpError } from '../../core/errors.js';
import { closureReason, parseMonthArgument } from '../../core/month-closure.js';
import { type MonthCloseResult, type MonthReopenResult, runMonthClose, runMonthReopen } from '../../jobs/month-close.js';
import { listMonths, type MonthsView } from '../../queries/months.js';
import { osUser } from '../../app/os-user.js';
import { printJson, stdoutOutput, type Output } from '../output.js';
import { formatTime, parseIntegerFlag } from '../parse-time.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';

export interface MonthChangeFlags {
  reason?: string;
  lockWait?: string;
  json?: boolean;
}

function lockHeld(holder: string): VctpError {
  return new VctpError('lock', `another vctp run holds the aggregate lock (${holder}); nothing was changed: try again when it has finished`);
}

export async function monthCloseCommand(globals: RuntimeOptions, label: string, flags: MonthChangeFlags): Promise<void> {
  const month = parseMonthArgument('month', label);
  const reason = closureReason('--reason', flags.reason, false);
  const lockWait = flags.lockWait === undefined ? undefined : parseIntegerFlag('--lock-wait', flags.lockWait);
  const out = stdoutOutput({ json: flags.json, quiet: globals.quiet });
  const result = await withRuntime(globals, ({ settings, ctx }) =>
    runMonthClose(ctx, settings, { month, reason, user: osUser(), lockWaitSeconds: lockWait ?? settings.lock_wait_seconds }),
  );
  printClose(out, result);
  if (result.skipped) throw lockHeld(result.holder);
}

export async function monthReopenCommand(globals: RuntimeOptions, label: string, flags: MonthChangeFlags): Promise<void> {
  const month = parseMonthArgument('month', label);
  const reason = closureReason('--reason', flags.reason, true);
  const lockWait = flags.lockWait === undefined ? undefined : parseIntegerFlag('--lock-wait', flags.lockWait);
  const out = stdoutOutput({ json: flags.json, quiet: globals.quiet });
  const result = await withRuntime(globals, ({ settings, ctx }) =>
    runMonthReopen(ctx, { month, reason, user: osUser(), lockWaitSeconds: lockWait ?? settings.lock_wait_seconds }),
  );
  printReopen(out, result);
  if (result.skipped) throw lockHeld(result.holder);
}

export async function monthListCommand(globals: RuntimeOptions, flags: { json?: boolean }): Promise<void> {
  const out = stdoutOutput({ json: flags.json, quiet: globals.quiet });
  const view = await withRuntime(globals, ({ ctx }) => listMonths(ctx), { readOnly: true });
  printList(out, view);
}

function printClose(out: Output, result: MonthCloseResult): void {
  if (out.json) return printJson(out, result);
  if (result.skipped) return;
  const why = result.reason ? ` ("${result.reason}")` : '';
  out.write(`closed ${result.month} by ${result.closedBy} at ${formatTime(result.closedAt)}${why}: its monthly summaries, totals and cost are final`);
  out.write(`  vCenters: ${result.vcenters.join(', ')}`);
  out.write(`  rate cards: ${result.rateCards.length === 0 ? 'none (no cost)' : `${result.rateCards.length}, in ${result.currency}`}`);
  out.write(`re-aggregating, repairing, trimming or changing its data is refused until \`vctp month reopen ${result.month} --reason TEXT\``);
  out.write(`its workbooks say so once written again: the next vctp report pending, or now vctp report monthly --month ${result.month}`);
}

function printReopen(out: Output, result: MonthReopenResult): void {
  if (out.json) return printJson(out, result);
  if (result.skipped) return;
  out.write(
    `reopened ${result.month} by ${result.reopenedBy} at ${formatTime(result.reopenedAt)} ("${result.reason}"); ` +
      `it was closed by ${result.closedBy} at ${formatTime(result.closedAt)}`,
  );
  out.write(`its summaries may be rebuilt now (vctp aggregate monthly --month ${result.month}, then vctp report monthly --month ${result.month}); close it again with vctp month close ${result.month}`);
}

function printList(out: Output, view: MonthsView): void {
  if (out.json) return printJson(out, view);
  if (view.closed.length === 0) out.write('no month is closed');
  else {
    out.table(
      ['month', 'closed (UTC)', 'by', 'currency', 'reason'],
      view.closed.map((c) => [c.month, formatTime(c.closedAt), c.closedBy, c.currency ?? '-', c.reason || '-']),
    );
  }
  if (view.events.length === 0) return;
  out.write('history:');
  out.table(
    ['month', 'action', 'at (UTC)', 'by', 'reason'],
    view.events.map((e) => [e.month, e.action, formatTime(e.time), e.by, e.reason || '-']),
  );
}
