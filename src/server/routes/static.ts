// The UI's own static files (/assets/{file}, /favicon.ico), built into the code (src/server/ui/
// assets.ts): nothing is fetched from a CDN (the spec's "Airgapped Static Assets"). Every answer
// carries a strong ETag from its bytes, so a reload costs a 304. The pages link ?v=ASSET_VERSION
// (a hash of every asset), and an answer to such a URL may be cached for a year, immutable: new
// bytes get a new URL.
import { z } from '@hono/zod-openapi';
import { VctpError } from '../../core/errors.js';
import { cachedResponse, contentTag } from '../http-cache.js';
import { raw } from '../operation.js';
import { ASSET_VERSION, UI_ASSETS } from '../ui/assets.js';

/** A URL that names the bytes: immutable for a year. */
const VERSIONED_CACHE = 'public, max-age=31536000, immutable';
/** A URL without ?v= (typed by hand, an old page): revalidated every time, a 304 when unchanged. */
const UNVERSIONED_CACHE = 'no-cache';
/** Browsers ask for /favicon.ico on their own, on every page: a day, then revalidated. */
const FAVICON_CACHE = 'public, max-age=86400';

interface Asset {
  contentType: string;
  body: string | Uint8Array;
  etag: string;
}

const assets = new Map<string, Asset>();

function assetNamed(name: string): Asset | undefined {
  const cached = assets.get(name);
  if (cached) return cached;
  // Own keys only: a name such as "constructor" or "../x" is simply not an asset.
  if (!Object.hasOwn(UI_ASSETS, name)) return undefined;
  const { contentType, body } = UI_ASSETS[name]!;
  const asset = { contentType, body, etag: contentTag(body) };
  assets.set(name, asset);
  return asset;
}

/** The pages link ?v=ASSET_VERSION (src/server/ui/layout.ts): such a URL names these bytes. */
const versioned = (v: string | undefined) => v === ASSET_VERSION;

export const asset = raw({
  summary: 'A static file of the UI (CSS, JavaScript, images)',
  tags: ['ui'],
  params: z.object({ file: z.string() }),
  query: z.object({ v: z.string().optional() }),
  responseContentType: 'application/octet-stream',
  async handle({ params, query, request }) {
    const found = assetNamed(params.file);
    if (!found) throw new VctpError('not-found', `/assets/${params.file}: no such asset`);
    const cacheControl = versioned(query.v) ? VERSIONED_CACHE : UNVERSIONED_CACHE;
    return cachedResponse(request, found.body, { etag: found.etag, 'content-type': found.contentType, 'cache-control': cacheControl });
  },
});

export const favicon = raw({
  summary: 'The favicon',
  tags: ['ui'],
  query: z.object({ v: z.string().optional() }),
  responseContentType: 'image/x-icon',
  async handle({ query, request }) {
    const found = assetNamed('favicon.ico');
    if (!found) throw new VctpError('not-found', '/favicon.ico: no favicon');
    const cacheControl = versioned(query.v) ? VERSIONED_CACHE : FAVICON_CACHE;
    return cachedResponse(request, found.body, { etag: found.etag, 'content-type': found.contentType, 'cache-control': cacheControl });
  },
});
