// The HTML answer of a page request that failed: a bad query parameter (400, naming it), an
// unknown VM (404), a database fault (503). The JSON API answers the same failures with
// http-errors.ts' body; a browser gets a page it can read, with the way back.
import { h, type Html } from './html.js';
import { layout } from './layout.js';

const TITLES: Record<number, string> = { 400: 'Bad request', 404: 'Not found', 503: 'Unavailable' };

export function errorPage(status: number, message: string, options: { active?: string } = {}): Html {
  const title = TITLES[status] ?? 'Error';
  const body = h`<p class="notice error" role="alert">${message}</p>
<p>${options.active ? h`<a href="${options.active}">Back to this page without parameters</a> · ` : ''}<a href="/">Overview</a></p>`;
  return layout({ title: `${title} (${status})`, ...(options.active ? { active: options.active } : {}), body });
}
