import { VctpError } from '../../core/errors.js';
import { type BackfillResult, runBackfill } from '../../jobs/backfill.js';
import { alreadyReported, fixed, printJson, stdoutOutput, type Output } from '../output.js';
import { formatTime } from '../parse-time.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';

export interface BackfillFlags {
  json?: boolean;
  wide?: boolean;
}

export async function backfillCommand(globals: RuntimeOptions, flags: BackfillFlags): Promise<void> {
  const out = stdoutOutput({ json: flags.json, quiet: globals.quiet });
  const { result, logsErrors } = await withRuntime(globals, async ({ settings, ctx, log }) => ({
    result: await runBackfill(ctx, settings, { lockWaitSeconds: settings.lock_wait_seconds }),
    logsErrors: log.isLevelEnabled('error'),
  }));
  print(out, result, flags.wide ?? false);
  if (!result.skipped) {
    const failed = result.outcomes.filter((o) => !o.ok);
    if (failed.length > 0) {
      // Each failed vCenter was logged at error level by the job: not printed again.
      const failure = new VctpError('partial', `${failed.length} of ${result.outcomes.length} vCenters failed: ${failed.map((f) => `${f.vcenter}: ${'error' in f ? f.error : ''}`).join('; ')}`);
      throw logsErrors ? alreadyReported(failure) : failure;
    }
  }
}

function print(out: Output, result: BackfillResult, wide: boolean): void {
  if (out.json) return printJson(out, result);
  if (result.skipped) return out.write(`another vctp aggregation is running (${result.holder}); this run did nothing`);
  if (result.outcomes.length === 0) return out.write('no vCenter has snapshots yet: nothing to rebuild');
  if (result.closedMonthsKept.length > 0) out.write(`totals of closed months kept as they were (their figures are final): ${result.closedMonthsKept.join(', ')}`);
  const head = ['vCenter', 'hourly rows', 'daily rows', 'monthly rows'];
  if (wide) head.push('latest snapshot (UTC)');
  out.table(
    [...head, 'result'],
    result.outcomes.map((o) => {
      if (!o.ok) return [o.vcenter, null, null, null, ...(wide ? [null] : []), 'failed; the vCenter keeps its previous totals'];
      return [o.vcenter, o.hourly, o.daily, o.monthly, ...(wide ? [formatTime(o.latest)] : []), `ok (${fixed(o.durationMs / 1000, 2)} s)`];
    }),
  );
}
