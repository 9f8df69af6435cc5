// The checks `vctp init` runs as it goes: can vctp log in to this vCenter, can it open this
// database. Each is bounded and leaves nothing behind: the vCenter session is logged out, the
// database closed, and nothing is created or migrated (the first job migrates, as after any
// install; a check that created tables would leave a half-set-up database when init is abandoned).
import { access, constants, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../log/logger.js';
import { openStore, type StoreSettings } from '../store/open-store.js';
import { sqlitePathFromUrl } from '../store/sqlite-store.js';
import { VimSession, type VcenterTarget } from '../vcenter/index.js';

export type CheckOutcome = { ok: true; detail: string } | { ok: false; error: string };

/** Bound of one login check: a frozen vCenter or a dropped packet must not hang the wizard. */
export const INIT_CHECK_TIMEOUT_MS = 15_000;

export async function checkVcenterLogin(target: Omit<VcenterTarget, 'timeoutMs'>, log: Logger, timeoutMs = INIT_CHECK_TIMEOUT_MS): Promise<CheckOutcome> {
  let session: VimSession;
  try {
    session = await VimSession.login({ ...target, timeoutMs }, log);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  try {
    const about = session.serviceContent;
    return { ok: true, detail: `login ok as ${target.username} (${about.fullName || 'vCenter'}, API ${about.apiVersion})` };
  } finally {
    await session.logout();
  }
}

/**
 * PostgreSQL: connect and close. SQLite: an existing file is opened and closed (it is a database
 * and not locked); a new one is not created, only its directory checked: the first job creates it.
 */
export async function checkDatabase(settings: StoreSettings): Promise<CheckOutcome> {
  if (settings.database_driver === 'sqlite') {
    const path = sqlitePathFromUrl(settings.database_url);
    const existing = await stat(path).catch(() => null);
    if (!existing) return sqliteDirectoryCheck(path);
  }
  try {
    const store = await openStore(settings, { migrate: false });
    await store.close();
    return { ok: true, detail: settings.database_driver === 'sqlite' ? 'the SQLite file opens' : 'PostgreSQL accepts the connection' };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** The nearest existing directory above the file must be writable: vctp creates the rest. */
async function sqliteDirectoryCheck(path: string): Promise<CheckOutcome> {
  let dir = dirname(path);
  for (;;) {
    const found = await stat(dir).catch(() => null);
    if (found) {
      if (!found.isDirectory()) return { ok: false, error: `${dir} is not a directory` };
      try {
        await access(dir, constants.W_OK | constants.X_OK);
      } catch {
        return { ok: false, error: `${dir} is not writable by this user: the first job cannot create ${path} (run it as the user vctp runs as, or pick another path)` };
      }
      return { ok: true, detail: `${path} does not exist yet; the first job creates it` };
    }
    const parent = dirname(dir);
    if (parent === dir) return { ok: false, error: `no directory of ${path} exists` };
    dir = parent;
  }
}
