// The UI's static files, embedded in the code so that `vctp serve` needs no asset directory and no
// CDN (the spec's "Airgapped Static Assets"): the stylesheet and the favicon. The static routes
// (src/server/routes/static.ts) serve UI_ASSETS at /assets/<name>, the favicon also at /favicon.ico.
// Pages link /assets/vctp.css?v=<ASSET_VERSION>, so the files may be cached for long.
import { createHash } from 'node:crypto';

export const CSS = `
:root {
  color-scheme: light;
  --fg: #111827; --muted: #4b5563; --line: #d1d5db; --soft: #f3f4f6; --bg: #ffffff;
  --accent: #1d4ed8; --warn-bg: #fef3c7; --warn-fg: #78350f; --bad-bg: #fee2e2; --bad-fg: #7f1d1d; --ok-fg: #166534;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 16px; line-height: 1.45; color: var(--fg); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #93c5fd; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; }
.skip:focus { left: 8px; top: 8px; background: var(--bg); padding: 4px 8px; z-index: 1; }
header.site { background: #1e293b; color: #f8fafc; }
header.site .inner { max-width: 1200px; margin: 0 auto; padding: 10px 16px; display: flex; flex-wrap: wrap; gap: 6px 20px; align-items: center; }
header.site .brand { color: #f8fafc; font-weight: 700; font-size: 1.15rem; text-decoration: none; display: inline-flex; gap: 8px; align-items: center; }
header.site nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 2px 4px; }
header.site nav a { color: #e2e8f0; text-decoration: none; padding: 4px 8px; border-radius: 4px; display: inline-block; }
header.site nav a:hover { background: #334155; }
header.site nav a[aria-current="page"] { background: #f8fafc; color: #1e293b; font-weight: 600; }
main { max-width: 1200px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.5rem; margin: 8px 0 12px; }
h2 { font-size: 1.2rem; margin: 28px 0 8px; }
h3 { font-size: 1.05rem; margin: 20px 0 8px; }
p { margin: 8px 0; }
.muted { color: var(--muted); }
.lede { color: var(--muted); margin-top: -4px; }
footer.site { max-width: 1200px; margin: 24px auto 0; padding: 12px 16px 24px; color: var(--muted); font-size: .875rem; border-top: 1px solid var(--line); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 340px), 1fr)); gap: 16px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; background: var(--bg); min-width: 0; }
.card h2 { margin: 0 0 4px; font-size: 1.15rem; overflow-wrap: anywhere; }
.stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(96px, 1fr)); gap: 8px; margin: 12px 0; }
.stat { background: var(--soft); border-radius: 6px; padding: 6px 8px; }
.stat .label { display: block; font-size: .8rem; color: var(--muted); }
.stat .value { display: block; font-size: 1.15rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.tiers { list-style: none; padding: 0; margin: 8px 0; display: flex; flex-wrap: wrap; gap: 4px 14px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
.missed-days { margin: 4px 0 8px; padding-left: 20px; font-size: .9rem; }
.links { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 8px 0 0; padding: 0; list-style: none; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: .8rem; font-weight: 600; background: var(--soft); color: var(--muted); white-space: nowrap; }
.badge.ok { background: #dcfce7; color: var(--ok-fg); }
.badge.warn { background: var(--warn-bg); color: var(--warn-fg); }
.badge.bad { background: var(--bad-bg); color: var(--bad-fg); }
.notice { background: var(--warn-bg); color: var(--warn-fg); border-radius: 6px; padding: 8px 12px; margin: 12px 0; }
.notice.error { background: var(--bad-bg); color: var(--bad-fg); }
.table-scroll { overflow-x: auto; max-width: 100%; border: 1px solid var(--line); border-radius: 6px; margin: 8px 0 16px; }
.table-scroll.tall { max-height: 32rem; overflow-y: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
caption { text-align: left; padding: 8px 10px; font-weight: 600; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; vertical-align: top; }
thead th { background: var(--soft); position: sticky; top: 0; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) td { background: #fafafa; }
tbody tr:last-child td { border-bottom: 0; }
td.changed { font-weight: 700; background: #fef9c3 !important; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 340px), 1fr)); gap: 12px 20px; margin: 8px 0 16px; }
figure.chart-box { margin: 0; min-width: 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px; }
svg.chart { display: block; width: 100%; height: auto; max-width: 560px; margin: 0 auto; }
form.inline { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: flex-end; margin: 12px 0; padding: 12px; background: var(--soft); border-radius: 6px; }
form.inline label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); gap: 2px; }
input, select, button { font: inherit; font-size: 1rem; padding: 6px 8px; border: 1px solid #9ca3af; border-radius: 4px; background: var(--bg); color: var(--fg); max-width: 100%; }
input[type="search"], input[type="text"] { min-width: min(100%, 18rem); }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.sections-nav { display: flex; flex-wrap: wrap; gap: 4px 14px; padding: 0; list-style: none; }
@media (max-width: 600px) {
  main { padding: 12px; }
  h1 { font-size: 1.3rem; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-bottom: 6px; }
}
`;

/** The favicon: a small bar chart in vctp's header colours. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1e293b"/><rect x="6" y="17" width="5" height="9" rx="1" fill="#b08000"/><rect x="13.5" y="11" width="5" height="15" rx="1" fill="#6e7885"/><rect x="21" y="6" width="5" height="20" rx="1" fill="#a0592a"/></svg>`;

export interface UiAsset {
  contentType: string;
  body: string;
}

/** By file name, as served under /assets/ (the favicon is also /favicon.ico). */
export const UI_ASSETS: Record<string, UiAsset> = {
  'vctp.css': { contentType: 'text/css; charset=utf-8', body: CSS },
  'favicon.svg': { contentType: 'image/svg+xml', body: FAVICON_SVG },
  // The name browsers ask for on their own; an SVG body is what Chromium and Firefox render.
  'favicon.ico': { contentType: 'image/svg+xml', body: FAVICON_SVG },
};

/** Changes with the assets' content: pages link ?v=<this>, so a long cache never serves stale CSS. */
export const ASSET_VERSION = createHash('sha256')
  .update(Object.values(UI_ASSETS).map((a) => a.body).join('\0'))
  .digest('hex')
  .slice(0, 12);
