// /debug/pprof/*: with settings.enable_pprof, a V8 heap snapshot and a CPU profile of the server
// process that Chrome DevTools opens; without it, the routes do not exist (404).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { serverForTest, type TestServer } from '../helpers/server.js';

describe('pprof enabled', () => {
  let server: TestServer;
  before(async () => {
    server = await serverForTest({ settings: { enable_pprof: true } });
  });
  after(async () => server?.close());

  it('GET /debug/pprof/heap answers a heap snapshot as an attachment', async () => {
    const response = await server.app.request('/debug/pprof/heap');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename="vctp-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.heapsnapshot"$/);
    const snapshot = JSON.parse(await response.text()) as { snapshot: { meta: { node_fields: string[] }; node_count: number }; nodes: number[]; strings: string[] };
    assert.ok(snapshot.snapshot.meta.node_fields.includes('name'), 'a V8 heap snapshot header');
    assert.ok(snapshot.snapshot.node_count > 1000, `${snapshot.snapshot.node_count} nodes`);
    assert.equal(snapshot.nodes.length, snapshot.snapshot.node_count * snapshot.snapshot.meta.node_fields.length);
  });

  it('GET /debug/pprof/profile?seconds=1 answers a CPU profile as an attachment', async () => {
    const response = await server.app.request('/debug/pprof/profile?seconds=1');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename="vctp-.+\.cpuprofile"$/);
    const profile = JSON.parse(await response.text()) as { nodes: { callFrame: { functionName: string } }[]; startTime: number; endTime: number; samples: number[] };
    assert.ok(profile.nodes.length > 0, 'profile nodes');
    assert.ok(profile.nodes.some((n) => n.callFrame.functionName === '(root)'));
    // Sampled for about the second asked (microseconds); no upper bound: a busy machine may add.
    assert.ok(profile.endTime - profile.startTime >= 900_000, `${profile.endTime - profile.startTime} us`);
  });

  for (const seconds of ['0', '61', 'ten']) {
    it(`refuses ?seconds=${seconds} naming the parameter`, async () => {
      const response = await server.app.request(`/debug/pprof/profile?seconds=${seconds}`);
      assert.equal(response.status, 400);
      const body = (await response.json()) as { error: { code: string; field: string } };
      assert.equal(body.error.code, 'usage');
      assert.equal(body.error.field, 'query.seconds');
    });
  }
});

describe('pprof disabled (the default)', () => {
  let server: TestServer;
  before(async () => {
    server = await serverForTest();
  });
  after(async () => server?.close());

  for (const path of ['/debug/pprof/heap', '/debug/pprof/profile?seconds=1']) {
    it(`GET ${path} is 404`, async () => {
      const response = await server.app.request(path);
      assert.equal(response.status, 404);
    });
  }
});
