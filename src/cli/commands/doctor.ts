import { loadDoctorRuntime } from '../../app/doctor-runtime.js';
import type { RuntimeOptions } from '../../app/runtime.js';
import { summarizeChecks, type DoctorCheck } from '../../core/doctor-check.js';
import { VctpError } from '../../core/errors.js';
import { runDoctor } from '../../queries/doctor/run-doctor.js';
import { printJson, renderTable, stdoutOutput } from '../output.js';
import { parseIntegerFlag } from '../parse-time.js';

export interface DoctorFlags {
  json?: boolean;
  timeout?: string;
}

export const DEFAULT_DOCTOR_TIMEOUT_SECONDS = 15;
/** Detail lines are wrapped here so that the table fits a terminal; --json keeps them whole. */
const DETAIL_WIDTH = 100;

/** Prints every check, then fails (exit 1) when one failed; warnings alone exit 0. */
export async function doctorCommand(globals: RuntimeOptions, flags: DoctorFlags): Promise<void> {
  const timeoutSeconds = flags.timeout === undefined ? DEFAULT_DOCTOR_TIMEOUT_SECONDS : parseIntegerFlag('--timeout', flags.timeout, 1);
  const runtime = await loadDoctorRuntime(globals);
  const checks = await runDoctor({
    settingsFile: { path: runtime.settingsPath, error: runtime.settingsError, warnings: runtime.warnings, ignoredKeys: runtime.ignoredKeys },
    settings: runtime.settings,
    vcenterPassword: runtime.vcenterPassword,
    log: runtime.log,
    now: Date.now,
    timeoutMs: timeoutSeconds * 1000,
  });
  const summary = summarizeChecks(checks);
  if (!(globals.quiet && summary.fail === 0)) print(checks, flags.json ?? false);
  if (summary.fail > 0) {
    throw new VctpError('config', `doctor: ${summary.fail} check${summary.fail === 1 ? '' : 's'} failed: ${summary.failed.join(', ')}`);
  }
}

function print(checks: readonly DoctorCheck[], json: boolean): void {
  const out = stdoutOutput(json);
  if (json) return printJson(out, checks);
  out.write(renderTable(['check', 'status', 'detail'], checks.map((c) => [c.check, c.status, wrap(c.detail, DETAIL_WIDTH)])));
  const { ok, warn, fail } = summarizeChecks(checks);
  out.write(`${ok} ok, ${warn} warn, ${fail} fail`);
}

/** Breaks each line of `text` at spaces so that none exceeds `width` (a longer word stays whole). */
export function wrap(text: string, width: number): string {
  return text
    .split('\n')
    .flatMap((line) => {
      const out: string[] = [];
      let current = '';
      for (const word of line.split(' ')) {
        if (current !== '' && current.length + 1 + word.length > width) {
          out.push(current);
          current = `  ${word}`;
        } else current = current === '' ? word : `${current} ${word}`;
      }
      out.push(current);
      return out;
    })
    .join('\n');
}
