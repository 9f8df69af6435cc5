// PostgreSQL through the `postgres` driver. Nothing here may hang vctp (README "Database faults"):
//
// - Connecting: this module opens the sockets itself (the driver's `socket` option). A TCP connect
//   that fails fast (refused, reset) is tried CONNECT_ATTEMPTS times with backoff; one that is not
//   answered fails after CONNECT_TIMEOUT_S, as does a server that accepts and then says nothing; a
//   server that accepts and closes before answering (the driver alone reconnects to it hundreds of
//   times a second, for ever) is given up after CONNECT_ATTEMPTS.
// - Statements: sessions run with statement_timeout, lock_timeout and
//   idle_in_transaction_session_timeout (each can be changed in settings.database_url's query
//   string, e.g. ?statement_timeout=0). A statement the server does not answer within
//   statement_timeout + CLIENT_GRACE_MS (a hung server, or a dead network that TCP keepalive has
//   not noticed yet) is abandoned and its connection closed; BEGIN, COMMIT and the migrations have
//   the same bound.
// - Bulk inserts: COPY FROM STDIN of values checked against their column type, guarded against the
//   driver's hang on a rejected COPY (porsager/postgres#1173, see insertRows), with a deadline
//   proportional to the rows past which the connection is closed.
// - A transaction whose connection is gone sends nothing more on it (see connectionLost).
//
// Every driver error leaving this module goes through database-errors.ts.
import { sql as sqlTemplate, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import net from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { VctpError } from '../core/errors.js';
import { type DatabaseTarget, describeTarget, openFailure, redactUrl, toDatabaseError } from './database-errors.js';
import type { BulkColumn, ColumnType, SqlExecutor, Store } from './executor.js';

export { redactUrl };

const dialect = new PgDialect();

/** Seconds for one connection attempt: TCP connect, then TLS, startup and login until the server is ready. */
export const CONNECT_TIMEOUT_S = 10;
/** Connection attempts (refused, reset, or closed by the server before it answered) before giving up. */
export const CONNECT_ATTEMPTS = 3;
/** TCP keepalive idle time: a connection the network silently dropped is probed after this long. */
const KEEPALIVE_S = 15;
/** Server-side bound of one statement. vctp's longest (fleet-L aggregation) take about a second. */
export const STATEMENT_TIMEOUT_MS = 10 * 60_000;
/** Server-side bound of a wait for a lock another session holds. */
export const LOCK_TIMEOUT_MS = 60_000;
/** The server ends a session of vctp left idle inside a transaction this long (a hung vctp frees its locks). */
const IDLE_IN_TRANSACTION_MS = 10 * 60_000;
/** How much longer than statement_timeout vctp waits for an answer before it closes the connection. */
const CLIENT_GRACE_MS = 5_000;
/** A COPY gets this long, plus COPY_MS_PER_ROW per row (10,000 rows/s, 10-25 times slower than measured). */
const COPY_BASE_MS = 15_000;
const COPY_MS_PER_ROW = 0.1;
/** How long a transaction whose connection is gone waits for the driver to fail it, before closing it. */
const HOLD_MS = 5_000;

type Sql = postgres.Sql | postgres.TransactionSql;

// ---------------------------------------------------------------------------------------------
// Connections

interface ParsedConnectOptions {
  host: string[];
  port: number[];
  path?: string | false;
}

type TrackedSocket = net.Socket & { host?: string; port?: number };

/** Opens, counts and (when a bound is missed) closes the sockets of one store's connection pool. */
class ConnectionGuard {
  private readonly sockets = new Set<net.Socket>();
  /** Consecutive connections the server closed before it sent a byte. */
  private silentCloses = 0;
  private nextHost = 0;
  /** How many times cut() ran. */
  cuts = 0;
  private cutting: Promise<void> = Promise.resolve();
  private readonly waitingSince = new WeakMap<net.Socket, number>();

  constructor(readonly target: () => DatabaseTarget) {}

  /** The driver's `socket` option: called for each connection it opens. */
  readonly open = async (options: ParsedConnectOptions): Promise<net.Socket> => {
    if (this.silentCloses >= CONNECT_ATTEMPTS) {
      // The server accepts connections and closes them unanswered (a proxy without a backend, a
      // server at its limits, the wrong port): give this query up; the next one may try again.
      const closes = this.silentCloses;
      this.silentCloses = 0;
      return failingSocket(
        new VctpError(
          'database',
          `${describeTarget(this.target())} accepted the connection and closed it before answering, ${closes} times in a row: ` +
            'check that settings.database_url names a PostgreSQL server (host and port), that the server is not at max_connections ' +
            'or shutting down, and any proxy (pgbouncer) in between.',
        ),
      );
    }
    if (this.silentCloses > 0) await sleep(backoffMs(this.silentCloses));
    for (let attempt = 1; ; attempt++) {
      try {
        return this.track(await tcpConnect(options, this.nextHost++, CONNECT_TIMEOUT_S * 1000));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (attempt >= CONNECT_ATTEMPTS || !RETRYABLE_CONNECT.has(code)) return failingSocket(error as Error);
        await sleep(backoffMs(attempt));
      }
    }
  };

  private track(socket: net.Socket): net.Socket {
    let answered = false;
    this.sockets.add(socket);
    // Since when the socket has sent something the server has not answered (plain TCP: TLS writes
    // go below this method), so that a missed bound closes the stuck connection and not the others.
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    socket.write = ((...args: unknown[]) => {
      if (!this.waitingSince.has(socket)) this.waitingSince.set(socket, performance.now());
      return write(...args);
    }) as typeof socket.write;
    socket.on('data', () => {
      this.waitingSince.delete(socket);
      if (!answered) this.silentCloses = 0;
      answered = true;
    });
    socket.once('close', () => {
      this.sockets.delete(socket);
      if (!answered) this.silentCloses++;
    });
    return socket;
  }

  /**
   * Closes connections after a statement went unanswered for `waitedMs`: the one whose local port
   * is `port` (the one a transaction runs on), else those waiting that long for an answer, else
   * (over TLS, where that is not seen) every connection. Whatever waits on them fails. Resolves
   * once the driver has seen them close: a query sent before that would go to a dead connection
   * and never be answered (the driver only fails those it had sent when the socket errored).
   */
  cut(reason: VctpError, port: number | null, waitedMs: number): Promise<void> {
    this.cuts++;
    const now = performance.now();
    const all = [...this.sockets];
    const own = port === null ? undefined : all.find((s) => s.localPort === port);
    const stuck = all.filter((s) => now - (this.waitingSince.get(s) ?? now) >= waitedMs - 1000);
    const doomed = own ? [own] : stuck.length > 0 ? stuck : all;
    const closed = Promise.all(doomed.map((s) => (s.closed ? undefined : new Promise((resolve) => s.once('close', resolve)))));
    for (const socket of doomed) socket.destroy(reason);
    const done = Promise.race([closed.then(() => undefined), sleep(1000)]);
    this.cutting = Promise.all([this.cutting, done]).then(() => undefined);
    return done;
  }

  /** The connection whose local port is `port`, if it is one of this guard's. */
  socketOnPort(port: number | null | undefined): net.Socket | undefined {
    return port == null ? undefined : [...this.sockets].find((s) => s.localPort === port);
  }

  /** Resolves when the connections of every cut so far are closed (see cut). */
  settled(): Promise<void> {
    return this.cutting;
  }
}

const RETRYABLE_CONNECT = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EAI_AGAIN']);

function backoffMs(attempt: number): number {
  return 250 * 2 ** (attempt - 1) * (0.75 + Math.random() / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tcpConnect(options: ParsedConnectOptions, index: number, timeoutMs: number): Promise<TrackedSocket> {
  const host = options.host[index % options.host.length] ?? 'localhost';
  const port = options.port[index % options.port.length] ?? 5432;
  return new Promise((resolve, reject) => {
    const socket: TrackedSocket = options.path ? net.connect(options.path) : net.connect({ host, port });
    socket.host = options.path ? options.path : host;
    socket.port = port;
    const timer = setTimeout(() => {
      const where = options.path || `${host}:${port}`;
      socket.destroy(Object.assign(new Error(`connect ETIMEDOUT ${where} (no answer in ${timeoutMs / 1000} s)`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    const failed = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once('error', failed);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', failed);
      resolve(socket);
    });
  });
}

/**
 * A socket that fails with `error` as soon as the driver writes its first message: the driver then
 * rejects the waiting query with `error` and marks the connection closed (ready to be opened again
 * for the next query). Failing it any earlier would leave the driver's pending write behind.
 */
function failingSocket(error: Error): net.Socket {
  const socket = new net.Socket();
  let failed = false;
  socket.write = ((..._args: unknown[]) => {
    if (!failed) {
      failed = true;
      process.nextTick(() => socket.destroy(error));
    }
    return true;
  }) as typeof socket.write;
  return socket;
}

// ---------------------------------------------------------------------------------------------
// COPY rows: checked against their column type, then in COPY's text format

const PG_TYPE: Record<ColumnType, string> = { int: 'integer', bigint: 'bigint', float: 'double precision', text: 'text' };
const SPECIAL = /[\\\t\n\r\0]/;

/** A string in COPY's text format: backslash escapes for backslash, tab, newline and carriage return. */
function copyText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/**
 * One value in COPY's text format, or null when it does not fit its column's type: an integer in
 * range, a finite number, or a string without NUL (which PostgreSQL text cannot hold). One function
 * per type, chosen once per column: this runs for every value of every bulk insert.
 */
type CopyEncoder = (value: unknown) => string | null;
const COPY_ENCODERS: Record<ColumnType, CopyEncoder> = {
  // (v | 0) === v: an integer within 32 bits.
  int: (v) => (typeof v === 'number' ? ((v | 0) === v ? String(v) : null) : v == null ? '\\N' : null),
  bigint: (v) => (typeof v === 'number' ? (Number.isSafeInteger(v) ? String(v) : null) : v == null ? '\\N' : null),
  // v - v === 0: finite (NaN and the infinities give NaN).
  float: (v) => (typeof v === 'number' ? (v - v === 0 ? String(v) : null) : v == null ? '\\N' : null),
  text: (v) => (typeof v === 'string' ? (!SPECIAL.test(v) ? v : v.includes('\0') ? null : copyText(v)) : v == null ? '\\N' : null),
};

export function encodeCopyValue(type: ColumnType, value: unknown): string | null {
  return COPY_ENCODERS[type](value);
}

function badValue(table: string, column: BulkColumn, row: number, value: unknown): VctpError {
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value) : String(value);
  return new VctpError(
    'internal',
    `insert into ${table}: row ${row + 1}, column ${column.name} (${column.type}) cannot hold ${typeof value} ${shown}; ` +
      'nothing was written (a bug in vctp: please report it)',
  );
}

function* copyChunks(table: string, columns: readonly BulkColumn[], rows: readonly (readonly unknown[])[]): Generator<string> {
  const encoders = columns.map((c) => COPY_ENCODERS[c.type]);
  const width = columns.length;
  let chunk = '';
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (row.length !== width) {
      throw new VctpError('internal', `insert into ${table}: row ${r + 1} has ${row.length} values for ${width} columns; nothing was written (a bug in vctp: please report it)`);
    }
    for (let c = 0; c < width; c++) {
      const text = encoders[c]!(row[c]);
      if (text === null) throw badValue(table, columns[c]!, r, row[c]);
      chunk += c === 0 ? text : '\t' + text;
    }
    chunk += '\n';
    if (chunk.length >= 1 << 18) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

// ---------------------------------------------------------------------------------------------
// Executors

interface Bounds {
  guard: ConnectionGuard;
  /** Client-side bound of one statement (statement_timeout + grace), or null for none. */
  statementMs: number | null;
}

/** Runs `work`; past `ms`, gives it up with a 'database' error and closes its connection(s). */
async function bounded<T>(bounds: Bounds, what: string, ms: number | null, port: () => number | null, work: () => Promise<T>): Promise<T> {
  const running = work();
  if (ms === null) return running;
  running.catch(() => undefined); // still settles after a timeout; nobody waits for it then
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new VctpError(
        'database',
        `${describeTarget(bounds.guard.target())} did not answer ${what} within ${Math.round(ms / 1000)} s; vctp closed the connection. ` +
          'The server or the network to it hangs: check the server (pg_stat_activity, its log) and the network. ' +
          'Nothing of the unfinished transaction was stored.',
      );
      lostErrors.add(error);
      void bounds.guard.cut(error, port(), ms).then(() => reject(error));
    }, ms);
  });
  try {
    return await Promise.race([running, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Errors after which a connection is gone (closed, reset, timed out, or ended by the server with a
 * FATAL error). Inside a transaction nothing may be sent on that connection again: the driver
 * would write to its closed socket and throw from a timer (an uncaught TypeError), which is what
 * happens when its transaction rolls back on a connection the server terminated.
 */
const LOST_CODES = new Set(['CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECTION_ENDED', 'CONNECT_TIMEOUT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
const lostErrors = new WeakSet<object>();

function connectionLost(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (lostErrors.has(e)) return true;
    const { code, severity } = e as { code?: unknown; severity?: unknown };
    if (typeof code === 'string' && LOST_CODES.has(code)) return true;
    if ((e as Error).name === 'PostgresError' && (severity === 'FATAL' || severity === 'PANIC')) return true;
  }
  return false;
}

class PostgresExecutor implements SqlExecutor {
  readonly dialect = 'postgres' as const;
  /** The local port of this transaction's connection, once known (see insertRows). */
  protected port: number | null = null;
  private portKnown = false;
  private staged = 0;
  /** Inside a transaction: why its connection is gone (nothing more is sent), else null. */
  lost: VctpError | null = null;

  constructor(
    protected readonly sql: Sql,
    protected readonly bounds: Bounds,
    private readonly inTransaction = false,
  ) {}

  connectionPort(): number | null {
    return this.port;
  }

  protected fail(error: unknown): never {
    const mapped = toDatabaseError(error, this.bounds.guard.target(), { fromConnection: true });
    if (connectionLost(error) && typeof mapped === 'object' && mapped !== null) {
      lostErrors.add(mapped);
      if (this.inTransaction && mapped instanceof VctpError) this.lost ??= mapped;
    }
    throw mapped;
  }

  private statement<T>(what: string, work: () => Promise<T>): Promise<T> {
    if (this.lost) return Promise.reject(this.lost);
    return bounded(this.bounds, what, this.bounds.statementMs, () => this.port, work).catch((error: unknown) => this.fail(error));
  }

  async all<T>(query: SQL): Promise<T[]> {
    const { sql: text, params } = dialect.sqlToQuery(query);
    return this.statement('a query', async () => (await this.sql.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as T[]);
  }

  async allArrays<T extends unknown[]>(query: SQL): Promise<T[]> {
    const { sql: text, params } = dialect.sqlToQuery(query);
    return this.statement('a query', async () => (await this.sql.unsafe(text, params as postgres.ParameterOrJSON<never>[]).values()) as unknown as T[]);
  }

  async run(query: SQL): Promise<number> {
    const { sql: text, params } = dialect.sqlToQuery(query);
    return this.statement('a statement', async () => (await this.sql.unsafe(text, params as postgres.ParameterOrJSON<never>[])).count);
  }

  // COPY FROM STDIN: measured about twice as fast as multi-row INSERT ... SELECT unnest(...) for
  // summary and span rows, most of the difference being Node CPU serialising the arrays.
  //
  // The driver loses the server's answer when the server rejects a COPY after its last row
  // (porsager/postgres#1173: a duplicate key in a small COPY, say) and would wait forever. So the
  // COPY runs inside a savepoint, and RELEASE SAVEPOINT is sent right behind its end: that
  // statement fails (25P02) exactly when the COPY was rejected. vctp then rolls back to the
  // savepoint and replays the same rows through a TEMP staging table (a COPY that nothing can
  // reject, then INSERT ... SELECT), whose INSERT fails with the server's reason as an ordinary
  // error; the transaction fails either way. Staging every insert instead would cost a quarter to
  // a half more time (measured); the savepoint costs a round trip. Values are checked against their
  // column type before anything is sent.
  async insertRows(table: string, columns: readonly BulkColumn[], rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    const names = columns.map((c) => quoteIdent(c.name)).join(', ');
    await this.savepoint();
    const outcome = await this.copy(table, columns, rows, `COPY ${quoteIdent(table)} (${names}) FROM STDIN`, 'RELEASE SAVEPOINT vctp_copy');
    if (outcome === 'stored') return;
    await this.statement('ROLLBACK TO SAVEPOINT', () => this.sql.unsafe('ROLLBACK TO SAVEPOINT vctp_copy; RELEASE SAVEPOINT vctp_copy').simple());
    const stage = `vctp_copy_${++this.staged}`;
    const typed = columns.map((c) => `${quoteIdent(c.name)} ${PG_TYPE[c.type]}`).join(', ');
    await this.statement('CREATE TEMP TABLE', () => this.sql.unsafe(`CREATE TEMP TABLE ${stage} (${typed}) ON COMMIT DROP`).simple());
    if ((await this.copy(table, columns, rows, `COPY ${stage} (${names}) FROM STDIN`, 'SELECT 1')) === 'rejected') {
      throw new VctpError(
        'database',
        `${describeTarget(this.bounds.guard.target())} rejected the rows for ${table} even in a staging table, and the driver lost its reason ` +
          '(porsager/postgres#1173): the server log has it. Nothing of the unfinished transaction was stored.',
      );
    }
    // The server's reason (a duplicate key, a NULL in a NOT NULL column, ...) surfaces here.
    await this.statement(`an INSERT into ${table}`, () =>
      this.sql.unsafe(`INSERT INTO ${quoteIdent(table)} (${names}) SELECT ${names} FROM ${stage}; DROP TABLE ${stage}`).simple(),
    );
    // Stored after all, but the driver fails a transaction in which any statement failed (the probe did).
    throw new VctpError(
      'database',
      `${describeTarget(this.bounds.guard.target())} rejected the COPY into ${table}, then accepted the same rows through a staging table: ` +
        'the refusal was passing (a timeout or a conflicting writer) and the driver lost its reason (porsager/postgres#1173). ' +
        'Nothing of the unfinished transaction was stored; run the job again.',
    );
  }

  /** SAVEPOINT vctp_copy; the first time in a transaction, also learns its connection's port (for `cut`). */
  private async savepoint(): Promise<void> {
    if (this.portKnown) {
      await this.statement('SAVEPOINT', () => this.sql.unsafe('SAVEPOINT vctp_copy').simple());
      return;
    }
    const results = await this.statement('SAVEPOINT', () => this.sql.unsafe('SAVEPOINT vctp_copy; SELECT inet_client_port() AS port').simple());
    const row = (results as unknown as { port: number | null }[][])[1]?.[0];
    this.port = row?.port ?? null;
    this.portKnown = true;
  }

  /**
   * Streams `rows` into `copySql`, sending `probe` right behind the end of the COPY. 'rejected':
   * the server refused the COPY after its last row (the probe failed with 25P02). Mid-stream
   * refusals and bad values throw. Bounded by the COPY deadline, past which the connection closes.
   */
  private copy(table: string, columns: readonly BulkColumn[], rows: readonly (readonly unknown[])[], copySql: string, probe: string): Promise<'stored' | 'rejected'> {
    if (this.lost) return Promise.reject(this.lost);
    const ms = COPY_BASE_MS + rows.length * COPY_MS_PER_ROW;
    return bounded(this.bounds, `a COPY of ${rows.length} rows into ${table}`, ms, () => this.port, async () => {
      const writable = await this.sql.unsafe(copySql).writable();
      const probed = new Promise<void>((resolve, reject) => {
        const driverFinal = writable._final.bind(writable);
        writable._final = (callback) => {
          driverFinal(callback); // writes CopyDone
          this.sql.unsafe(probe).simple().then(() => resolve(), reject);
        };
      });
      const copied = pipeline(Readable.from(copyChunks(table, columns, rows)), writable);
      // Either may never settle: `copied` when the server rejects the COPY at its end, `probed` when it fails mid-stream.
      probed.catch(() => undefined);
      copied.catch(() => undefined);
      try {
        await Promise.race([copied.then(() => probed), probed.then(() => copied)]);
        return 'stored' as const;
      } catch (error) {
        if ((error as { code?: unknown }).code === '25P02') return 'rejected' as const;
        throw error;
      }
    }).catch((error: unknown) => this.fail(error));
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(this);
  }
}

export class PostgresStore extends PostgresExecutor implements Store {
  readonly description: string;

  /**
   * A store over a client made elsewhere (vctp doctor's read-only one). Without `guard` the
   * client's sockets are the driver's own: statements are still bounded, but a connection that
   * misses its bound cannot be closed early. PostgresStore.open is the bounded way.
   */
  constructor(
    readonly client: postgres.Sql,
    guard?: ConnectionGuard,
    statementMs: number | null = STATEMENT_TIMEOUT_MS + CLIENT_GRACE_MS,
  ) {
    const self: { store?: PostgresStore } = {};
    super(client, { guard: guard ?? new ConnectionGuard(() => ({ engine: 'postgres', url: self.store?.description ?? 'postgres' })), statementMs });
    self.store = this;
    this.description = 'postgres';
  }

  /** `readOnly`: every transaction of the session is read-only (the read-only commands). */
  static open(url: string, options: { readOnly?: boolean } = {}): PostgresStore {
    const guard = new ConnectionGuard(() => ({ engine: 'postgres', url }));
    const client = postgres(url, {
      max: 4,
      onnotice: () => {},
      connect_timeout: CONNECT_TIMEOUT_S,
      keep_alive: KEEPALIVE_S,
      // Not in the driver's type declarations: connections come from guard.open (module comment).
      ...({ socket: guard.open } as object),
      // int8 and numeric arrive as strings by default; every such value here is a count, a sum or a
      // unix time well inside 2^53, so numbers are exact and far easier to compare.
      types: {
        bigint: { to: 20, from: [20, 1700], serialize: (v: number) => String(v), parse: (v: string) => Number(v) },
      },
      // Parameters in the URL's query string (?statement_timeout=0) override these.
      connection: {
        application_name: 'vctp',
        statement_timeout: STATEMENT_TIMEOUT_MS,
        lock_timeout: LOCK_TIMEOUT_MS,
        idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
        ...(options.readOnly ? { default_transaction_read_only: true } : {}),
      },
    });
    const store = new PostgresStore(client, guard, clientBoundMs(queryParams(url).get('statement_timeout')));
    (store as { description: string }).description = redactUrl(url);
    guardReserve(client, store.bounds);
    return store;
  }

  override async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const target = this.bounds.guard.target();
    const ms = this.bounds.statementMs;
    // BEGIN and COMMIT (or ROLLBACK) are bounded like statements: `phase` times whichever runs.
    let phase: NodeJS.Timeout | undefined;
    let executor: PostgresExecutor | undefined;
    let timedOut: VctpError | null = null;
    const watch = (what: string) => {
      clearTimeout(phase);
      if (ms === null) return;
      phase = setTimeout(() => {
        timedOut = new VctpError(
          'database',
          `${describeTarget(target)} did not answer ${what} within ${Math.round(ms / 1000)} s; vctp closed the connection. ` +
            'The server or the network to it hangs. Nothing of the unfinished transaction was stored.',
        );
        void this.bounds.guard.cut(timedOut, executor ? executor.connectionPort() : null, ms);
      }, ms);
    };
    // Once the connection is gone, the body must not finish: the driver would then send ROLLBACK or
    // COMMIT on the closed socket (see connectionLost). The driver fails the transaction itself
    // when the connection closes; should that not happen, the connection is closed here.
    let hold: NodeJS.Timeout | undefined;
    let settled = false;
    const holdUntilClosed = () =>
      new Promise<never>(() => {
        if (settled) return;
        hold = setTimeout(() => void this.bounds.guard.cut(executor?.lost ?? closedError(target), executor ? executor.connectionPort() : null, Infinity), HOLD_MS);
      });
    const thrown: { error?: unknown } = {};
    watch('BEGIN');
    try {
      return (await this.client.begin(async (tx) => {
        clearTimeout(phase);
        const own = new PostgresExecutor(tx, this.bounds, true);
        executor = own;
        let result: T;
        try {
          result = await fn(own);
        } catch (error) {
          thrown.error = error;
          if (own.lost || connectionLost(error)) await holdUntilClosed();
          watch('ROLLBACK');
          throw error;
        }
        if (own.lost) await holdUntilClosed();
        watch('COMMIT');
        return result;
      })) as T;
    } catch (error) {
      // Whatever the body still does must not reach this connection again.
      if (executor) executor.lost ??= timedOut ?? closedError(target);
      await this.bounds.guard.settled();
      // The body's own error says what went wrong, also when the rollback then failed too.
      if ('error' in thrown) throw toDatabaseError(thrown.error, target);
      if (timedOut) throw timedOut;
      return this.fail(error);
    } finally {
      settled = true;
      clearTimeout(phase);
      clearTimeout(hold);
    }
  }

  /**
   * Runs `work` (which uses `client` directly: the migrations) under the statement bound: past it,
   * every connection of this store is closed, which fails whatever `work` waits for.
   */
  async withinStatementBound<T>(what: string, work: () => Promise<T>): Promise<T> {
    return bounded(this.bounds, what, this.bounds.statementMs, () => null, work);
  }

  override async insertRows(table: string, columns: readonly BulkColumn[], rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    await this.transaction((tx) => tx.insertRows(table, columns, rows));
  }

  /** Checks that the server answers: the first connection is made here, bounded (see the module comment). */
  async ping(): Promise<void> {
    try {
      await this.all(sqlTemplate`SELECT 1`);
    } catch (error) {
      throw openFailure(error, this.bounds.guard.target(), 'connecting');
    }
  }

  async close(): Promise<void> {
    // A connection closed by a missed bound keeps the driver waiting for its abandoned query: don't.
    await this.client.end({ timeout: this.bounds.guard.cuts > 0 ? 0 : 5 });
  }
}

/**
 * Makes `client.reserve()` (the job lock's and the migrations' session) safe to use after its
 * connection died, and bounded. The driver, asked to run a query on (or to release) a reserved
 * connection that has closed, writes to the closed socket from a timer: an uncaught TypeError, and
 * the query never settles; a released dead connection is then handed to the next query too. So a
 * reserved connection watches its socket (found by the port the server sees): once it errored or
 * closed, its queries fail at once with a 'database' error and release() leaves it alone. Each
 * query gets the statement bound, past which its connection is closed. The queries are plain
 * promises: modifiers such as .simple() cannot be chained on them.
 */
function guardReserve(client: postgres.Sql, bounds: Bounds): void {
  const reserve = client.reserve.bind(client);
  const target = () => bounds.guard.target();
  (client as { reserve: () => Promise<postgres.ReservedSql> }).reserve = async () => {
    const reserved = await reserve();
    let port: number | null = null;
    let lost: VctpError | null = null;
    const run = (what: string, query: () => Promise<unknown>): Promise<unknown> => {
      if (lost) return Promise.reject(lost);
      return bounded(bounds, what, bounds.statementMs, () => port, query).catch((error: unknown) => {
        throw toDatabaseError(error, target(), { fromConnection: true });
      });
    };
    try {
      const [row] = (await run('a query', () => reserved`SELECT inet_client_port() AS port`)) as { port: number | null }[];
      port = row?.port ?? null;
    } catch (error) {
      reserved.release();
      throw error;
    }
    const socket = bounds.guard.socketOnPort(port);
    const died = () => void (lost ??= closedError(target()));
    socket?.once('error', died).once('close', died);
    return new Proxy(reserved, {
      apply: (query, self, args: unknown[]) => run('a query', () => Reflect.apply(query, self, args) as Promise<unknown>),
      get: (query, prop, receiver) => {
        if (prop === 'release') {
          return () => {
            socket?.removeListener('error', died).removeListener('close', died);
            if (!lost) query.release();
          };
        }
        if (prop === 'unsafe') return (...args: Parameters<postgres.ReservedSql['unsafe']>) => run('a statement', () => query.unsafe(...args));
        return Reflect.get(query, prop, receiver) as unknown;
      },
    });
  };
}

function closedError(target: DatabaseTarget): VctpError {
  return new VctpError('database', `${describeTarget(target)}: the transaction's connection closed. Nothing of the unfinished transaction was stored.`);
}

function queryParams(url: string): URLSearchParams {
  try {
    return new URL(url).searchParams;
  } catch {
    return new URLSearchParams();
  }
}

/** The client-side bound for a statement_timeout given in the URL (ms, or with a unit), else the default. */
function clientBoundMs(fromUrl: string | null): number | null {
  if (fromUrl === null) return STATEMENT_TIMEOUT_MS + CLIENT_GRACE_MS;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h|d)?\s*$/.exec(fromUrl);
  if (!m) return STATEMENT_TIMEOUT_MS + CLIENT_GRACE_MS;
  const factor = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms'] ?? 1;
  const ms = Number(m[1]) * factor;
  return ms === 0 ? null : ms + CLIENT_GRACE_MS;
}

/** The error for a PostgreSQL database that could not be opened; `settings.database_url` is named. */
export function storeErrorFor(url: string, error: unknown): VctpError {
  return openFailure(error, { engine: 'postgres', url }, 'connecting');
}
