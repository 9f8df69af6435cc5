// Failed logins counted per key (a username, a client address) over a sliding window, in memory.
// Bounded: at most `maxKeys` keys are kept; when full, expired keys go first, then the key whose
// last failure is oldest. A restart forgets everything, which is acceptable for a brute-force
// brake (a restart also costs the attacker the time it takes).

export interface LimiterOptions {
  /** Failures allowed within the window; the next attempt is refused. */
  limit: number;
  windowMs: number;
  maxKeys: number;
}

export type LimitCheck = { limited: false } | { limited: true; retryAfterSeconds: number };

export class FailureLimiter {
  // key -> failure times (unix ms), oldest first, at most `limit` kept. Map order = last failure.
  readonly #failures = new Map<string, number[]>();

  constructor(readonly options: LimiterOptions) {}

  check(key: string, now: number): LimitCheck {
    const times = this.#recent(key, now);
    if (times.length < this.options.limit) return { limited: false };
    const retryMs = times[0]! + this.options.windowMs - now;
    return { limited: true, retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)) };
  }

  recordFailure(key: string, now: number): void {
    const times = this.#recent(key, now);
    times.push(now);
    if (times.length > this.options.limit) times.splice(0, times.length - this.options.limit);
    this.#failures.delete(key);
    if (this.#failures.size >= this.options.maxKeys) this.#makeRoom(now);
    this.#failures.set(key, times);
  }

  reset(key: string): void {
    this.#failures.delete(key);
  }

  get size(): number {
    return this.#failures.size;
  }

  #recent(key: string, now: number): number[] {
    const times = this.#failures.get(key);
    if (!times) return [];
    const since = now - this.options.windowMs;
    const kept = times.filter((t) => t > since);
    if (kept.length === 0) this.#failures.delete(key);
    return kept;
  }

  #makeRoom(now: number): void {
    const since = now - this.options.windowMs;
    for (const [key, times] of this.#failures) {
      if (times[times.length - 1]! <= since) this.#failures.delete(key);
    }
    // Still full: drop the key with the oldest last failure (the first in Map order).
    while (this.#failures.size >= this.options.maxKeys) {
      const oldest = this.#failures.keys().next().value;
      if (oldest === undefined) break;
      this.#failures.delete(oldest);
    }
  }
}
