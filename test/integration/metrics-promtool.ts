// Prometheus' own checker for the metrics tests: `promtool` from the Debian package `prometheus`
// (installed by the test command). A missing promtool fails the test, saying what to install.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PROMTOOL = '/usr/bin/promtool';

export interface PromtoolResult {
  status: number | null;
  /** stdout and stderr together: lint findings go to stdout, parse errors to stderr. */
  output: string;
}

export function promtool(args: string[], options: { input?: string; cwd?: string } = {}): PromtoolResult {
  assert.ok(existsSync(PROMTOOL), `${PROMTOOL} is missing: apt-get install prometheus`);
  const result = spawnSync(PROMTOOL, args, { input: options.input, cwd: options.cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

/** promtool's verdict on one exposition text (one file: concatenated files repeat HELP lines). */
export function promtoolCheckMetrics(text: string): PromtoolResult {
  return promtool(['check', 'metrics'], { input: text });
}
