// The API documents and the UI's static files come from this process alone (the spec's "Airgapped
// Static Assets"): /swagger.json is the committed openapi.json, Swagger UI is swagger-ui-dist's
// files with our page and initializer, and every static answer can be revalidated by its ETag.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ASSET_VERSION, UI_ASSETS } from '../../src/server/ui/assets.js';
import { serverForTest, type TestServer } from '../helpers/server.js';

const DIST = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const ROOT = new URL('../../', import.meta.url);

describe('API documents and static files', () => {
  let server: TestServer;
  before(async () => {
    server = await serverForTest();
  });
  after(async () => server?.close());
  const get = (path: string, headers: Record<string, string> = {}) => server.app.request(path, { headers });

  it('GET /swagger.json is the committed openapi.json', async () => {
    const response = await get('/swagger.json');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await response.json(), JSON.parse(readFileSync(new URL('openapi.json', ROOT), 'utf8')));
  });

  it('GET /swagger redirects to /swagger/', async () => {
    const response = await get('/swagger');
    assert.equal(response.status, 301);
    assert.equal(response.headers.get('location'), '/swagger/');
  });

  it('GET /swagger/ is our page, loading only files of this server', async () => {
    const response = await get('/swagger/');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    const page = await response.text();
    const urls = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.deepEqual(urls.filter((u) => !u.startsWith('./')), [], 'relative URLs only');
    for (const url of urls) assert.equal((await get(`/swagger/${url.slice(2)}`)).status, 200, url);
    assert.equal(await (await get('/swagger/index.html')).text(), page);
  });

  it('the initializer points at /swagger.json with the online validator off', async () => {
    const response = await get('/swagger/swagger-initializer.js');
    assert.equal(response.status, 200);
    const script = await response.text();
    assert.match(script, /url: new URL\('\.\.\/swagger\.json', window\.location\.href\)\.href/);
    assert.match(script, /validatorUrl: null/);
    assert.doesNotMatch(script, /https?:\/\//);
  });

  it("serves swagger-ui-dist's files as they are, cached a day and revalidated by ETag", async () => {
    const response = await get('/swagger/swagger-ui-bundle.js');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=86400');
    const etag = response.headers.get('etag');
    assert.ok(etag?.startsWith('"swagger-ui-dist-'), `${etag}`);
    assert.ok(Buffer.from(await response.arrayBuffer()).equals(readFileSync(join(DIST, 'swagger-ui-bundle.js'))));
    const again = await get('/swagger/swagger-ui-bundle.js', { 'if-none-match': etag! });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
  });

  for (const path of ['/swagger/package.json', '/swagger/absolute-path.js', '/swagger/..%2Fpackage.json', '/swagger/%2e%2e%2f%2e%2e%2fpackage.json', '/swagger/LICENSE']) {
    it(`GET ${path} is 404: only the listed files are served`, async () => {
      const response = await get(path);
      assert.equal(response.status, 404);
    });
  }

  it('GET /assets/vctp.css?v=<version> is immutable for a year; without ?v= it is revalidated', async () => {
    const versioned = await get(`/assets/vctp.css?v=${ASSET_VERSION}`);
    assert.equal(versioned.status, 200);
    assert.equal(versioned.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal(versioned.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(await versioned.text(), UI_ASSETS['vctp.css']!.body);
    const plain = await get('/assets/vctp.css');
    assert.equal(plain.headers.get('cache-control'), 'no-cache');
    const etag = plain.headers.get('etag')!;
    assert.match(etag, /^"[A-Za-z0-9_-]{22}"$/);
    assert.equal(etag, versioned.headers.get('etag'));
    assert.equal((await get('/assets/vctp.css', { 'if-none-match': `W/${etag}` })).status, 304);
    assert.equal((await get('/assets/vctp.css', { 'if-none-match': '"something-else"' })).status, 200);
  });

  for (const path of ['/assets/nope.css', '/assets/constructor', '/assets/__proto__', '/assets/..%2Fassets.ts']) {
    it(`GET ${path} is 404`, async () => {
      assert.equal((await get(path)).status, 404);
    });
  }

  it('GET /favicon.ico is the UI favicon, cached a day', async () => {
    const response = await get('/favicon.ico');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), UI_ASSETS['favicon.ico']!.contentType);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=86400');
    assert.ok(response.headers.get('etag'));
  });

  it("swagger-ui-dist's @scarf/scarf install script is not allowed to run", () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { allowScripts?: Record<string, unknown> };
    assert.ok(!Object.keys(pkg.allowScripts ?? {}).some((name) => name.startsWith('@scarf/')), JSON.stringify(pkg.allowScripts));
  });
});
