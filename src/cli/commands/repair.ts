import { VctpError } from '../../core/errors.js';
import { dayPeriod } from '../../core/periods.js';
import { chooseEngine } from '../../jobs/aggregation-settings.js';
import { type RepairAction, type RepairResult, runRepair } from '../../jobs/repair.js';
import { alreadyReported, count, printJson, stdoutOutput, type Output } from '../output.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';

export interface RepairFlags {
  all?: boolean;
  from?: string;
  to?: string;
  vcenter?: string[];
  engine?: string;
  json?: boolean;
}

function parseDayFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return dayPeriod(value).start;
  } catch {
    throw new VctpError('usage', `${flag} ${value}: expected a calendar date YYYY-MM-DD`);
  }
}

export async function repairCommand(globals: RuntimeOptions, flags: RepairFlags): Promise<void> {
  if (flags.all && (flags.from !== undefined || flags.to !== undefined)) {
    throw new VctpError('usage', '--all looks at every day with snapshots: use it without --from and --to');
  }
  const from = parseDayFlag('--from', flags.from);
  const to = parseDayFlag('--to', flags.to);
  if (from !== undefined && to !== undefined && from > to) throw new VctpError('usage', `--from ${flags.from} is after --to ${flags.to}`);
  const out = stdoutOutput({ json: flags.json, quiet: globals.quiet });
  const { result, logsErrors } = await withRuntime(globals, async ({ settings, ctx, log }) => ({
    result: await runRepair(ctx, settings, {
      all: flags.all,
      from,
      to,
      vcenters: flags.vcenter,
      engine: chooseEngine(flags.engine, undefined, settings),
      lockWaitSeconds: settings.lock_wait_seconds,
    }),
    logsErrors: log.isLevelEnabled('error'),
  }));
  print(out, result);
  if (!result.skipped) {
    const failed = result.actions.filter((a) => a.result === 'failed');
    if (failed.length > 0) {
      // Each failed repair was logged at error level by the job: not printed again.
      const failure = new VctpError('partial', `${failed.length} of ${result.actions.length} repairs failed: ${failed.map((f) => `${f.vcenter} ${f.period}: ${f.message}`).join('; ')}`);
      throw logsErrors ? alreadyReported(failure) : failure;
    }
  }
}

function resultCell(a: RepairAction): string {
  if (a.result === 'ok') {
    const refreshed = a.daysRefreshed ? `; days refreshed first: ${a.daysRefreshed.join(', ')}` : '';
    return `ok (${count(a.rows ?? 0)} VMs${refreshed})`;
  }
  // A failure's error is in the job's log line (and in --json); a skip's reason is only here.
  return a.result === 'failed' ? 'failed; the previous summary is kept' : `${a.result}: ${a.message}`;
}

function print(out: Output, result: RepairResult): void {
  if (out.json) return printJson(out, result);
  if (result.skipped) return out.write(`another vctp aggregation is running (${result.holder}); this run did nothing`);
  if (result.from === null) return out.write('no complete day in the range: nothing to look at');
  const range = `${result.from} to ${result.to}`;
  if (result.actions.length === 0) return out.write(`${range}: every day and month with snapshots has an up-to-date summary; nothing to repair`);
  out.write(`${range}, engine ${result.engine}:`);
  out.table(
    ['vCenter', 'period', 'reason', 'detail', 'result'],
    result.actions.map((a) => [a.vcenter, a.period, a.reason, a.detail, resultCell(a)]),
  );
}
