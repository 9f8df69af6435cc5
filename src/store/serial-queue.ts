// Runs async tasks one at a time in arrival order: the guard around a single shared connection.
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    // tail never rejects (see below), so each task starts once the previous one settled.
    const result = this.tail.then(task);
    // Settled to undefined either way: `result.catch()` would resolve to the task's value and keep
    // the last query's rows alive until the next task runs.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
