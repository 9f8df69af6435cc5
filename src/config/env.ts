// The one place in vctp that reads process.env (test/unit/architecture.test.ts keeps it so).
// Everything else receives what it needs from here or from the settings file.

/** Where the RPM layout of the original system keeps the settings file. */
export const DEFAULT_SETTINGS_PATH = '/etc/dtms/vctp.yml';
export const SETTINGS_ENV_VAR = 'VCTP_SETTINGS';

type Env = Readonly<Record<string, string | undefined>>;

/** `--settings <file>` wins, then $VCTP_SETTINGS, then /etc/dtms/vctp.yml. Empty values count as unset. */
export function settingsPathFrom(flag?: string, env: Env = process.env): string {
  if (flag !== undefined && flag.trim() !== '') return flag;
  const fromEnv = env[SETTINGS_ENV_VAR];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return fromEnv;
  return DEFAULT_SETTINGS_PATH;
}

export type ManualAggregationEngine = 'app' | 'sql';

/**
 * The spec's "Runtime Environment Flags" (DAILY_AGG_GO / DAILY_AGG_SQL, MONTHLY_AGG_GO /
 * MONTHLY_AGG_SQL): they pick the engine of *manual* aggregation runs only; scheduled runs follow
 * settings.scheduled_aggregation_engine. `*_GO` means our in-process engine (`app`). When both
 * flags of a pair are set, SQL wins, because forcing the fallback is the deliberate act.
 */
export interface RuntimeEnv {
  dailyAggregationEngine: ManualAggregationEngine | undefined;
  monthlyAggregationEngine: ManualAggregationEngine | undefined;
}

export function readRuntimeEnv(env: Env = process.env): RuntimeEnv {
  const engine = (prefix: 'DAILY' | 'MONTHLY'): ManualAggregationEngine | undefined => {
    if (env[`${prefix}_AGG_SQL`] === '1') return 'sql';
    if (env[`${prefix}_AGG_GO`] === '1') return 'app';
    return undefined;
  };
  return { dailyAggregationEngine: engine('DAILY'), monthlyAggregationEngine: engine('MONTHLY') };
}

/**
 * Whether to draw live progress on `stream`: a terminal that can redraw lines, and not a CI log,
 * where carriage-return redraws turn into thousands of lines.
 */
export function isInteractiveTerminal(stream: { isTTY?: boolean }, env: Env = process.env): boolean {
  return stream.isTTY === true && env.TERM !== 'dumb' && (env.CI === undefined || env.CI === '' || env.CI === 'false');
}
