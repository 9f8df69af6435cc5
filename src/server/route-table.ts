// Every route of `vctp serve`, declared in one place as src/cli/program.ts declares every command:
// method, path, who may call it and what answers. Access policy lives here and nowhere else:
// viewer for read and report APIs, admin for what changes data or reveals secrets, public for the
// UI pages, the API documents, /metrics and the login (the spec's "Public endpoints"). Admin
// implies viewer. Paths use OpenAPI's {param} syntax.
import type { Settings } from '../app/runtime.js';
import { api, legacy, rawRoute, ui, type RouteEntry } from './route-kinds.js';
import * as adminJobs from './routes/admin-jobs.js';
import * as allocation from './routes/allocation.js';
import * as auth from './routes/auth.js';
import * as debug from './routes/debug.js';
import * as diagnostics from './routes/diagnostics.js';
import * as docs from './routes/docs.js';
import * as encrypt from './routes/encrypt.js';
import * as importVm from './routes/import-vm.js';
import * as legacyApi from './routes/legacy.js';
import * as metrics from './routes/metrics.js';
import * as months from './routes/months.js';
import * as reports from './routes/reports.js';
import * as snapshots from './routes/snapshots.js';
import * as staticFiles from './routes/static.js';
import * as vcenters from './routes/vcenters.js';
import * as vms from './routes/vms.js';
import * as pages from './ui/pages.js';

const pprof = (settings: Settings) => settings.enable_pprof;

export const ROUTES: readonly RouteEntry[] = [
  // Authentication
  api('post', '/api/auth/login', 'public', auth.login),
  api('get', '/api/auth/me', 'viewer', auth.me),

  // Read and report APIs
  api('get', '/api/vcenters', 'viewer', vcenters.listVcenters),
  api('get', '/api/vcenters/totals', 'viewer', vcenters.vcenterTotals),
  api('get', '/api/vm/trace', 'viewer', vms.traceVm),
  api('get', '/api/vm/search', 'viewer', vms.searchVms),
  api('get', '/api/snapshots', 'viewer', snapshots.listSnapshots),
  api('get', '/api/snapshots/missed', 'viewer', snapshots.missedSnapshots),
  api('get', '/api/report/list', 'viewer', reports.listReports),
  rawRoute('get', '/api/report/download/{kind}/{file}', 'viewer', reports.downloadReport),
  api('get', '/api/diagnostics/daily-creation', 'viewer', diagnostics.dailyCreation),
  api('get', '/api/months', 'viewer', months.listClosedMonths),
  api('get', '/api/allocation', 'viewer', allocation.allocation),

  // Admin: jobs (the CLI's locks: 409 while a run holds one), lifecycle corrections, secrets
  api('post', '/api/snapshots/aggregate', 'admin', adminJobs.aggregate),
  api('post', '/api/snapshots/repair', 'admin', adminJobs.repair),
  api('post', '/api/snapshots/repair/all', 'admin', adminJobs.repairAll),
  api('post', '/api/snapshots/regenerate-hourly-reports', 'admin', adminJobs.regenerateHourlyReports),
  api('post', '/api/vcenters/cache/rebuild', 'admin', adminJobs.rebuildCache),
  api('post', '/api/import/vm', 'admin', importVm.importVm),
  api('post', '/api/months/{month}/close', 'admin', months.closeMonth),
  api('post', '/api/months/{month}/reopen', 'admin', months.reopenMonth),
  api('post', '/api/encrypt', 'admin', encrypt.encrypt),

  // The original system's deprecated endpoints
  legacy('/api/event/vm/create', legacyApi.eventVmCreate),
  legacy('/api/event/vm/modify', legacyApi.eventVmModify),
  legacy('/api/event/vm/move', legacyApi.eventVmMove),
  legacy('/api/event/vm/delete', legacyApi.eventVmDelete),
  legacy('/api/cleanup/updates', legacyApi.cleanupUpdates),
  legacy('/api/cleanup/vcenter', legacyApi.cleanupVcenter),

  // Operations: metrics, API documents, profiling
  rawRoute('get', '/metrics', 'public', metrics.metrics),
  rawRoute('get', '/swagger.json', 'public', docs.openapiJson, { hidden: true }),
  rawRoute('get', '/swagger', 'public', docs.swaggerRedirect, { hidden: true }),
  rawRoute('get', '/swagger/', 'public', docs.swaggerUi, { hidden: true }),
  rawRoute('get', '/swagger/{file}', 'public', docs.swaggerUi, { hidden: true }),
  rawRoute('get', '/debug/pprof/heap', 'admin', debug.heapSnapshot, { hidden: true, when: pprof }),
  rawRoute('get', '/debug/pprof/profile', 'admin', debug.cpuProfile, { hidden: true, when: pprof }),

  // UI pages and their assets
  ui('/', pages.overviewPage),
  ui('/vcenters', pages.vcentersPage),
  ui('/vcenters/totals/daily', pages.dailyTotalsPage),
  ui('/vcenters/totals/hourly', pages.hourlyTotalsPage),
  ui('/snapshots', pages.snapshotsPage),
  ui('/vm/trace', pages.vmTracePage),
  rawRoute('get', '/assets/{file}', 'public', staticFiles.asset, { hidden: true }),
  rawRoute('get', '/favicon.ico', 'public', staticFiles.favicon, { hidden: true }),
];
