import { loadDoctorRuntime } from '../../app/doctor-runtime.js';
import type { RuntimeOptions } from '../../app/runtime.js';
import { summarizeChecks, type DoctorCheck } from '../../core/doctor-check.js';
import { VctpError } from '../../core/errors.js';
import { runDoctor } from '../../queries/doctor/run-doctor.js';
import { printJson, stdoutOutput } from '../output.js';
import { parseIntegerFlag } from '../parse-time.js';

export interface DoctorFlags {
  json?: boolean;
  timeout?: string;
}

export const DEFAULT_DOCTOR_TIMEOUT_SECONDS = 15;

/** Prints every check, then fails (exit 1) when one failed; warnings alone exit 0. */
export async function doctorCommand(globals: RuntimeOptions, flags: DoctorFlags): Promise<void> {
  const timeoutSeconds = flags.timeout === undefined ? DEFAULT_DOCTOR_TIMEOUT_SECONDS : parseIntegerFlag('--timeout', flags.timeout, 1);
  const runtime = await loadDoctorRuntime(globals);
  const checks = await runDoctor({
    settingsFile: { path: runtime.settingsPath, error: runtime.settingsError, warnings: runtime.warnings, ignoredKeys: runtime.ignoredKeys },
    settings: runtime.settings,
    vcenterLogins: runtime.vcenterLogins,
    log: runtime.log,
    now: Date.now,
    timeoutMs: timeoutSeconds * 1000,
  });
  const summary = summarizeChecks(checks);
  // --quiet: nothing when all is well; the failed checks' table when not.
  if (!(globals.quiet && summary.fail === 0)) print(checks, { ...globals, quiet: false }, flags.json ?? false);
  if (summary.fail > 0) {
    throw new VctpError('config', `doctor: ${summary.fail} check${summary.fail === 1 ? '' : 's'} failed: ${summary.failed.join(', ')}`);
  }
}

function print(checks: readonly DoctorCheck[], globals: RuntimeOptions, json: boolean): void {
  const out = stdoutOutput({ json, quiet: globals.quiet });
  if (json) return printJson(out, checks);
  // The table wraps the detail to the terminal; --json keeps each detail whole.
  out.table(['check', 'status', 'detail'], checks.map((c) => [c.check, c.status, c.detail]));
  const { ok, warn, fail } = summarizeChecks(checks);
  out.write(`${ok} ok, ${warn} warn, ${fail} fail`);
}
