// Runs async tasks one at a time in arrival order: the guard around a single shared connection.
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    // tail never rejects (see below), so each task starts once the previous one settled.
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
