// `vctp doctor`: every health check an operator wants after an install or an alert, read-only and
// bounded. The probes run side by side; the list comes back in a fixed order: settings, vCenters,
// database, disk, freshness, systemd. A group that cannot run says so in one row rather than vanish.
import { doctorCheck, type DoctorCheck } from '../../core/doctor-check.js';
import { databaseChecks } from './database-checks.js';
import { diskChecks } from './disk-checks.js';
import { freshnessChecks } from './freshness-checks.js';
import { settingsChecks, type PasswordFacts } from './settings-checks.js';
import { timerChecks } from './timer-checks.js';
import type { DoctorInput } from './types.js';
import { withDeadline } from './types.js';
import { vcenterChecks } from './vcenter-checks.js';

export type { DoctorInput, DoctorSettings, SettingsFileFacts } from './types.js';

export async function runDoctor(input: DoctorInput): Promise<DoctorCheck[]> {
  const timers = timerChecks(input.timeoutMs, input.systemctlShow);
  const settings = input.settings;
  if (settings === null) {
    const skipped = (check: string) => doctorCheck(check, 'warn', 'not checked: the settings did not load');
    return [...settingsChecks(input.settingsFile, []), skipped('vcenters'), skipped('database'), skipped('disk'), skipped('freshness'), await timers];
  }

  // A password that cannot be had is reported by the vCenter checks that need it.
  const logins = input.vcenterLogins();
  const passwordFacts: PasswordFacts[] = [];
  for (const login of logins) {
    const p = login.password;
    if ('key' in p && !passwordFacts.some((f) => f.key === p.key)) passwordFacts.push({ key: p.key, form: p.form });
  }

  const vcenters = vcenterChecks(settings, logins, input.log, input.timeoutMs, input.now());
  const disk = diskChecks(settings);
  const database = (async () => {
    const outcome = await databaseChecks(settings, input.timeoutMs);
    if (!outcome.store) return [...outcome.checks, doctorCheck('freshness', 'warn', `not checked: ${outcome.unusable}`)];
    const store = outcome.store;
    try {
      const ctx = { store, log: input.log, now: input.now };
      return [...outcome.checks, ...(await withDeadline(freshnessChecks(ctx, settings), input.timeoutMs, 'the freshness queries'))];
    } catch (error) {
      return [...outcome.checks, doctorCheck('freshness', 'fail', `the database stopped answering: ${(error as Error).message}`)];
    } finally {
      await store.close().catch(() => undefined);
    }
  })();

  const [v, d, k, t] = await Promise.all([vcenters, database, disk, timers]);
  const fromDatabase = d.filter((c) => c.check.startsWith('database'));
  const freshness = d.filter((c) => !c.check.startsWith('database'));
  return [...settingsChecks(input.settingsFile, passwordFacts), ...v, ...fromDatabase, ...k, ...freshness, t];
}
