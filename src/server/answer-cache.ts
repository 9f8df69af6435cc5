// Answers of `vctp serve` kept as the bytes they were sent as, reused while the data they were read
// from is unchanged: GET /api/vcenters/totals rebuilt and serialized the same 135 KB answer for
// every request, although the totals change only when a job runs (README "Read API").
//
// An entry is one normalized request (the route's `key`) with the `version` it is valid for: the
// data version (src/queries/data-version.ts, read before the data) and whatever else of the answer
// moves on its own (the totals' window start). A request with another version recomputes the
// answer and replaces the entry, so a request never holds more than one entry. Entries are also
// bounded in number and bytes, the least recently used going first. A hit answers the very bytes
// and headers of the miss that kept them: neither toJsonShape nor JSON.stringify runs again.
// Concurrent misses of one key and version share one computation.
//
// One cache per app (ServerDeps.answers): tests build several apps, and nothing here is global.
import { toJsonShape } from '../queries/json-shape.js';
import { cachedResponse, contentTag } from './http-cache.js';

export interface AnswerCacheLimits {
  /** Answers kept at most. */
  maxEntries: number;
  /** Bytes of kept answers at most (bodies and keys); a larger answer is answered but not kept. */
  maxBytes: number;
}

/** 64 answers, 32 MiB: a few hundred daily answers' worth, or a handful of 45-day hourly ones (~4.5 MB each). */
export const DEFAULT_ANSWER_CACHE_LIMITS: AnswerCacheLimits = { maxEntries: 64, maxBytes: 32 * 1024 * 1024 };

/** A JSON answer as sent: its UTF-8 bytes and their strong ETag. */
export interface SerializedAnswer {
  body: Uint8Array;
  etag: string;
}

interface Entry {
  version: string;
  answer: SerializedAnswer;
  bytes: number;
}

export interface AnswerCacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
}

export class AnswerCache {
  readonly limits: AnswerCacheLimits;
  /** Insertion order is recency: a hit moves its entry to the end, eviction takes from the front. */
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, { version: string; answer: Promise<SerializedAnswer> }>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;

  constructor(limits: AnswerCacheLimits = DEFAULT_ANSWER_CACHE_LIMITS) {
    this.limits = limits;
  }

  /**
   * The answer of `key` at `version`: the kept one, or `compute()`'s value in the JSON shape of
   * every answer (src/queries/json-shape.ts), serialized and kept. A failure is not kept.
   */
  async answer(key: string, version: string, compute: () => Promise<unknown>): Promise<SerializedAnswer> {
    const entry = this.entries.get(key);
    if (entry && entry.version === version) {
      this.hits += 1;
      this.entries.delete(key);
      this.entries.set(key, entry);
      return entry.answer;
    }
    const inFlight = this.pending.get(key);
    if (inFlight && inFlight.version === version) {
      this.hits += 1;
      return inFlight.answer;
    }
    this.misses += 1;
    const answer = compute().then(serialize);
    this.pending.set(key, { version, answer });
    try {
      const serialized = await answer;
      this.keep(key, version, serialized);
      return serialized;
    } finally {
      if (this.pending.get(key)?.answer === answer) this.pending.delete(key);
    }
  }

  stats(): AnswerCacheStats {
    return { entries: this.entries.size, bytes: this.bytes, hits: this.hits, misses: this.misses };
  }

  private keep(key: string, version: string, answer: SerializedAnswer): void {
    this.drop(key);
    const bytes = answer.body.byteLength + key.length + version.length;
    if (bytes > this.limits.maxBytes || this.limits.maxEntries < 1) return;
    while (this.entries.size >= this.limits.maxEntries || this.bytes + bytes > this.limits.maxBytes) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.drop(oldest);
    }
    this.entries.set(key, { version, answer, bytes });
    this.bytes += bytes;
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}

const utf8 = new TextEncoder();

function serialize(value: unknown): SerializedAnswer {
  const body = utf8.encode(JSON.stringify(toJsonShape(value)));
  return { body, etag: contentTag(body) };
}

/**
 * The 200 of a kept answer, as app.ts answers a plain result (Content-Type: application/json) plus
 * its ETag; or 304 when the request's If-None-Match names that ETag (or is *).
 */
export function answerResponse(answer: SerializedAnswer, request: Request): Response {
  return cachedResponse(request, answer.body, { etag: answer.etag, 'content-type': 'application/json' });
}
