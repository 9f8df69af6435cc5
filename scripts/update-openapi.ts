// npm run docs:openapi: rewrites openapi.json at the repository root, the OpenAPI document of
// `vctp serve` as /swagger.json serves it with default settings. test/unit/server-openapi.test.ts
// fails when the committed file differs from what this generates.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSettings } from '../src/config/parse-settings.js';
import { silentLogger } from '../src/log/logger.js';
import { buildApp } from '../src/server/app.js';
import { createServerDeps } from '../src/server/deps.js';
import { openApiDocument } from '../src/server/openapi-document.js';
import { ROUTES } from '../src/server/route-table.js';
import type { Store } from '../src/store/executor.js';

export const OPENAPI_PATH = fileURLToPath(new URL('../openapi.json', import.meta.url));

/** Building the app reads no database: a store that says so if that ever changes. */
const NO_DATABASE = new Proxy({} as Store, {
  get(_target, property) {
    throw new Error(`the OpenAPI document was generated from an app that used its store (store.${String(property)})`);
  },
});

/** The document as the file holds it: 2-space JSON, one trailing newline. */
export function generatedOpenApiJson(): string {
  const log = silentLogger();
  const settings = parseSettings('settings:\n', 'openapi.yml').settings;
  const app = buildApp(createServerDeps({ settings, log, ctx: { store: NO_DATABASE, log, now: () => 0 } }), ROUTES);
  return `${JSON.stringify(openApiDocument(app), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(OPENAPI_PATH, generatedOpenApiJson());
  console.log(`wrote ${OPENAPI_PATH}`);
}
