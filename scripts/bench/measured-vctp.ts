// Runs the built CLI (bin/vctp) once in a process of its own and measures it: wall time from spawn
// to exit, and the process's own CPU time and peak RSS, which a module preloaded into it writes to
// stderr as it exits (the ru_maxrss GNU time reports). Shared by the benchmark scripts that time a
// whole command; each step in its own process keeps each peak RSS that step's.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const RUSAGE_ON_EXIT =
  "data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();" +
  "process.stderr.write('VCTP_MAXRSS_KB='+u.maxRSS+' VCTP_CPU_MS='+Math.round((u.userCPUTime+u.systemCPUTime)/1000)+'\\n')})";

export interface MeasuredRun {
  wallMs: number;
  cpuMs: number;
  rssKb: number;
  /** What the command printed on stdout (its --json, say). */
  out: string;
}

/** `vctp -s SETTINGS ARGS...`; rejects with the end of its stderr when it exits non-zero. */
export function runMeasuredVctp(settingsPath: string, args: string[]): Promise<MeasuredRun> {
  return new Promise((resolveRun, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', RUSAGE_ON_EXIT, join(ROOT, 'bin/vctp'), '-s', settingsPath, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, VCTP_SETTINGS: '' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const m = /VCTP_MAXRSS_KB=(\d+) VCTP_CPU_MS=(\d+)/.exec(err);
      if (code !== 0 || !m) reject(new Error(`vctp ${args.join(' ')} exited ${code}:\n${err.slice(-4000)}`));
      else resolveRun({ wallMs, cpuMs: Number(m[2]), rssKb: Number(m[1]), out });
    });
  });
}
