// Doctor's disk checks: free space where vctp writes (the SQLite database's directory, reports_dir,
// metrics_textfile_dir), and whether those directories exist and are writable. Nothing is created.
import { constants } from 'node:fs';
import { access, stat, statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { doctorCheck, worstStatus, type CheckStatus, type DoctorCheck } from '../../core/doctor-check.js';
import { diskStatus } from '../../core/doctor-rules.js';
import { sqlitePathFromUrl } from '../../store/sqlite-store.js';
import type { DoctorSettings } from './types.js';

interface Target {
  check: string;
  setting: string;
  path: string;
  /** What a missing directory means: created on first use (warn), or a setting to fix (fail). */
  whenMissing: 'created later' | 'required';
}

export async function diskChecks(settings: DoctorSettings): Promise<DoctorCheck[]> {
  const targets: Target[] = [];
  if (settings.database_driver === 'sqlite') {
    const file = sqlitePathFromUrl(settings.database_url);
    if (file !== ':memory:') targets.push({ check: 'disk: database', setting: 'settings.database_url', path: dirname(resolve(file)), whenMissing: 'created later' });
  }
  targets.push({ check: 'disk: reports_dir', setting: 'settings.reports_dir', path: resolve(settings.reports_dir), whenMissing: 'created later' });
  if (settings.metrics_textfile_dir) {
    targets.push({ check: 'disk: metrics_textfile_dir', setting: 'settings.metrics_textfile_dir', path: resolve(settings.metrics_textfile_dir), whenMissing: 'required' });
  }
  return Promise.all(targets.map(checkTarget));
}

async function checkTarget(t: Target): Promise<DoctorCheck> {
  const lines: { status: CheckStatus; text: string }[] = [];
  const existing = await nearestExisting(t.path);
  const facts: Record<string, unknown> = { path: t.path };
  if (existing === null) return doctorCheck(t.check, 'fail', `${t.setting}: ${t.path}: no part of the path exists`, facts);
  if (existing.path !== t.path) {
    facts.exists = false;
    const writable = await isWritable(existing.path);
    if (t.whenMissing === 'required') {
      lines.push({ status: 'fail', text: `${t.setting}: ${t.path} does not exist; create it (node_exporter's textfile directory) or fix the setting` });
    } else if (!writable) {
      lines.push({ status: 'fail', text: `${t.setting}: ${t.path} does not exist and ${existing.path} is not writable, so vctp cannot create it` });
    } else {
      lines.push({ status: 'warn', text: `${t.setting}: ${t.path} does not exist yet (vctp creates it on first use)` });
    }
  } else if (!existing.isDirectory) {
    lines.push({ status: 'fail', text: `${t.setting}: ${t.path} is not a directory` });
  } else {
    facts.exists = true;
    if (!(await isWritable(t.path))) lines.push({ status: 'fail', text: `${t.setting}: ${t.path} is not writable by this user` });
  }
  try {
    const fs = await statfs(existing.path);
    const free = fs.bavail * fs.bsize;
    const total = fs.blocks * fs.bsize;
    const rule = diskStatus(free, total);
    Object.assign(facts, { freeBytes: free, totalBytes: total });
    lines.push({ status: rule.status, text: `${existing.path}: ${rule.reason}` });
  } catch (error) {
    lines.push({ status: 'warn', text: `${existing.path}: free space unknown (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
  }
  return doctorCheck(t.check, worstStatus(lines.map((l) => l.status)), lines.map((l) => l.text).join('\n'), facts);
}

async function nearestExisting(path: string): Promise<{ path: string; isDirectory: boolean } | null> {
  let current = path;
  for (;;) {
    try {
      return { path: current, isDirectory: (await stat(current)).isDirectory() };
    } catch {
      const parent = dirname(current);
      if (parent === current) return null;
      current = parent;
    }
  }
}

async function isWritable(path: string): Promise<boolean> {
  try {
    await access(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
