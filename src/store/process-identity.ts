// This process's identity as a lock holder, and a look at another process, from Linux's /proc.
// The decisions on what these facts prove live in src/core/lock-holder.ts. Elsewhere than Linux
// (no /proc) every fact is null, and locks fall back to their lease.
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseProcStat, type ProcessIdentity, type ProcessSighting } from '../core/lock-holder.js';

let cached: ProcessIdentity | undefined;

function readOrNull<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}

/** Read once per process: none of it changes while the process lives. */
export function currentProcessIdentity(): ProcessIdentity {
  if (cached) return cached;
  const bootId = readOrNull(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()) || null;
  const self = readOrNull(() => parseProcStat(readFileSync('/proc/self/stat', 'utf8')));
  // A /proc mounted for another pid namespace (e.g. `unshare --pid` without --mount-proc) shows
  // this process under another pid: then no pid seen in it means anything to us, nor ours to others.
  const ownProc = self !== null && self.pid === process.pid;
  const pidNamespace = ownProc ? readOrNull(() => readlinkSync('/proc/self/ns/pid')) : null;
  cached = {
    hostname: hostname(),
    bootId,
    pidNamespace,
    pid: process.pid,
    startTime: ownProc ? self.startTime : null,
  };
  return cached;
}

/**
 * The process with this pid as this process's /proc shows it; null only when the kernel says there
 * is no such process. A /proc entry that cannot be read (another user's under hidepid, a /proc
 * without it) is not taken for absence: kill(pid, 0) asks the kernel.
 */
export function lookAtProcess(pid: number): ProcessSighting | null {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  const stat = readOrNull(() => parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8')));
  if (stat && stat.pid === pid) return { state: stat.state, startTime: stat.startTime };
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return null;
  }
  return { state: null, startTime: null };
}
