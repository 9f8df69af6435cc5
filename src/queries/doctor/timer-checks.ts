// Doctor's systemd check: vctp's timers are installed, enabled and started. `systemctl show` rather
// than `is-enabled`: one bounded call answers for every unit, with the load and active state too.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { doctorCheck, type DoctorCheck } from '../../core/doctor-check.js';
import type { SystemctlShow } from './types.js';

/** The timers vctp ships under systemd/. */
export const VCTP_TIMERS = [
  'vctp-snapshot.timer',
  'vctp-aggregate-daily.timer',
  'vctp-aggregate-monthly.timer',
  'vctp-retention.timer',
  'vctp-db-cleanup.timer',
] as const;

export const systemctlShow: SystemctlShow = (units, timeoutMs) => {
  // systemd's own test for "booted with systemd" (sd_booted): in a container or chroot it is absent.
  if (!existsSync('/run/systemd/system')) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    execFile(
      'systemctl',
      ['show', '--property=Id,LoadState,UnitFileState,ActiveState', '--', ...units],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`systemctl show failed: ${stderr.trim() || error.message}`));
        else resolve(stdout);
      },
    );
  });
};

export interface UnitState {
  id: string;
  load: string;
  unitFile: string;
  active: string;
}

/** `systemctl show` output for several units: blocks of KEY=value lines separated by a blank line. */
export function parseSystemctlShow(text: string): UnitState[] {
  return text
    .split(/\n\s*\n/)
    .map((block) => {
      const props = new Map<string, string>();
      for (const line of block.split('\n')) {
        const eq = line.indexOf('=');
        if (eq > 0) props.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
      }
      return { id: props.get('Id') ?? '', load: props.get('LoadState') ?? '', unitFile: props.get('UnitFileState') ?? '', active: props.get('ActiveState') ?? '' };
    })
    .filter((u) => u.id !== '');
}

/** One line per timer that is not installed, enabled and active; the check fails on any not installed or not enabled. */
export function timersCheck(units: readonly string[], states: readonly UnitState[]): DoctorCheck {
  const problems: { fail: boolean; text: string }[] = [];
  for (const unit of units) {
    const s = states.find((u) => u.id === unit);
    if (!s || s.load !== 'loaded') problems.push({ fail: true, text: `${unit}: not installed (${s?.load || 'unknown'}); install vctp's systemd units` });
    else if (s.unitFile !== 'enabled' && s.unitFile !== 'enabled-runtime') problems.push({ fail: true, text: `${unit}: ${s.unitFile || 'not enabled'}; systemctl enable --now ${unit}` });
    else if (s.active !== 'active') problems.push({ fail: false, text: `${unit}: enabled but ${s.active}; systemctl start ${unit}` });
  }
  const facts = { units: states };
  if (problems.length === 0) return doctorCheck('systemd timers', 'ok', `all ${units.length} timers installed, enabled and active`, facts);
  return doctorCheck('systemd timers', problems.some((p) => p.fail) ? 'fail' : 'warn', problems.map((p) => p.text).join('\n'), facts);
}

export async function timerChecks(timeoutMs: number, show: SystemctlShow = systemctlShow): Promise<DoctorCheck> {
  let text: string | null;
  try {
    text = await show(VCTP_TIMERS, timeoutMs);
  } catch (error) {
    return doctorCheck('systemd timers', 'warn', `not checked: ${(error as Error).message}`);
  }
  if (text === null) return doctorCheck('systemd timers', 'warn', 'not checked: systemd is not running on this host (no /run/systemd/system); schedule vctp\'s jobs some other way');
  return timersCheck(VCTP_TIMERS, parseSystemctlShow(text));
}
