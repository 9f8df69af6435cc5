// A store whose transactions stop at an abort (SIGINT/SIGTERM, src/app/interrupt.ts): once the
// signal has fired, a transaction's next statement throws the signal's reason, so the transaction
// rolls back instead of committing half a job; its end is checked too, so one whose last statement
// ran before the signal still rolls back rather than commit after it; and no transaction begins
// afterwards. Statements outside transactions still run: recording the interrupted run and
// releasing the job lock need them.
//
// The wrapper inherits from the store (Object.create), so it is still `instanceof` its class and
// everything else (close, the PostgreSQL client) is the store's own.
import type { SQL } from 'drizzle-orm';
import type { BulkColumn, SqlExecutor, Store } from './executor.js';

export function interruptible<S extends Store>(store: S, signal: AbortSignal): S {
  const guarded = Object.create(store) as S;
  Object.defineProperty(guarded, 'transaction', {
    value: <T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> =>
      store.transaction(async (tx) => {
        signal.throwIfAborted();
        const result = await fn(guardedExecutor(tx, signal));
        signal.throwIfAborted();
        return result;
      }),
  });
  return guarded;
}

function guardedExecutor(tx: SqlExecutor, signal: AbortSignal): SqlExecutor {
  const guarded = Object.create(tx) as SqlExecutor;
  const check = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => (...args: A): Promise<R> => {
    signal.throwIfAborted();
    return call(...args);
  };
  Object.defineProperties(guarded, {
    all: { value: check((query: SQL) => tx.all(query)) },
    run: { value: check((query: SQL) => tx.run(query)) },
    // Only where the executor has it (sql-util.ts allArrays falls back to all()).
    ...(tx.allArrays ? { allArrays: { value: check((query: SQL) => tx.allArrays!(query)) } } : {}),
    insertRows: {
      value: check((table: string, columns: readonly BulkColumn[], rows: readonly (readonly unknown[])[]) => tx.insertRows(table, columns, rows)),
    },
    // Nested transactions reuse the outer one (executor.ts), and stay guarded.
    transaction: { value: check((fn: (inner: SqlExecutor) => Promise<unknown>) => tx.transaction((inner) => fn(guardedExecutor(inner, signal)))) },
  });
  return guarded;
}
