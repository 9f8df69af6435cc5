// The API documents, served from this process only (the spec's "Airgapped Static Assets"): the
// OpenAPI document at /swagger.json and Swagger UI at /swagger/ from the installed swagger-ui-dist
// package, with our own page and initializer (no petstore URL, no online validator, no CDN).
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from '@hono/zod-openapi';
import { VctpError } from '../../core/errors.js';
import { openApiDocumentFor } from '../openapi-document.js';
import { raw } from '../operation.js';
import { cachedResponse, contentTag, notModified } from '../http-cache.js';

const DIST = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const DIST_VERSION = (JSON.parse(readFileSync(join(DIST, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * The package's files the page loads (and their source maps, which the browser asks for only when
 * its developer tools are open). Anything else in the package (its Node.js entry points, the ES
 * bundles for bundlers, its own index.html and petstore initializer) is not served.
 */
const DIST_FILES: ReadonlyMap<string, string> = new Map(
  [
    ['swagger-ui.css', 'text/css; charset=utf-8'],
    ['index.css', 'text/css; charset=utf-8'],
    ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
    ['swagger-ui-standalone-preset.js', 'text/javascript; charset=utf-8'],
    ['oauth2-redirect.html', 'text/html; charset=utf-8'],
    ['oauth2-redirect.js', 'text/javascript; charset=utf-8'],
    ['favicon-16x16.png', 'image/png'],
    ['favicon-32x32.png', 'image/png'],
    ['swagger-ui.css.map', 'application/json'],
    ['swagger-ui-bundle.js.map', 'application/json'],
    ['swagger-ui-standalone-preset.js.map', 'application/json'],
  ].filter(([name]) => existsSync(join(DIST, name!))) as [string, string][],
);

/**
 * swagger-ui-dist's URLs carry no version, so a day's caching bounds how long a browser keeps an
 * old Swagger UI after an upgrade; the ETag (the package version: its files never change within
 * one) turns every later check into a 304.
 */
const DIST_CACHE = 'public, max-age=86400';
/** Our page and initializer are tiny: always revalidated, so a changed one is seen at once. */
const OWN_CACHE = 'no-cache';

// The initializer: the document is ../swagger.json (so /swagger.json, also behind a path prefix);
// validatorUrl null keeps Swagger UI from sending the document to validator.swagger.io.
const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: new URL('../swagger.json', window.location.href).href,
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
  });
};
`;

const INDEX_HTML = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>vCTP API</title>
    <link rel="stylesheet" type="text/css" href="./swagger-ui.css">
    <link rel="stylesheet" type="text/css" href="./index.css">
    <link rel="icon" type="image/png" href="./favicon-32x32.png" sizes="32x32">
    <link rel="icon" type="image/png" href="./favicon-16x16.png" sizes="16x16">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="./swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="./swagger-ui-standalone-preset.js" charset="UTF-8"></script>
    <script src="./swagger-initializer.js" charset="UTF-8"></script>
  </body>
</html>
`;

const OWN_FILES: ReadonlyMap<string, { body: string; contentType: string; etag: string }> = new Map(
  [
    ['index.html', INDEX_HTML, 'text/html; charset=utf-8'],
    ['swagger-initializer.js', INITIALIZER, 'text/javascript; charset=utf-8'],
  ].map(([name, body, contentType]) => [name!, { body: body!, contentType: contentType!, etag: contentTag(body!) }]),
);

/** The names /swagger/{file} answers, for tests and the README. */
export const SWAGGER_FILES: readonly string[] = [...OWN_FILES.keys(), ...DIST_FILES.keys()];

export const openapiJson = raw({
  summary: 'The OpenAPI 3.1 document of this API',
  tags: ['docs'],
  responseContentType: 'application/json',
  async handle({ deps }) {
    return new Response(JSON.stringify(openApiDocumentFor(deps)), {
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' },
    });
  },
});

export const swaggerRedirect = raw({
  summary: 'Swagger UI (redirects to /swagger/)',
  tags: ['docs'],
  responseContentType: 'text/html',
  async handle() {
    return new Response(null, { status: 301, headers: { location: '/swagger/' } });
  },
});

export const swaggerUi = raw({
  summary: 'Swagger UI: its page and the swagger-ui-dist files it loads',
  tags: ['docs'],
  // Optional: /swagger/ (the page) has no file segment.
  params: z.object({ file: z.string().optional() }),
  responseContentType: 'text/html',
  async handle({ params, request }) {
    const name = params.file || 'index.html';
    const own = OWN_FILES.get(name);
    if (own) return cachedResponse(request, own.body, { etag: own.etag, 'content-type': own.contentType, 'cache-control': OWN_CACHE });
    // Only a name from the list is ever joined to the package directory: no traversal.
    const contentType = DIST_FILES.get(name);
    if (!contentType) throw new VctpError('not-found', `/swagger/${name}: no such Swagger UI file`);
    const etag = `"swagger-ui-dist-${DIST_VERSION}-${name}"`;
    const headers = { etag, 'content-type': contentType, 'cache-control': DIST_CACHE };
    // The version names the bytes, so a revalidation is answered without reading the file.
    if (notModified(request, etag)) return cachedResponse(request, '', headers);
    return cachedResponse(request, await readFile(join(DIST, name)), headers);
  },
});
