// The one place that turns a database driver's error into a VctpError('database') (exit status 4)
// that names the database (the SQLite file, or the PostgreSQL URL with its password masked) and
// what to do about it. Both stores apply it at their executor boundary (all, run, insertRows,
// transaction), so every job gets the same messages. Only routine faults are named: unreachable,
// locked, read-only, full, damaged, shut down, refused (constraints, privileges, login). Anything
// else (a syntax error, a missing column) is a bug and passes through unchanged, as an internal error.
import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import { VctpError } from '../core/errors.js';

export type DatabaseTarget =
  | { engine: 'sqlite'; path: string; busyTimeoutMs: number }
  | { engine: 'postgres'; url: string };

/** The connection URL with its password masked, for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

/** How messages name the database: `SQLite database /var/lib/vctp/db.sqlite3`, `PostgreSQL at postgres://...`. */
export function describeTarget(target: DatabaseTarget): string {
  return target.engine === 'sqlite' ? `SQLite database ${target.path}` : `PostgreSQL at ${redactUrl(target.url)}`;
}

export interface MapOptions {
  /**
   * The error came from the database connection itself (an executor call), so a bare socket error
   * (ECONNRESET, ECONNREFUSED, ...) is the database's. Off for errors that may come from anything
   * (the body of a transaction, which may also talk to a vCenter): only driver errors are mapped.
   */
  fromConnection?: boolean;
}

/**
 * `error` as a VctpError('database') when it is a routine database fault, else `error` unchanged.
 * A VctpError is returned as it is. Looks through `cause` chains (drizzle wraps driver errors).
 */
export function toDatabaseError(error: unknown, target: DatabaseTarget, options: MapOptions = {}): unknown {
  if (error instanceof VctpError) return error;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const message = target.engine === 'sqlite' ? sqliteFault(e, target) : postgresFault(e, target, options.fromConnection ?? false);
    if (message !== null) return new VctpError('database', message, { cause: error });
  }
  return error;
}

/** Like toDatabaseError, but always a VctpError('database'): for faults met while opening the database. */
export function openFailure(error: unknown, target: DatabaseTarget, doing: string): VctpError {
  const mapped = toDatabaseError(error, target, { fromConnection: true });
  if (mapped instanceof VctpError) return mapped;
  return new VctpError('database', `settings.database_url: ${describeTarget(target)}: ${doing} failed: ${errorText(error)}`, { cause: error });
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}

// --- SQLite (better-sqlite3's SqliteError: code is SQLITE_<PRIMARY>[_<EXTENDED>]) ---

function sqliteFault(error: Error, target: Extract<DatabaseTarget, { engine: 'sqlite' }>): string | null {
  if (error.name !== 'SqliteError') return null;
  const code = String((error as { code?: unknown }).code ?? '');
  const primary = code.replace(/^(SQLITE_[A-Z]+).*$/, '$1');
  const db = describeTarget(target);
  const what = `${error.message} (${code})`;
  switch (primary) {
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return (
        `${db} is locked by another process (waited ${Math.round(target.busyTimeoutMs / 1000)} s): ${what}. ` +
        `Another vctp job or a program such as sqlite3 holds its write lock; it is released when that program ` +
        `commits or exits (\`fuser ${target.path}\` names it). Nothing of this operation was stored; run it again.`
      );
    case 'SQLITE_READONLY':
    case 'SQLITE_CANTOPEN': {
      const why = whyNotWritable(target.path);
      if (why) return `${db} is read-only: ${why}. vctp must write the file and create its -wal and -shm files beside it (${what}).`;
      if (primary === 'SQLITE_CANTOPEN') {
        return `${db} cannot be opened: ${what}. Check that its directory exists and is writable by this user, and settings.database_url.`;
      }
      return (
        `${db} is read-only: ${what}. vctp writes the file and creates ${target.path}-wal and -shm beside it: ` +
        'check the owner and permissions of the file and its directory, and that the filesystem is mounted read-write.'
      );
    }
    case 'SQLITE_PERM':
    case 'SQLITE_AUTH':
      return `${db} refused access: ${what}. Check the owner and permissions of the file and its directory.`;
    case 'SQLITE_FULL':
      return `${db}: the disk is full: ${what}. Free space on the filesystem holding ${target.path} (df); nothing of this operation was stored.`;
    case 'SQLITE_IOERR':
      return `${db}: the disk failed a read or write: ${what}. Check the disk and filesystem (dmesg, df); nothing of this operation was stored.`;
    case 'SQLITE_CORRUPT':
      return (
        `${db} is damaged: ${what}. Stop the vctp timers, keep a copy of the file, and restore it from a backup; ` +
        `\`sqlite3 ${target.path} 'PRAGMA integrity_check'\` lists the damage.`
      );
    case 'SQLITE_NOTADB':
      return (
        `${db} is not a SQLite database, or its header is damaged: ${what}. Check settings.database_url; ` +
        `if it is the right file, restore it from a backup.`
      );
    case 'SQLITE_NOMEM':
      return `${db}: SQLite ran out of memory: ${what}.`;
    case 'SQLITE_CONSTRAINT':
      return `${db} refused the write: ${what}. Nothing of this operation was stored.`;
    default:
      return null;
  }
}

/** Why this process cannot write the database file or its directory, or null when it can (or the file is missing). */
function whyNotWritable(path: string): string | null {
  const problems: Record<string, string> = {
    EROFS: 'the filesystem is mounted read-only',
    EPERM: 'it is immutable or append-only (lsattr; chattr -i)',
    EACCES: `this user (uid ${process.getuid?.() ?? '?'}) may not write it: check its owner and permissions`,
  };
  for (const [target, what] of [
    [path, 'the file'],
    [dirname(path), 'its directory'],
  ] as const) {
    try {
      accessSync(target, constants.W_OK);
    } catch (error) {
      const problem = problems[(error as NodeJS.ErrnoException).code ?? ''];
      if (problem) return `${problem} (${what} ${target})`;
    }
  }
  return null;
}

// --- PostgreSQL (postgres.js: PostgresError with a SQLSTATE code; connection errors with driver codes) ---

const PG_CONNECTION_CODES: Record<string, string> = {
  CONNECT_TIMEOUT: 'did not complete the connection in time',
  CONNECTION_CLOSED: 'closed the connection',
  CONNECTION_DESTROYED: 'lost the connection',
  CONNECTION_ENDED: 'lost the connection',
  ECONNRESET: 'reset the connection',
  EPIPE: 'closed the connection',
  ECONNREFUSED: 'refused the connection',
  ETIMEDOUT: 'did not answer (network timeout)',
  EHOSTUNREACH: 'is unreachable (no route to host)',
  ENETUNREACH: 'is unreachable (network unreachable)',
  EHOSTDOWN: 'is unreachable (host down)',
  ENOTFOUND: 'has a host name that does not resolve',
  EAI_AGAIN: 'has a host name that could not be resolved now',
  ENOENT: 'has no socket at that path',
};

/** Driver codes that only postgres.js produces (safe to map wherever they are thrown). */
const PG_DRIVER_CODES = new Set(['CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECTION_ENDED', 'SASL_SIGNATURE_MISMATCH', 'AUTH_TYPE_NOT_IMPLEMENTED']);

function postgresFault(error: Error, target: Extract<DatabaseTarget, { engine: 'postgres' }>, fromConnection: boolean): string | null {
  const db = describeTarget(target);
  const code = String((error as { code?: unknown }).code ?? '');
  if (error.name === 'PostgresError' && /^[0-9A-Z]{5}$/.test(code)) return sqlstateFault(error, code, db);
  if (!(PG_DRIVER_CODES.has(code) || (fromConnection && code in PG_CONNECTION_CODES))) return null;
  if (code === 'SASL_SIGNATURE_MISMATCH' || code === 'AUTH_TYPE_NOT_IMPLEMENTED') {
    return `${db} refused the login: ${error.message} (${code}). Check the user and password in settings.database_url and the server's pg_hba.conf.`;
  }
  const what = PG_CONNECTION_CODES[code]!;
  const hint =
    code === 'ECONNREFUSED' || code === 'ENOENT'
      ? 'Check that PostgreSQL is running and listening there, and settings.database_url.'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'Check the host in settings.database_url and DNS.'
        : code === 'CONNECT_TIMEOUT' || code === 'ETIMEDOUT' || code.startsWith('EH') || code === 'ENETUNREACH'
          ? 'Check that the server is up, the host and port in settings.database_url, and firewalls between.'
          : 'The server was shut down or restarted, an administrator ended the session, or the network dropped the connection. ' +
            'Nothing of the unfinished transaction was stored; run the job again when the server is back.';
  // The driver's own messages ("write CONNECTION_CLOSED host:port") add nothing to its code.
  return `${db} ${what} (${PG_DRIVER_CODES.has(code) ? code : error.message}). ${hint}`;
}

function sqlstateFault(error: Error, code: string, db: string): string | null {
  const detail = (error as { detail?: unknown }).detail;
  const what = `${error.message} (SQLSTATE ${code})${typeof detail === 'string' && detail ? `: ${detail.replace(/\.$/, '')}` : ''}`;
  const unstored = 'Nothing of the unfinished transaction was stored.';
  const cls = code.slice(0, 2);
  switch (code) {
    case '57P01':
    case '57P02':
      return `${db} ended the session: ${what}. The server was shut down or restarted, or an administrator ended it. ${unstored} Run the job again when the server is back.`;
    case '57P03':
      return `${db} is starting up or shutting down: ${what}. Run the job again in a minute.`;
    case '57014':
      return `${db} cancelled the statement: ${what}. It ran past vctp's statement_timeout, or an administrator cancelled it. ${unstored}`;
    case '55P03':
      return `${db}: a lock stayed held by another session past vctp's lock_timeout: ${what}. Look for a stuck session in pg_stat_activity. ${unstored}`;
    case '40001':
    case '40P01':
      return `${db} aborted the transaction (a concurrent writer conflicted): ${what}. ${unstored} Run the job again.`;
    case '53100':
      return `${db} is out of disk space: ${what}. Free space on the database server's disk. ${unstored}`;
    case '53200':
      return `${db} ran out of memory: ${what}. ${unstored}`;
    case '53300':
      return `${db} has no free connection slots: ${what}. Raise max_connections or close idle sessions.`;
    case '3D000':
      return `${db}: the database does not exist: ${what}. Create it, or fix the database name in settings.database_url.`;
    case '42501':
      return `${db} refused the operation: the role lacks a privilege: ${what}. Grant it (README "PostgreSQL").`;
    case '25006':
      return `${db} is read-only: ${what}. It is a standby or runs with default_transaction_read_only; point settings.database_url at the primary.`;
    case 'XX001':
    case 'XX002':
      return `${db} is damaged: ${what}. Repair it from a backup (REINDEX for an index). ${unstored}`;
  }
  // A row of a month without a partition (src/store/pg-partitions.ts: there is no DEFAULT partition).
  if (code === '23514' && /no partition of relation/.test(error.message)) {
    return (
      `${db} refused the write: ${what}. settings.postgres_vm_hourly_partitioning_enabled keeps the hourly history in monthly ` +
      `partitions and this month has none: every job creates this month's and next month's (\`vctp db migrate\` too); a time far from now needs its own. ${unstored}`
    );
  }
  switch (cls) {
    case '08':
      return `${db}: the connection failed: ${what}. Check that the server is up and settings.database_url. ${unstored}`;
    case '28':
      return `${db} refused the login: ${what}. Check the user and password in settings.database_url and the server's pg_hba.conf.`;
    case '53':
      return `${db} is out of resources: ${what}. ${unstored}`;
    case '57':
      return `${db} stopped the operation: ${what}. ${unstored}`;
    case '58':
      return `${db} had a system error (disk or file): ${what}. Check the server's disk and log. ${unstored}`;
    case '23':
      return `${db} refused the write: ${what}. ${unstored}`;
    default:
      return null;
  }
}
