// The original system's single-dash flags keep working, so scripts and units written for it run
// unchanged: each is rewritten to the subcommand it became before commander sees the arguments.
import { VctpError } from '../core/errors.js';

/** Legacy action flags and the subcommand each became. Later subcommands add theirs here. */
const LEGACY_ACTIONS: Record<string, string[]> = {
  '-run-inventory': ['snapshot'],
  '-db-cleanup': ['db', 'cleanup'],
  '-backfill-vcenter-cache': ['backfill'],
  '-benchmark-aggregations': ['benchmark', 'aggregations'],
  // -import-sqlite FILE: FILE stays among the other arguments, after the subcommand.
  '-import-sqlite': ['import-sqlite'],
};

/** Legacy flags that take a value, and the option each became. */
const LEGACY_OPTIONS: Record<string, string> = {
  '-benchmark-runs': '--runs',
};

export function translateLegacyArgs(argv: readonly string[]): string[] {
  const options: string[] = [];
  const actions: string[][] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-settings' || arg.startsWith('-settings=')) {
      const value = arg.includes('=') ? arg.slice('-settings='.length) : argv[++i];
      if (value === undefined) throw new VctpError('usage', '-settings: expected a file path');
      options.push('--settings', value);
    } else if (LEGACY_OPTIONS[arg]) {
      const value = argv[++i];
      if (value === undefined) throw new VctpError('usage', `${arg}: expected a value`);
      rest.push(LEGACY_OPTIONS[arg], value);
    } else if (LEGACY_ACTIONS[arg]) {
      actions.push(LEGACY_ACTIONS[arg]);
    } else {
      rest.push(arg);
    }
  }
  if (actions.length > 1) throw new VctpError('usage', `only one action flag at a time, got ${actions.map((a) => a.join(' ')).join(' and ')}`);
  return [...options, ...(actions[0] ?? []), ...rest];
}
