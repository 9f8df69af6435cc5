import { VctpError } from '../../core/errors.js';
import { type BackfillResult, runBackfill } from '../../jobs/backfill.js';
import { fixed, printJson, renderTable, stdoutOutput } from '../output.js';
import { formatTime } from '../parse-time.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';

export interface BackfillFlags {
  json?: boolean;
}

export async function backfillCommand(globals: RuntimeOptions, flags: BackfillFlags): Promise<void> {
  const result = await withRuntime(globals, ({ settings, ctx }) => runBackfill(ctx, settings, { lockWaitSeconds: settings.lock_wait_seconds }));
  print(result, flags.json ?? false);
  if (!result.skipped) {
    const failed = result.outcomes.filter((o) => !o.ok);
    if (failed.length > 0) {
      throw new VctpError('partial', `${failed.length} of ${result.outcomes.length} vCenters failed: ${failed.map((f) => `${f.vcenter}: ${'error' in f ? f.error : ''}`).join('; ')}`);
    }
  }
}

function print(result: BackfillResult, json: boolean): void {
  const out = stdoutOutput(json);
  if (json) return printJson(out, result);
  if (result.skipped) return out.write(`another vctp aggregation is running (${result.holder}); this run did nothing`);
  if (result.outcomes.length === 0) return out.write('no vCenter has snapshots yet: nothing to rebuild');
  out.write(
    renderTable(
      ['vCenter', 'hourly rows', 'latest (UTC)', 'daily rows', 'monthly rows', 'result'],
      result.outcomes.map((o) =>
        o.ok
          ? [o.vcenter, o.hourly, formatTime(o.latest), o.daily, o.monthly, `ok (${fixed(o.durationMs / 1000, 2)} s)`]
          : [o.vcenter, '-', '-', '-', '-', `failed: ${o.error}`],
      ),
    ),
  );
}
