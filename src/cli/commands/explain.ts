import { comparisonRows, formatExplanation } from '../../core/explain-format.js';
import { VctpError } from '../../core/errors.js';
import { explainVmPeriod, type ExplainResult } from '../../queries/explain.js';
import { printJson, stdoutOutput, type Output } from '../output.js';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';

export interface ExplainFlags {
  day?: string;
  month?: string;
  vcenter?: string;
  json?: boolean;
}

export async function explainCommand(globals: RuntimeOptions, vm: string, flags: ExplainFlags): Promise<void> {
  if ((flags.day === undefined) === (flags.month === undefined)) throw new VctpError('usage', 'explain: give --day YYYY-MM-DD or --month YYYY-MM (one of them)');
  const result = await withRuntime(globals, ({ ctx, settings }) => explainVmPeriod(ctx, settings, { vm, day: flags.day, month: flags.month, vcenter: flags.vcenter }), {
    readOnly: true,
  });
  print(stdoutOutput({ json: flags.json, quiet: globals.quiet }), result);
}

function print(out: Output, result: ExplainResult): void {
  if (out.json) return printJson(out, result);
  for (const line of formatExplanation(result, result)) out.write(line);
  const rows = comparisonRows(result);
  if (rows.length > 0) out.table(['column', 'stored', 'recomputed', ''], rows);
}
