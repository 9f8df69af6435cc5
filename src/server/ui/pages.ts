// The UI pages the route table (src/server/route-table.ts) places: public, server-rendered HTML
// with inline SVG charts, no script, and only this server's own assets (src/server/ui/assets.ts).
export { overviewPage } from './overview-page.js';
export { snapshotsPage } from './snapshots-page.js';
export { dailyTotalsPage, hourlyTotalsPage } from './totals-page.js';
export { vmTracePage } from './trace-page.js';
export { vcentersPage } from './vcenters-page.js';
