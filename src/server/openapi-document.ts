// The OpenAPI 3.1 document of `vctp serve`, generated from the app itself (every route the route
// table registered with its zod schemas; hidden ones left out), so it cannot drift from what the
// server answers. Served at /swagger.json (routes/docs.ts) and committed as openapi.json at the
// repository root (npm run docs:openapi; test/unit/server-openapi.test.ts fails when it is stale).
import { readFileSync } from 'node:fs';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { VctpError } from '../core/errors.js';
import type { ServerDeps } from './deps.js';

export type OpenApiDocument = ReturnType<OpenAPIHono['getOpenAPI31Document']>;

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The scheme name the app's routes name in `security` (src/server/app.ts). */
export const BEARER_SCHEME = 'bearerAuth';

const DESCRIPTION = `The HTTP API of vctp (vSphere chargeback tracker): the same data and jobs as the \`vctp\` command line.

**JSON.** Answers have the shape \`vctp <command> --json\` prints. Every time is kept as unix seconds and given beside it as an ISO 8601 UTC string in a \`<field>Iso\` sibling (\`latestSnapshot\` and \`latestSnapshotIso\`). A value that is not known is \`null\`, never 0 or an empty string. Tiers are spelled Tin, Bronze, Silver, Gold and "No tier".

**Errors.** Every failure answers \`{"error": {"status", "code", "message", "field"?}}\`; \`field\` names the parameter at fault (\`query.view\`).

**Authentication.** With settings.auth_mode \`required\` (or \`optional\`), get a token from \`POST /api/auth/login\` and send it as \`Authorization: Bearer <token>\`. Viewer endpoints need a viewer or admin token, admin endpoints an admin one. With auth disabled no token is needed.`;

/** The document of an app: its routes plus the API's description and the bearer scheme they name. */
export function openApiDocument(app: Pick<OpenAPIHono, 'getOpenAPI31Document'>): OpenApiDocument {
  const document = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'vctp API', version: VERSION, description: DESCRIPTION, license: { name: 'MIT' } },
    // Relative: the server the document was fetched from, whatever its address or proxy.
    servers: [{ url: '/', description: 'this vctp serve' }],
  });
  return {
    ...document,
    components: {
      ...document.components,
      securitySchemes: {
        [BEARER_SCHEME]: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A token from POST /api/auth/login' },
      },
    },
  };
}

// The document of each server's app, built on first request: routes/docs.ts holds the deps, not the
// app, and the app is built after its route modules are loaded.
const documents = new WeakMap<ServerDeps, () => OpenApiDocument>();

/** Called by buildApp once every route is registered. */
export function serveOpenApiDocumentOf(deps: ServerDeps, app: Pick<OpenAPIHono, 'getOpenAPI31Document'>): void {
  let built: OpenApiDocument | undefined;
  documents.set(deps, () => (built ??= openApiDocument(app)));
}

export function openApiDocumentFor(deps: ServerDeps): OpenApiDocument {
  const document = documents.get(deps);
  if (!document) throw new VctpError('internal', 'no OpenAPI document for this server: buildApp registers it');
  return document();
}
