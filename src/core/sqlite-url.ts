// settings.database_url with the sqlite driver: which file it names, and whether it names one at
// all. Pure, shared by the store (which opens the file) and the settings rules (which refuse a
// database that would not outlive the process).
//
// Accepted forms: a path (`/var/lib/vctp/db.sqlite3`, `./db.sqlite3`), `sqlite://PATH`,
// `sqlite3://PATH` and `file:PATH`. A query (`?mode=ro`) is cut off: better-sqlite3 takes a path,
// not a URI, so its parameters would do nothing.

export function sqlitePathFromUrl(url: string): string {
  let path = url.replace(/^sqlite3?:\/\//, '').replace(/^file:/, '');
  const query = path.indexOf('?');
  if (query !== -1) path = path.slice(0, query);
  return path;
}

/**
 * Why `url` names no database that outlives the process, or undefined when it names a file:
 * `:memory:` (also `sqlite://:memory:`, `file::memory:`), a query asking for memory
 * (`?mode=memory`, `?vfs=memdb`), or no path at all (`sqlite://`, `file:`, `file:?x=y`, blanks),
 * which SQLite opens as a temporary database deleted when it is closed.
 */
export function sqliteNotPersistentReason(url: string): string | undefined {
  const path = sqlitePathFromUrl(url);
  if (path === ':memory:') return "it names SQLite's in-memory database (:memory:)";
  const afterPath = url.slice(url.indexOf('?') + 1);
  if (url.includes('?') && /(^|&)(mode=memory|vfs=memdb)(&|$)/i.test(afterPath)) {
    return 'it asks for an in-memory database (mode=memory or vfs=memdb)';
  }
  if (path.trim() === '') return 'it names no file (SQLite would open a temporary database and delete it on close)';
  return undefined;
}
