// The app's one way of failing (src/server/http-errors.ts, app.ts): every failure is the JSON error
// body with the status its code maps to; a bad parameter or body names its field in words; a
// CLI-flag message from a shared job is said in the request's terms; a bug answers 500 without
// its stack (which goes to the log).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from '@hono/zod-openapi';
import { VctpError } from '../../src/core/errors.js';
import { operation } from '../../src/server/operation.js';
import { api } from '../../src/server/route-kinds.js';
import { serverForTest, type TestServer } from '../helpers/server.js';

const ok = z.object({ ok: z.boolean() });

const routes = [
  api(
    'get',
    '/test/query',
    'public',
    operation({
      summary: 'query',
      tags: ['test'],
      query: z.object({ view: z.enum(['hourly', 'daily']), days: z.coerce.number().int().min(1).max(45).default(7) }),
      response: ok,
      handle: async () => ({ ok: true }),
    }),
  ),
  api(
    'post',
    '/test/body',
    'public',
    operation({
      summary: 'body',
      tags: ['test'],
      body: z.object({ date: z.string().regex(/^\d{4}-\d\d-\d\d$/, 'expected YYYY-MM-DD'), vcenter: z.array(z.string()).optional() }),
      response: ok,
      handle: async ({ body }) => {
        if (body.vcenter?.includes('nope')) throw new VctpError('usage', '--vcenter nope: no snapshots of such a vCenter (known: vc1)');
        return { ok: true };
      },
    }),
  ),
  api('get', '/test/lock', 'public', operation({ summary: 'lock', tags: ['test'], response: ok, handle: async () => Promise.reject(new VctpError('lock', 'aggregate is running (pid 42)')) })),
  api('get', '/test/database', 'public', operation({ summary: 'db', tags: ['test'], response: ok, handle: async () => Promise.reject(new VctpError('database', 'the database is locked')) })),
  api('get', '/test/bug', 'public', operation({ summary: 'bug', tags: ['test'], response: ok, handle: async () => Promise.reject(new TypeError('secret internals at line 42')) })),
];

interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  field?: string;
}

describe('server errors', () => {
  let server: TestServer;
  before(async () => {
    server = await serverForTest({ routes });
  });
  after(() => server.close());

  async function errorOf(path: string, init?: RequestInit): Promise<ErrorAnswer & { httpStatus: number }> {
    const response = await server.app.request(path, init);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    const body = (await response.json()) as { error: ErrorAnswer };
    assert.equal(body.error.status, response.status);
    return { ...body.error, httpStatus: response.status };
  }
  const post = (body: string, type = 'application/json'): RequestInit => ({ method: 'POST', body, headers: { 'content-type': type } });

  it('names the query field at fault, in words', async () => {
    assert.deepEqual(await errorOf('/test/query?view=weekly'), {
      httpStatus: 400,
      status: 400,
      code: 'usage',
      message: 'query.view: expected one of hourly, daily',
      field: 'query.view',
    });
    assert.equal((await errorOf('/test/query')).message, 'query.view: is required');
    assert.equal((await errorOf('/test/query?view=daily&days=46')).message, 'query.days: must be <= 45');
  });

  it('names the body field, and refuses a body that is not JSON', async () => {
    const bad = await errorOf('/test/body', post('{"date":"yesterday"}'));
    assert.equal(bad.field, 'body.date');
    assert.equal(bad.message, 'body.date: expected YYYY-MM-DD');
    const malformed = await errorOf('/test/body', post('{"date":'));
    assert.equal(malformed.httpStatus, 400);
    assert.equal(malformed.field, 'body');
  });

  it('says a shared job\'s flag message in the request\'s terms', async () => {
    const answer = await errorOf('/test/body', post('{"date":"2026-04-20","vcenter":["nope"]}'));
    assert.equal(answer.httpStatus, 400);
    assert.equal(answer.field, 'body.vcenter');
    assert.equal(answer.message, 'body.vcenter nope: no snapshots of such a vCenter (known: vc1)');
  });

  it('maps error codes to statuses: lock 409, database 503, no route 404', async () => {
    assert.equal((await errorOf('/test/lock')).httpStatus, 409);
    assert.equal((await errorOf('/test/database')).httpStatus, 503);
    const missing = await errorOf('/no/such/route');
    assert.equal(missing.httpStatus, 404);
    assert.equal(missing.code, 'not-found');
  });

  it('answers a bug with 500 and no internals; the stack goes to the log', async () => {
    const bug = await errorOf('/test/bug');
    assert.equal(bug.httpStatus, 500);
    assert.equal(bug.code, 'internal');
    assert.doesNotMatch(bug.message, /secret internals/);
    assert.ok(server.logLines().some((line) => line.includes('secret internals at line 42')));
  });

  it('counts requests by route pattern and status', async () => {
    await server.app.request('/test/query?view=daily');
    const text = await server.deps.requestMetrics.registry.metrics();
    assert.match(text, /vctp_http_requests_total\{method="GET",route="\/test\/query",status="200"\} [1-9]/);
    assert.match(text, /vctp_http_requests_total\{method="GET",route="unmatched",status="404"\} [1-9]/);
  });
});
