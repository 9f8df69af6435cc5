// The OpenAPI document: openapi.json at the repository root is what the app generates (run
// `npm run docs:openapi` after changing a route or a schema), and every route the route table
// documents is in it, with its method, while the hidden ones (debug, static files) are not.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ROUTES } from '../../src/server/route-table.js';
import { generatedOpenApiJson, OPENAPI_PATH } from '../../scripts/update-openapi.js';

const generated = generatedOpenApiJson();
const document = JSON.parse(generated) as {
  openapi: string;
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, { security?: Record<string, string[]>[]; deprecated?: boolean }>>;
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
};

describe('openapi.json', () => {
  it('is the document the app generates (npm run docs:openapi rewrites it)', () => {
    const committed = readFileSync(OPENAPI_PATH, 'utf8');
    assert.ok(committed === generated, 'openapi.json is stale: run `npm run docs:openapi` and commit it');
  });

  it('is OpenAPI 3.1 with the JSON conventions and the bearer scheme', () => {
    assert.equal(document.openapi, '3.1.0');
    assert.equal(document.info.title, 'vctp API');
    assert.match(document.info.description, /ISO 8601 UTC/);
    assert.match(document.info.description, /`<field>Iso`/);
    assert.match(document.info.description, /`null`/);
    assert.deepEqual(document.servers.map((s) => s.url), ['/']);
    assert.deepEqual(document.components.securitySchemes.bearerAuth, {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'A token from POST /api/auth/login',
    });
  });

  it('documents every route of the table that is not hidden, and none that is', () => {
    const documented = ROUTES.filter((r) => r.kind === 'api' || (r.kind === 'raw' && !r.hidden));
    assert.ok(documented.length >= 20, `${documented.length} documented routes`);
    for (const route of documented) {
      if (route.kind === 'ui') continue;
      const op = document.paths[route.path]?.[route.method];
      assert.ok(op, `${route.method.toUpperCase()} ${route.path} is missing from openapi.json`);
      // The table's access decides the security requirement: public routes need no token.
      if (route.access === 'public') assert.equal(op.security, undefined, `${route.path} is public`);
      else assert.deepEqual(op.security, [{ bearerAuth: [] }], `${route.path} needs a bearer token`);
    }
    for (const route of ROUTES) {
      if (route.kind === 'raw' && route.hidden) assert.equal(document.paths[route.path]?.[route.method], undefined, `${route.path} is hidden`);
      if (route.kind === 'ui') assert.equal(document.paths[route.path]?.get, undefined, `UI page ${route.path} is not an API operation`);
    }
  });

  it('lists no path the table does not have', () => {
    const known = new Set(ROUTES.filter((r) => r.kind !== 'ui').map((r) => `${r.method} ${r.path}`));
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const method of Object.keys(operations)) assert.ok(known.has(`${method} ${path}`), `${method} ${path} is not in the route table`);
    }
  });
});
