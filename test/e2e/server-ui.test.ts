// The UI pages in a real browser (headless Chromium through playwright-core) against the real app
// (the whole route table) on a loopback socket and a seeded SQLite database (test/helpers/read-api-data.ts): each page
// loads with no console error and no failed request, fetches nothing but this server's own URLs,
// shows the database's numbers, and at a phone's 390 px has no sideways page scroll (tables scroll
// inside their own box). Screenshots of each page at 1280 px and 390 px go to test-artifacts/ui/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { RunningServer } from '../../src/server/listen.js';
import { NOW_MS, seedReadApiData } from '../helpers/read-api-data.js';
import { listenForTest, serverForTest, type TestServer } from '../helpers/server.js';

const CHROMIUM = process.env.VCTP_TEST_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/ui/', import.meta.url));

const VIEWPORTS = [
  { name: 'laptop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

interface PageCase {
  name: string;
  path: string;
  status?: number;
  /** Texts the page must show (from the seeded data). */
  shows: (string | RegExp)[];
  /** Number of SVG charts on the page. */
  charts?: number;
}

// The seeded data (read-api-data.ts), as of 2026-04-21 12:00Z: vc1's latest snapshot (11:00) holds
// web01 (4 vCPU, Gold), DB01 (Silver) and app04 (Bronze), each 8 GB RAM and 50 GB disk; vc2's
// holds WEB01 (2 vCPU, Silver). 2026-04-20 missed 05:00-07:00 in both.
const CASES: PageCase[] = [
  {
    name: 'overview',
    path: '/',
    shows: ['vc1', 'vc2', 'Latest snapshot: 2026-04-21 11:00 UTC', /VMs\s+3\b/, /vCPU\s+8\b/, /RAM GB\s+24\.0/, /Disk GB\s+150\.0/, 'Gold: 1', 'Silver: 1', '3 missed on 1 day', '2026-04-20: 21 of 24 (3 missed'],
  },
  {
    name: 'vcenters',
    path: '/vcenters',
    shows: [/vc1\s+2026-04-21 11:00 UTC\s+3\s+3\s+8\s+24\.0\s+150\.0\s+0\s+1\s+1\s+1\s+0/, /vc2\s+2026-04-21 11:00 UTC\s+1\s+1\s+2\s+8\.0\s+50\.0\s+0\s+0\s+1\s+0\s+0/],
  },
  {
    name: 'totals-daily',
    path: '/vcenters/totals/daily?vcenter=vc1',
    // 2026-04-19: web01, app04 and old05 all day; 2026-04-20 counted on its 21 snapshots.
    shows: ['vc1, daily totals', /2026-04-19\s+3\s+3\s+6\s+24\.0\s+150\.0\s+2\s+1\s+0\s+0\s+0/, '21/24 (3 missed)'],
    charts: 5,
  },
  {
    name: 'totals-hourly',
    path: '/vcenters/totals/hourly',
    shows: ['vc1, hourly totals', 'vc2, hourly totals', /2026-04-21 11:00 UTC\s+3\s+3\s+8\s+24\.0\s+150\.0\s+0\s+1\s+1\s+1\s+0/, /2026-04-20 10:00 UTC\s+4\s+4\s+10\s+32\.0\s+200\.0\s+2\s+1\s+1\s+0/],
    charts: 10,
  },
  {
    name: 'snapshots',
    path: '/snapshots',
    shows: ['Missed snapshots', /2026-04-20\s+21\s+24\s+3\s+daily summary/, /2026-04-20\s+21\s+24\s+3\s+snapshots \(not aggregated yet\)/, 'Snapshot registry', /vc1\s+hourly\s+2026-04-21 11:00 UTC\s+3\b/, /vc1\s+daily\s+2026-04-20\s+\d+\s+21\/24/],
  },
  {
    name: 'trace-form',
    path: '/vm/trace',
    shows: ['VM name, id (vm-42) or uuid'],
  },
  {
    name: 'trace-hourly',
    path: '/vm/trace?vm=web01&vcenter=vc1&from=2026-04-20&to=2026-04-20',
    // web01 grows to 4 vCPU at 10:00 and moves Tin -> Gold at 18:00 (marked *).
    shows: ['web01', '4201aaaa-bbbb-4ccc-8ddd-000000000001', /2026-04-20 10:00 UTC\s+web01\s+on\s+4 \*/, /2026-04-20 18:00 UTC\s+web01\s+on\s+4\s+8\.00\s+50\.00\s+Gold \*/, /2026-04-20 09:00 UTC\s+web01\s+on\s+2\s+8\.00\s+50\.00\s+Tin/],
    charts: 3,
  },
  {
    name: 'trace-daily',
    path: '/vm/trace?vm=web01&vcenter=vc1&view=daily&from=2026-04-19&to=2026-04-20',
    shows: [/2026-04-19\s+24\/24\s+0\s+100\.0%\s+2\.00\s+8\.00\s+50\.00\s+Tin 100\.0%/, /2026-04-20\s+21\/21\s+3 of 24/],
    charts: 4,
  },
  {
    name: 'trace-unknown',
    path: '/vm/trace?vm=nosuchvm',
    shows: ['unknown VM "nosuchvm"'],
  },
  {
    name: 'bad-parameter',
    path: '/vcenters/totals/hourly?days=90',
    status: 400,
    shows: ['query.days: must be <= 45'],
  },
];

// No skip when Chromium is missing: the test command installs it (Debian `chromium`), and a skipped
// browser test would pass a broken page.
assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: install Debian's chromium (npm test does) or set VCTP_TEST_CHROMIUM`);

describe('UI pages in Chromium', () => {
  let server: TestServer;
  let running: RunningServer;
  let browser: Browser;

  before(async () => {
    server = await serverForTest({ now: NOW_MS, settings: { vcenter_addresses: ['https://vc1/sdk', 'https://vc2/sdk'] } });
    await seedReadApiData(server.ctx);
    running = await listenForTest(server);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await running?.close(1000);
    await server?.close();
  });

  for (const c of CASES) {
    for (const viewport of VIEWPORTS) {
      it(`${c.name} (${c.path}) at ${viewport.width} px`, async () => {
        const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height } });
        const page = await context.newPage();
        const problems = watch(page, running.url, c.status);
        try {
          const response = await page.goto(`${running.url}${c.path}`, { waitUntil: 'networkidle' });
          assert.equal(response?.status(), c.status ?? 200);
          // Everything the page asked for has arrived (stylesheet, favicon).
          await page.waitForLoadState('networkidle');
          const text = await page.innerText('body');
          for (const expected of c.shows) {
            if (typeof expected === 'string') assert.ok(text.includes(expected), `${c.path} shows "${expected}"`);
            else assert.match(text, expected, `${c.path} shows ${expected}`);
          }
          if (c.charts !== undefined) {
            assert.equal(await page.locator('svg.chart').count(), c.charts, 'charts');
            // Each chart names itself to assistive technology.
            const labelled = await page.locator('svg.chart[role="img"] > title').count();
            assert.equal(labelled, c.charts);
          }
          // The stylesheet applied (the header's background), so the page was not styled by luck.
          assert.equal(await page.evaluate<string>("getComputedStyle(document.querySelector('header.site')).backgroundColor"), 'rgb(30, 41, 59)');
          assert.deepEqual(await overflowing(page), [], 'no element makes the page scroll sideways');
          await page.screenshot({ path: join(ARTIFACTS, `${c.name}-${viewport.name}.png`), fullPage: true });
          assert.deepEqual(problems, [], 'no console error, failed request or foreign URL');
        } finally {
          await context.close();
        }
      });
    }
  }
});

/** Console errors, page errors, failed requests, error answers and any URL not on this server. */
function watch(page: Page, origin: string, expectedStatus: number | undefined): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    // The document's own intended error status is logged by Chromium as a failed resource load.
    if (msg.type() === 'error' && !(expectedStatus && msg.text().includes(`status of ${expectedStatus}`))) problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`failed: ${request.url()} (${request.failure()?.errorText})`));
  page.on('request', (request) => {
    if (!request.url().startsWith(`${origin}/`)) problems.push(`foreign URL: ${request.url()}`);
  });
  page.on('response', (response) => {
    const isDocument = response.request().isNavigationRequest();
    if (response.status() >= 400 && !(isDocument && response.status() === expectedStatus)) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return problems;
}

/**
 * Elements reaching past the viewport's right edge that are not inside a scroller of their own
 * (a table's .table-scroll), and whether the document itself scrolls sideways.
 */
async function overflowing(page: Page): Promise<string[]> {
  // Browser code as text: this project's TypeScript has no DOM types.
  return page.evaluate<string[]>(`(() => {
    const width = document.documentElement.clientWidth;
    const found = [];
    if (document.documentElement.scrollWidth > width) found.push('document is ' + document.documentElement.scrollWidth + ' px wide in ' + width + ' px');
    for (const el of document.body.querySelectorAll('*')) {
      if (el.closest('.table-scroll')) continue;
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.right > width + 0.5) found.push('<' + el.tagName.toLowerCase() + ' class="' + (el.getAttribute('class') || '') + '"> ends at ' + Math.round(box.right) + ' px');
    }
    return found.slice(0, 10);
  })()`);
}
