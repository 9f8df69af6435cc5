import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailureLimiter } from '../../src/server/auth/rate-limit.js';

const MIN = 60_000;

describe('FailureLimiter', () => {
  it('refuses after `limit` failures within the window and says when to retry', () => {
    const limiter = new FailureLimiter({ limit: 3, windowMs: 5 * MIN, maxKeys: 100 });
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(limiter.check('alice', t0 + i * MIN), { limited: false });
      limiter.recordFailure('alice', t0 + i * MIN);
    }
    // The oldest failure (t0) leaves the window at t0 + 5 min: 2 minutes after t0 + 3 min.
    assert.deepEqual(limiter.check('alice', t0 + 3 * MIN), { limited: true, retryAfterSeconds: 120 });
    assert.deepEqual(limiter.check('bob', t0 + 3 * MIN), { limited: false });
    assert.deepEqual(limiter.check('alice', t0 + 5 * MIN), { limited: false });
  });

  it('forgets a key on reset', () => {
    const limiter = new FailureLimiter({ limit: 1, windowMs: MIN, maxKeys: 10 });
    limiter.recordFailure('alice', 0);
    assert.equal(limiter.check('alice', 1).limited, true);
    limiter.reset('alice');
    assert.equal(limiter.check('alice', 1).limited, false);
  });

  it('keeps at most maxKeys keys, dropping expired keys, then the one idle longest', () => {
    const limiter = new FailureLimiter({ limit: 1, windowMs: MIN, maxKeys: 3 });
    limiter.recordFailure('a', 0);
    limiter.recordFailure('b', 10);
    limiter.recordFailure('c', 20);
    limiter.recordFailure('a', 30); // a is now the most recent
    limiter.recordFailure('d', 40); // full: b (idle longest) goes
    assert.equal(limiter.size, 3);
    assert.equal(limiter.check('b', 50).limited, false);
    assert.equal(limiter.check('a', 50).limited, true);
    assert.equal(limiter.check('c', 50).limited, true);
    assert.equal(limiter.check('d', 50).limited, true);
    // After the window every key has expired: a new key evicts the expired ones, not a live one.
    limiter.recordFailure('e', MIN + 100);
    assert.equal(limiter.size, 1);
  });
});
