// `vctp vm set-lifecycle --vcenter V --vm VM_ID [--created T] [--deleted T] --reason TEXT [--json]`:
// the CLI twin of `POST /api/import/vm` (src/server/routes/import-vm.ts). The same job
// (src/jobs/import-vm.ts): the same rules, the aggregate lock, the audit in vm_lifecycle_imports and
// the log. Who: the OS user running it, with the sudo invoker (src/config/os-user.ts); source: 'cli'.
// Unlike a request, it waits for the lock as long as the other jobs do (--lock-wait, default
// settings.lock_wait_seconds).
import { VctpError } from '../../core/errors.js';
import { LifecycleImportError } from '../../core/lifecycle-import.js';
import { type ImportVmResult, runImportVm } from '../../jobs/import-vm.js';
import { osUser } from '../../app/os-user.js';
import { printJson, stdoutOutput, type Output } from '../output.js';
import { formatTime, parseIntegerFlag, parseTimeFlag } from '../parse-time.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';

/** The audit's source of a change made with this command. */
export const CLI_SOURCE = 'cli';

export interface VmSetLifecycleFlags {
  vcenter?: string;
  vm?: string;
  created?: string;
  deleted?: string;
  reason?: string;
  lockWait?: string;
  json?: boolean;
}

/** The flag that gave each of the job's inputs, for errors. */
const FLAG_OF = { creationTime: '--created', deletionTime: '--deleted', reason: '--reason' } as const;

export async function vmSetLifecycleCommand(globals: RuntimeOptions, flags: VmSetLifecycleFlags): Promise<void> {
  const required = (flag: string, value: string | undefined, what: string): string => {
    if (value === undefined || value.trim() === '') throw new VctpError('usage', `${flag}: ${what} is required`);
    return value;
  };
  const vcenter = required('--vcenter', flags.vcenter, 'the vCenter (host[:port] as stored, as `vctp status` shows it)');
  const vmId = required('--vm', flags.vm, "the VM's managed object id (vm-42, as `vctp trace` shows it)");
  if (flags.created === undefined && flags.deleted === undefined) throw new VctpError('usage', '--created, --deleted or both: give the time(s) to set');
  const reason = required('--reason', flags.reason, 'why the value is set (it is kept in the audit)');
  const creationTime = flags.created === undefined ? undefined : parseTimeFlag('--created', flags.created);
  const deletionTime = flags.deleted === undefined ? undefined : parseTimeFlag('--deleted', flags.deleted);
  const lockWait = flags.lockWait === undefined ? undefined : parseIntegerFlag('--lock-wait', flags.lockWait);
  const out = stdoutOutput({ json: flags.json, quiet: globals.quiet });
  const given = { creationTime: flags.created, deletionTime: flags.deleted, reason: flags.reason };

  const result = await withRuntime(globals, async ({ settings, ctx }) => {
    try {
      return await runImportVm(ctx, {
        vcenter,
        vmId,
        creationTime,
        deletionTime,
        reason,
        user: osUser(),
        source: CLI_SOURCE,
        lockWaitSeconds: lockWait ?? settings.lock_wait_seconds,
      });
    } catch (error) {
      throw flagError(error, { vcenter, vmId, given });
    }
  });
  print(out, result);
  if (result.skipped) {
    throw new VctpError('lock', `another vctp run holds the aggregate lock (${result.holder}); nothing was changed: try again when it has finished`);
  }
}

/** The job's refusals named by the flag at fault, as the API names the body field. */
function flagError(
  error: unknown,
  input: { vcenter: string; vmId: string; given: Record<keyof typeof FLAG_OF, string | undefined> },
): unknown {
  if (error instanceof LifecycleImportError) {
    if (error.field === 'body') return new VctpError('usage', '--created, --deleted or both: give the time(s) to set');
    const flag = FLAG_OF[error.field];
    const rest = error.message.slice(error.field.length + 2);
    const value = error.field === 'reason' ? '' : ` ${input.given[error.field]}`;
    return new VctpError('usage', `${flag}${value}: ${rest}`);
  }
  if (error instanceof VctpError && error.code === 'not-found') {
    for (const [prefix, flag] of [
      [`vcenter ${input.vcenter}:`, `--vcenter ${input.vcenter}:`],
      [`vmId ${input.vmId}:`, `--vm ${input.vmId}:`],
    ] as const) {
      if (error.message.startsWith(prefix)) return new VctpError('not-found', `${flag}${error.message.slice(prefix.length)}`, { cause: error });
    }
  }
  return error;
}

const timeText = (unix: number) => (unix === 0 ? 'unknown' : formatTime(unix));

function print(out: Output, result: ImportVmResult): void {
  if (out.json) return printJson(out, result);
  if (result.skipped) return;
  const { before, after } = result;
  const line = (what: string, from: number, to: number) =>
    from === to ? `  ${what}: ${timeText(from)} (unchanged)` : `  ${what}: ${timeText(from)} -> ${timeText(to)}`;
  if (!result.changed || !result.audit) {
    out.write(`${result.vmId} in ${result.vcenter} already has these values (creation ${timeText(after.creationTime)}, deletion ${timeText(after.deletionTime)}): nothing was changed or audited`);
    return;
  }
  out.write(`set the lifecycle of ${result.vmId} in ${result.vcenter} (audit #${result.audit.id}, by ${result.audit.by}, source ${result.audit.source}):`);
  out.write(line('creation time', before.creationTime, after.creationTime));
  out.write(line('deletion time', before.deletionTime, after.deletionTime));
  if (result.staleDays && result.repair) {
    const days = result.staleDays.first === result.staleDays.last ? result.staleDays.first : `${result.staleDays.first} .. ${result.staleDays.last}`;
    out.write(`summaries of ${days} carried the old values and are now stale; to rebuild them: ${result.repair}`);
  }
}
