import { assertCanSnapshot, runSnapshot, snapshotFailure, type SnapshotResult } from '../../jobs/snapshot.js';
import { alreadyReported, type Cell, count, fixed, printAfterJobReports, printJson, stdoutOutput, type Output } from '../output.js';
import { formatTime, parseIntegerFlag, parseTimeFlag } from '../parse-time.js';
import { snapshotProgress, StatusLine } from '../progress.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';

export interface SnapshotFlags {
  at?: string;
  vcenter?: string[];
  retrySeconds?: string;
  maxRetries?: string;
  lockWait?: string;
  pageSize?: string;
  force?: boolean;
  json?: boolean;
  wide?: boolean;
}

export async function snapshotCommand(globals: RuntimeOptions, flags: SnapshotFlags): Promise<void> {
  const at = flags.at === undefined ? undefined : parseTimeFlag('--at', flags.at);
  const out = stdoutOutput({ json: flags.json, quiet: globals.quiet });
  // Log lines go through the status line, which clears the progress display before each and
  // redraws it after (app/runtime.ts hands logDestination to the logger).
  const line = new StatusLine();
  const options: RuntimeOptions & { logDestination?: NodeJS.WritableStream } = { ...globals, logDestination: line.stream };
  const { result, logsErrors } = await withRuntime(options, async ({ settings, ctx, log, interactive, vcenterLogins }) => {
    const effective = {
      ...settings,
      hourly_snapshot_retry_seconds:
        flags.retrySeconds === undefined ? settings.hourly_snapshot_retry_seconds : parseIntegerFlag('--retry-seconds', flags.retrySeconds),
      hourly_snapshot_max_retries:
        flags.maxRetries === undefined ? settings.hourly_snapshot_max_retries : parseIntegerFlag('--max-retries', flags.maxRetries),
      lock_wait_seconds: flags.lockWait === undefined ? settings.lock_wait_seconds : parseIntegerFlag('--lock-wait', flags.lockWait),
    };
    assertCanSnapshot(settings);
    const logins = await vcenterLogins();
    const progress = snapshotProgress(!flags.json && !globals.quiet && interactive, logins.length, line);
    try {
      const result = await runSnapshot(ctx, effective, {
        at,
        only: flags.vcenter,
        logins,
        pageSize: flags.pageSize === undefined ? undefined : parseIntegerFlag('--page-size', flags.pageSize, 1),
        force: flags.force,
        onProgress: (event) => progress.update(event),
      });
      return { result, logsErrors: log.isLevelEnabled('error') };
    } finally {
      progress.finish();
    }
  });
  print(out, result, flags.wide ?? false);
  // Each failed vCenter and report was logged at error level by the job: not printed again.
  const failure = snapshotFailure(result);
  if (failure) throw logsErrors ? alreadyReported(failure) : failure;
}

function print(out: Output, result: SnapshotResult, wide: boolean): void {
  if (out.json) return printJson(out, result);
  if (result.skipped) return out.write(`another vctp snapshot is running (${result.holder}); this run did nothing`);
  // Default: the VMs and the result (each vCenter's log line counts new, changed and gone VMs);
  // --wide adds those counts and the vCPU, RAM and disk totals.
  const head = ['vCenter', 'snapshot (UTC)', 'VMs'];
  if (wide) head.push('new', 'changed', 'gone', 'vCPU', 'RAM GB', 'disk GB');
  out.table(
    [...head, 'result'],
    result.outcomes.map((o) => {
      const s = o.summary;
      const cells: Cell[] = [o.vcenter, formatTime(s?.snapshotTime ?? null), s?.vmCount];
      if (wide) cells.push(s?.added, s?.changed, s?.removed, s?.totals.vcpuTotal, s && fixed(s.totals.ramGbTotal), s && fixed(s.totals.diskGbTotal));
      // The error itself is in the job's log line for this vCenter (and in --json).
      const attempts = `${count(o.attempts)} attempt${o.attempts === 1 ? '' : 's'}`;
      const outcome = o.skipped !== undefined ? `not captured: ${o.skipped}` : o.ok ? `ok (${fixed(o.durationMs / 1000)} s)` : `failed after ${attempts}`;
      return [...cells, outcome];
    }),
  );
  printAfterJobReports(out, result.reports);
}
