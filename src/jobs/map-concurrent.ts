// Runs fn over items with at most `limit` in flight (0 = no limit), results in input order.
//
// When one item fails, no further item starts, and the failure is thrown only once every item in
// flight has settled. Promise.all alone would reject at the first failure while the others run on:
// `vctp snapshot` with hourly_snapshot_concurrency > 1 would then release its job lock and close
// the store under captures still writing (a second run could start beside them, and their job_runs
// rows would go unrecorded). Nothing started here outlives the call.
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  const width = limit > 0 ? Math.min(limit, items.length) : items.length;
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (failure === null && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  if (failure !== null) throw (failure as { error: unknown }).error;
  return results;
}
