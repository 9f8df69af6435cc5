// HTTP cache validators for answers whose bytes are known before they are sent: the UI's assets,
// Swagger UI's files (routes/static.ts, routes/docs.ts) and the kept API answers (answer-cache.ts).
// A strong ETag names the bytes; a request that holds them gets a 304.
import { createHash } from 'node:crypto';

/** A strong ETag from the bytes themselves: equal bytes, equal tag, across restarts and hosts. */
export function contentTag(body: string | Uint8Array): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}

/** Does If-None-Match name this tag (or `*`)? Weak comparison, as RFC 9110 13.1.2 asks for it. */
export function notModified(request: Request, etag: string): boolean {
  const header = request.headers.get('if-none-match');
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

/**
 * 200 with the body, or a 304 with the validators alone (the ETag, and Cache-Control when the
 * answer has one) when the client holds these bytes.
 */
export function cachedResponse(
  request: Request,
  body: string | Uint8Array,
  headers: { etag: string; 'content-type': string; 'cache-control'?: string },
): Response {
  if (notModified(request, headers.etag)) {
    const validators: Record<string, string> = { etag: headers.etag };
    if (headers['cache-control']) validators['cache-control'] = headers['cache-control'];
    return new Response(null, { status: 304, headers: validators });
  }
  return new Response(body, { headers });
}
