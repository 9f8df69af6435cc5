// `vctp benchmark capture`: parses the flags, runs the capture benchmark job (simulators it starts
// and stops itself, a scratch database, the CLI's own `vctp snapshot` in child processes beside the
// raw-bytes floor), prints the figures. The configured database is never opened: its location is
// read only to refuse it as --db.
import { availableParallelism } from 'node:os';
import { VctpError } from '../../core/errors.js';
import { installInterrupt } from '../../app/interrupt.js';
import { loadRuntimeSettings, type RuntimeOptions } from '../../app/runtime.js';
import { benchmarkCapture, type CaptureBenchmarkReport } from '../../jobs/benchmark-capture.js';
import { count, fixed, printJson, stdoutOutput, type Output } from '../output.js';
import { parseIntegerFlag } from '../parse-time.js';

export interface BenchmarkCaptureFlags {
  vms?: string;
  vcenters?: string;
  runs?: string;
  vcsim?: string;
  db?: string;
  json?: boolean;
}

export async function benchmarkCaptureCommand(globals: RuntimeOptions, flags: BenchmarkCaptureFlags): Promise<void> {
  const vms = parseIntegerFlag('--vms', flags.vms ?? '10000', 1);
  const vcenters = parseIntegerFlag('--vcenters', flags.vcenters ?? '1', 1);
  const runs = parseIntegerFlag('--runs', flags.runs ?? '1', 1);
  if (vms < 5 * vcenters) throw new VctpError('usage', `--vms ${vms}: expected at least 5 VMs per vCenter (${5 * vcenters} for ${vcenters})`);
  const { settings, log } = await loadRuntimeSettings(globals);
  const interrupt = installInterrupt({ log });
  try {
    const report = await benchmarkCapture({ log, settings }, { vms, vcenters, runs, vcsim: flags.vcsim, db: flags.db, signal: interrupt.signal });
    print(stdoutOutput({ json: flags.json, quiet: globals.quiet }), report);
  } catch (error) {
    // Whatever the abort made fail (a killed child, a cancelled request), the signal is why.
    if (interrupt.signal.aborted) throw interrupt.signal.reason;
    throw error;
  } finally {
    interrupt.dispose();
  }
}

function print(out: Output, r: CaptureBenchmarkReport): void {
  if (out.json) return printJson(out, r);
  out.write(
    `${r.vcenters} simulated vCenter(s), ${count(r.vms)} VMs (${r.vms_per_vcenter.map(count).join(', ')}); simulator ${r.simulator.flags}, started in ${fixed(r.simulator.start_s, 1)} s`,
  );
  out.write(`database: ${r.database} (scratch, removed or emptied afterwards); page size ${r.page_size}; all vCenters at once`);
  out.write(
    'capture: `vctp snapshot --json` in a child process (wall from spawn to exit; its own CPU and peak RSS); floor: the same pages fetched as raw bytes, unparsed, just before' +
      (r.runs.length > 1 ? `; medians of ${r.runs.length} runs, each on a fresh database` : ''),
  );
  out.table(
    ['capture', 'VMs', 'wall s', 'CPU s', 'peak RSS MB', 'floor s', 'x floor', 'floor MB', 'load'],
    r.captures.map((c) => [
      c.kind === 'first' ? 'first (all new)' : 'next hour (unchanged)',
      count(c.vms),
      fixed(c.wall_s, 2),
      fixed(c.cpu_s, 2),
      count(c.peak_rss_mb),
      fixed(c.floor_s, 2),
      fixed(c.ratio, 2),
      fixed(c.floor_mb, 1),
      fixed(c.load_average, 2),
    ]),
  );
  out.write(`goal (wall <= ${r.goal.ratio}x floor): ${r.goal.met ? 'met' : 'missed'}`);
  out.write(`load average (1 min): ${fixed(r.load_average.start, 2)} at the start, ${fixed(r.load_average.end, 2)} at the end (${availableParallelism()} CPUs)`);
}
