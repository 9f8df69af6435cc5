import { formatDay } from '../../core/periods.js';
import { type RetentionResult, runRetention } from '../../jobs/retention.js';
import { printJson, stdoutOutput, type Output } from '../output.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';

export interface RetentionFlags {
  dryRun?: boolean;
  json?: boolean;
}

export async function retentionCommand(globals: RuntimeOptions, flags: RetentionFlags): Promise<void> {
  const result = await withRuntime(globals, async ({ settings, ctx }) => ({
    settings: { hourlyDays: settings.hourly_snapshot_max_age_days, dailyMonths: settings.daily_snapshot_max_age_months },
    result: await runRetention(ctx, settings, { dryRun: flags.dryRun ?? false, lockWaitSeconds: settings.lock_wait_seconds }),
  }));
  print(stdoutOutput({ json: flags.json, quiet: globals.quiet }), result.result, result.settings);
}

function print(out: Output, result: RetentionResult, settings: { hourlyDays: number; dailyMonths: number }): void {
  if (out.json) return printJson(out, result);
  if (result.skipped) return out.write(`another vctp aggregation is running (${result.holder}); this run did nothing`);
  const r = result.removed;
  out.write(
    `hourly history before ${formatDay(result.cuts.hourlyCut)} (hourly_snapshot_max_age_days ${settings.hourlyDays}), ` +
      `daily summaries before ${formatDay(result.cuts.dailyCut)} (daily_snapshot_max_age_months ${settings.dailyMonths}); monthly summaries are kept`,
  );
  if (result.dryRun) out.write('dry run: these rows would go; nothing was removed');
  out.table(
    ['table', 'rows', result.dryRun ? 'would be' : 'removed'],
    [
      ['snapshot_registry', r.hourlySnapshots, 'hourly snapshots before the cut'],
      ['vm_spans', r.spansDeleted, 'spans that ended before the cut'],
      ['vm_spans', r.spansTrimmed, 'spans across the cut: trimmed to start at the first kept snapshot (kept)'],
      ['vcenter_aggregate_totals', r.hourlyTotals, 'hourly totals before the cut'],
      ['vcenter_latest_totals', r.latestTotals, 'latest totals of vCenters with no snapshot since the cut'],
      ['vm_daily_rollup', r.dailyRollupRows, 'daily summary rows'],
      ['snapshot_registry', r.dailySummaries, 'daily summaries'],
      ['vcenter_aggregate_totals', r.dailyTotals, 'daily totals'],
      ['vm_lifecycle', r.lifecycles, 'VMs deleted before the cut that nothing refers to'],
      ['vm_identities', r.identities, 'identity rows that nothing refers to'],
    ],
  );
  if (result.closedMonthsKept.length > 0) {
    out.write(`closed months kept whole (hourly history and daily summaries): ${result.closedMonthsKept.join(', ')}; vctp month reopen lets retention trim them`);
  }
  for (const v of result.vcenters) {
    if (v.keptFrom === null) {
      const kept = result.closedMonthsKept.length > 0 ? 'only that of closed months is kept' : 'none of its hourly history is kept; its next capture starts afresh';
      out.write(`${v.vcenter}: no hourly snapshot since the cut, so ${kept}`);
    }
  }
}
