// The frame of every page: head (own stylesheet and favicon only: nothing outside this server is
// fetched), the site navigation, and the footer.
import { ASSET_VERSION } from './assets.js';
import { h, type Html } from './html.js';

export interface NavItem {
  href: string;
  label: string;
}

export const NAV: readonly NavItem[] = [
  { href: '/', label: 'Overview' },
  { href: '/vcenters', label: 'vCenters' },
  { href: '/vcenters/totals/daily', label: 'Daily totals' },
  { href: '/vcenters/totals/hourly', label: 'Hourly totals' },
  { href: '/snapshots', label: 'Snapshots' },
  { href: '/vm/trace', label: 'VM trace' },
];

export interface LayoutInput {
  title: string;
  /** The nav item's href to mark as the current page. */
  active?: string;
  body: Html;
}

export function layout({ title, active, body }: LayoutInput): Html {
  const nav = NAV.map((item) =>
    item.href === active
      ? h`<li><a href="${item.href}" aria-current="page">${item.label}</a></li>`
      : h`<li><a href="${item.href}">${item.label}</a></li>`,
  );
  return h`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · vCTP</title>
<link rel="stylesheet" href="/assets/vctp.css?v=${ASSET_VERSION}">
<link rel="icon" type="image/svg+xml" href="/favicon.ico?v=${ASSET_VERSION}">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site"><div class="inner">
<a class="brand" href="/"><svg width="22" height="22" viewBox="0 0 32 32" aria-hidden="true"><rect x="6" y="17" width="5" height="9" rx="1" fill="#e5b700"/><rect x="13.5" y="11" width="5" height="15" rx="1" fill="#cbd5e1"/><rect x="21" y="6" width="5" height="20" rx="1" fill="#d0875a"/></svg>vCTP</a>
<nav aria-label="Main"><ul>${nav}</ul></nav>
</div></header>
<main id="main">
<h1>${title}</h1>
${body}
</main>
<footer class="site">vSphere chargeback tracker · times are UTC · the same data as JSON: <a href="/swagger">API documentation</a></footer>
</body>
</html>`;
}
