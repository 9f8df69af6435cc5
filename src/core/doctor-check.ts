// The result of one `vctp doctor` check and how a list of them is judged. A check is ok, warn
// (worth a look; doctor still exits 0) or fail (vctp cannot do its job as configured; exit 1).
// Facts beyond check/status/detail (the URL probed, the values compared, ...) ride along for
// --json readers.

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  /** Stable name, e.g. `database: schema`, `vcenter vc1.example.com`. */
  check: string;
  status: CheckStatus;
  /** What was found and, when not ok, what to do about it; may span lines. */
  detail: string;
  readonly [fact: string]: unknown;
}

const RANK: Record<CheckStatus, number> = { ok: 0, warn: 1, fail: 2 };

export function worstStatus(statuses: Iterable<CheckStatus>): CheckStatus {
  let worst: CheckStatus = 'ok';
  for (const s of statuses) if (RANK[s] > RANK[worst]) worst = s;
  return worst;
}

export function doctorCheck(check: string, status: CheckStatus, detail: string, facts: Record<string, unknown> = {}): DoctorCheck {
  return { ...facts, check, status, detail };
}

export interface DoctorSummary {
  ok: number;
  warn: number;
  fail: number;
  /** The checks that failed, by name. */
  failed: string[];
}

export function summarizeChecks(checks: readonly DoctorCheck[]): DoctorSummary {
  return {
    ok: checks.filter((c) => c.status === 'ok').length,
    warn: checks.filter((c) => c.status === 'warn').length,
    fail: checks.filter((c) => c.status === 'fail').length,
    failed: checks.filter((c) => c.status === 'fail').map((c) => c.check),
  };
}
