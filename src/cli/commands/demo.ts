// `vctp demo`: vctp end to end against VMware's vCenter simulator, from a checkout. Builds and
// starts the simulator, writes DIR/vctp.yml for it, captures N days of hourly history in this
// process with changes in between and one missed hour, aggregates the days and the month so far,
// writes the daily and monthly workbooks and the metrics textfiles, prints the totals and the
// paths, and stops the simulator on every way out (errors and SIGINT/SIGTERM included).
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';
import type { AllocationFigures } from '../../core/allocation.js';
import { demoWindow } from '../../core/demo-plan.js';
import { InterruptedError, type InterruptSignal, VctpError } from '../../core/errors.js';
import { demoCredentials, demoPaths, prepareDemoDir, writeDemoSettings } from '../../jobs/demo/demo-files.js';
import { runDemo, type DemoResult } from '../../jobs/demo/run-demo.js';
import { buildSimulator, findCheckout, startSimulator, type RunningSimulator } from '../../jobs/demo/simulator.js';
import { readAllocation, type AllocationResult } from '../../queries/allocation.js';
import { readTotals, type TotalsRow } from '../../queries/totals.js';
import { fixed, renderTable, stdoutOutput } from '../output.js';
import { parseIntegerFlag } from '../parse-time.js';

export interface DemoFlags {
  dir?: string;
  days?: string;
  reportsDir?: string;
  seed?: string;
}

/** The simulator's shape: 2 clusters of 2 hosts, 40 VMs per cluster and on the standalone host. */
const SIMULATOR = { clusters: 2, hosts: 2, vmsPerCluster: 40 };

export async function demoCommand(globals: RuntimeOptions, flags: DemoFlags): Promise<void> {
  if (globals.settings !== undefined) {
    throw new VctpError('usage', '--settings: vctp demo writes its own settings (DIR/vctp.yml); leave --settings out');
  }
  const started = Date.now();
  const days = parseIntegerFlag('--days', flags.days ?? '3', 1);
  const seed = parseIntegerFlag('--seed', flags.seed ?? '1', 0);
  const window = demoWindow(Math.floor(started / 1000), days);
  const checkout = findCheckout();
  const paths = demoPaths(resolve(flags.dir ?? join(checkout.root, 'demo')), resolve(flags.reportsDir ?? join(checkout.root, 'reports')));
  const out = stdoutOutput(false);
  // --quiet: only errors (and the exit status) tell how it went.
  const say = (line: string): void => {
    if (!globals.quiet) out.write(line);
  };
  const shown = (path: string): string => {
    const rel = relative(process.cwd(), path);
    return rel && !rel.startsWith('..') ? rel : path;
  };

  const binary = await buildSimulator(checkout);
  const buildMs = Date.now() - started;

  // The first SIGINT/SIGTERM stops the run after the step in flight (the runtime's own interrupt
  // also rolls back what the database has open); the finally below stops the simulator, and the
  // InterruptedError ends the command with 130 or 143. A second signal gets Node's default: the
  // process dies at once, and the simulator with it (PR_SET_PDEATHSIG).
  const interrupt = new AbortController();
  const onSignal = (signal: InterruptSignal): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.stderr.write(`\nvctp demo: ${signal}: stopping after the current step (again to stop at once)\n`);
    interrupt.abort(new InterruptedError(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let simulator: RunningSimulator | undefined;
  try {
    prepareDemoDir(paths);
    const credentials = demoCredentials();
    simulator = await startSimulator({
      binary,
      certDir: paths.certDir,
      logFile: paths.simulatorLog,
      ...credentials,
      // Every VM of the inventory existed before the first snapshot.
      now: window.start,
      ...SIMULATOR,
      seed: 1,
    });
    say(
      `VMware's vCenter simulator at ${simulator.url}: ${simulator.info.vms} VMs in ${simulator.info.clusters} clusters ` +
        `(TLS verified against its own CA; its log: ${shown(paths.simulatorLog)})`,
    );
    writeDemoSettings(paths, { url: simulator.url, username: credentials.username, password: credentials.password, caFile: simulator.caFile });
    interrupt.signal.throwIfAborted();

    const result = await withRuntime(
      // error: the jobs' info lines (one per snapshot) and missed-snapshot warnings would repeat what the demo prints.
      { settings: paths.settings, logLevel: globals.logLevel ?? 'error', quiet: globals.quiet, metricsTextfileDir: paths.metricsDir },
      async (runtime) => {
        // The plaintext password in the new file is encrypted in place here (enc:v1:).
        const logins = await runtime.vcenterLogins();
        if (logins.length !== 1) throw new VctpError('internal', 'the demo settings name one vCenter, the simulator');
        const demo = await runDemo(runtime.ctx, runtime.settings, { window, seed, login: logins[0]!, signal: interrupt.signal, say });
        // The totals query, as `vctp totals` reads it: the days of the window and the month(s).
        const back = Math.ceil((Date.now() / 1000 - window.start) / 86_400);
        const daily = (await readTotals(runtime.ctx, { view: 'daily', days: back })).rows.filter((r) => window.days.includes(r.period));
        const monthly = (await readTotals(runtime.ctx, { view: 'monthly', days: back })).rows.filter((r) => demo.months.includes(r.period));
        // The demo's days by tenant, as `vctp allocation` reads them (from the spans: a day range).
        const allocation = await readAllocation(runtime.ctx, runtime.settings, {
          window: `${window.days[0]}..${window.days[window.days.length - 1]}`,
          by: 'tenant',
        });
        return { ...demo, daily, monthly, allocation };
      },
    );
    await simulator.stop();
    if (!globals.quiet) print(result, { paths, shown, buildMs, totalMs: Date.now() - started });
  } catch (error) {
    // Whatever the interrupt made fail on its way out, the signal is why the run stopped.
    if (interrupt.signal.aborted) throw interrupt.signal.reason;
    throw error;
  } finally {
    await simulator?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (interrupt.signal.aborted) {
      process.stderr.write(`vctp demo: the simulator is stopped; ${shown(paths.dir)} keeps what was captured so far\n`);
    }
  }
}

interface PrintContext {
  paths: ReturnType<typeof demoPaths>;
  shown: (path: string) => string;
  buildMs: number;
  totalMs: number;
}

function print(result: DemoResult & { daily: TotalsRow[]; monthly: TotalsRow[]; allocation: AllocationResult }, c: PrintContext): void {
  const out = stdoutOutput(false);
  const k = result.changes.byKind;
  out.write('');
  out.write(
    `${result.snapshots} snapshots over ${result.window.days.length} days, ${result.changes.total} changes ` +
      `(${k.create} created, ${k.destroy} destroyed, ${k.resize} resized, ${k.move} moved, ${k.power} power), ` +
      `one missed hour (${result.missed} UTC)`,
  );
  // Two narrow tables rather than one wide one: each fits 80 columns (a pipe) without wrapping.
  const periods = [...result.daily, ...result.monthly];
  out.write(`totals of ${result.vcenter}, as vctp totals reads them: chargeable VMs and their sizes, prorated over each period`);
  out.write(renderTable(['period', 'snapshots', 'VMs', 'vCPU', 'RAM GB', 'disk GB'], periods.map(sizeCells)));
  out.write('tier shares of the chargeable VMs (resource pools Tin, Bronze, Silver, Gold)');
  out.write(renderTable(['period', 'Tin', 'Bronze', 'Silver', 'Gold', 'no tier'], periods.map(tierCells)));
  const a = result.allocation;
  out.write(`cost of ${a.period} by tenant (custom attribute Tenant), ${a.currency ?? 'no currency'}, as vctp allocation computes it`);
  out.write(renderTable(['tenant', 'VMs', 'prorated', 'vCPU', 'RAM GB', 'cost'], [...a.rows, { ...a.total, tenant: 'total' }].map(allocationCells)));
  for (const month of result.monthly) {
    if ((month.samples?.missing ?? 0) === 0) continue;
    out.write(`${month.period}: the month's summary counts the hours before and after the demo's days as missed snapshots (there were none)`);
  }
  out.write('');
  out.write('written:');
  const rows: [string, string][] = [
    ['settings', c.paths.settings],
    ['database (SQLite)', c.paths.database],
    ...result.reports.map((r): [string, string] => [`${r.kind} report ${r.period}`, r.path]),
    ...metricsRows(c.paths.metricsDir),
    ['simulator log', c.paths.simulatorLog],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, path] of rows) out.write(`  ${label.padEnd(width)}  ${c.shown(path)}`);
  const t = result.timings;
  out.write(
    `took ${secs(c.totalMs)}: build check ${secs(c.buildMs)}, capture ${secs(t.captureMs)}, aggregation ${secs(t.aggregateMs)}, ` +
      `reports ${secs(t.reportMs)}`,
  );
  const settings = c.shown(c.paths.settings);
  out.write('');
  out.write('explore (the simulator has stopped; these read the database):');
  out.write(`  ./bin/vctp -s ${settings} status`);
  out.write(`  ./bin/vctp -s ${settings} totals --view hourly --days ${result.window.days.length + 1}`);
  if (result.example) out.write(`  ./bin/vctp -s ${settings} trace ${result.example} --view daily    # a VM the demo changed`);
  out.write(`  ./bin/vctp -s ${settings} allocation --window ${result.allocation.window.start.slice(0, 10)}..${result.window.days[result.window.days.length - 1]} --by cost_centre,tier`);
  if (result.example) out.write(`  ./bin/vctp -s ${settings} explain ${result.example} --day ${result.window.days[result.window.days.length - 1]}    # how its cost was computed`);
  out.write(`  ./bin/vctp -s ${settings} serve --no-tls --bind-ip 127.0.0.1 --port 8080    # then open http://127.0.0.1:8080/`);
}

/** The textfiles the jobs published into metrics_textfile_dir. */
function metricsRows(dir: string): [string, string][] {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.prom')).sort();
  } catch {
    // none
  }
  if (files.length === 0) return [['metrics textfiles', `${dir} (none were published)`]];
  return files.map((file) => ['metrics textfile', join(dir, file)]);
}

function sizeCells(r: TotalsRow): string[] {
  const t = r.totals;
  const samples = r.samples ? `${r.samples.present}/${r.samples.expected}${r.samples.missing > 0 ? ` (${r.samples.missing} missed)` : ''}` : '-';
  return [r.period, samples, fixed(t.chargeableVmCount, 2), fixed(t.vcpuTotal, 1), fixed(t.ramGbTotal, 1), fixed(t.diskGbTotal, 1)];
}

function allocationCells(r: AllocationFigures & { tenant?: string }): string[] {
  return [r.tenant ?? '', String(r.vms), fixed(r.prorated_vms, 2), fixed(r.avg_vcpu, 1), fixed(r.avg_ram_gb, 1), fixed(r.cost.total, 2)];
}

function tierCells(r: TotalsRow): string[] {
  const t = r.totals;
  const share = (n: number): string => (t.chargeableVmCount > 0 ? `${((100 * n) / t.chargeableVmCount).toFixed(1)}%` : '-');
  return [r.period, share(t.tinVmCount), share(t.bronzeVmCount), share(t.silverVmCount), share(t.goldVmCount), share(t.untieredVmCount)];
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
