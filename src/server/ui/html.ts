// hono/html's tagged template, typed as the synchronous value it is: every vctp template is built
// from strings, numbers and other templates (never a Promise), so `html` returns an escaped string
// at once. Interpolated strings are escaped; nested templates and raw() pass through.
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export type Html = HtmlEscapedString;

/** A fragment: interpolated strings are HTML-escaped, nested fragments kept. */
export function h(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const out = html(strings, ...values);
  if (out instanceof Promise) throw new Error('ui/html: a template was given a Promise; render its value first');
  return out;
}

/** Markup built elsewhere and already escaped (the SVG charts build theirs with h). */
export { raw };

/** An empty fragment. */
export const nothing: Html = raw('');
