// Charts added by addNativeCharts survive a real spreadsheet program: LibreOffice opens the file,
// keeps both charts as chart objects over the same cell ranges (ODS), with the tier series in
// their tier colours (src/core/tier-colours.ts), and draws them (PDF).
// Needs soffice (libreoffice-calc-nogui) and pdftoppm/pdftotext (poppler-utils).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { SaxesParser } from 'saxes';
import { addNativeCharts, chartRange } from '../../src/reports/xlsx-charts.js';
import { convertWithLibreOffice } from '../helpers/libreoffice.js';

const run = promisify(execFile);
const HOURLY = 'Hourly Totals';
const DAILY = 'Daily Totals';

let dir: string;
let xlsx: string;
let pdfPath: Promise<string> | undefined;
/** The workbook as PDF, converted once for the tests that look at it. */
const pdf = (): Promise<string> => (pdfPath ??= convertWithLibreOffice(xlsx, 'pdf', dir));

/** Like a daily and a monthly report: written with the streaming writer, charts added after. */
async function writeWorkbook(path: string): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true });
  const hourly = wb.addWorksheet(HOURLY);
  hourly.addRow(['Hour', 'VMs', 'vCPU', 'Gold', 'No tier']).commit();
  for (let h = 0; h < 24; h += 1) {
    hourly.addRow([`${String(h).padStart(2, '0')}:00`, 40 + Math.round(10 * Math.sin(h / 4)), 90 + 3 * h, 60 + h, 20 + (h % 5)]).commit();
  }
  hourly.commit();
  const daily = wb.addWorksheet(DAILY);
  daily.addRow(['Day', 'VMs']).commit();
  for (let d = 1; d <= 30; d += 1) {
    const day = (n: number) => `2026-04-${String(n).padStart(2, '0')}`;
    daily.addRow([`${day(d)} to ${d === 30 ? '2026-05-01' : day(d + 1)}`, 50 + (d % 7)]).commit();
  }
  daily.commit();
  await wb.commit();
  await addNativeCharts(path, path, [
    {
      sheet: HOURLY,
      anchor: { fromCol: 0, fromRow: 26, toCol: 8, toRow: 44 },
      type: 'line',
      title: 'Hourly totals',
      yAxisTitle: 'Count',
      series: [
        { name: 'VMs', categories: chartRange(HOURLY, 'A2:A25'), values: chartRange(HOURLY, 'B2:B25') },
        { name: 'vCPU', categories: chartRange(HOURLY, 'A2:A25'), values: chartRange(HOURLY, 'C2:C25') },
        { name: 'Gold', categories: chartRange(HOURLY, 'A2:A25'), values: chartRange(HOURLY, 'D2:D25'), tier: 'gold' },
        { name: 'No tier', categories: chartRange(HOURLY, 'A2:A25'), values: chartRange(HOURLY, 'E2:E25'), tier: 'untiered' },
      ],
    },
    {
      sheet: DAILY,
      anchor: { fromCol: 3, fromRow: 1, toCol: 12, toRow: 20 },
      type: 'column',
      title: 'VMs per day',
      series: [{ name: 'VMs', categories: chartRange(DAILY, 'A2:A31'), values: chartRange(DAILY, 'B2:B31') }],
    },
  ]);
}

interface Element {
  name: string;
  attrs: Record<string, string>;
}

function elements(xml: string): Element[] {
  const out: Element[] = [];
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => void out.push({ name: tag.name, attrs: tag.attributes as Record<string, string> }));
  parser.write(xml).close();
  return out;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vctp-xlsx-charts-lo-'));
  xlsx = join(dir, 'report.xlsx');
  await writeWorkbook(xlsx);
});
after(async () => rm(dir, { recursive: true, force: true }));

describe('native charts opened by LibreOffice', () => {
  it('keep their type and cell ranges when converted to ODS', async () => {
    const ods = await JSZip.loadAsync(await readFile(await convertWithLibreOffice(xlsx, 'ods', dir)));
    const content = await ods.file('content.xml')?.async('string');
    assert.ok(content !== undefined);
    // Which sheet each embedded object sits on.
    const objectsBySheet = new Map<string, string[]>();
    let table = '';
    for (const el of elements(content)) {
      if (el.name === 'table:table') table = el.attrs['table:name'] ?? '';
      const href = el.attrs['xlink:href'];
      if (el.name === 'draw:object' && href !== undefined) objectsBySheet.set(table, [...(objectsBySheet.get(table) ?? []), href.replace(/^\.\//, '')]);
    }
    assert.deepEqual([...objectsBySheet.keys()], [HOURLY, DAILY]);

    const chart = async (sheet: string) => {
      const objects = objectsBySheet.get(sheet) ?? [];
      assert.equal(objects.length, 1, `one chart on ${sheet}`);
      const xml = await ods.file(`${objects[0]}/content.xml`)?.async('string');
      assert.ok(xml !== undefined);
      const els = elements(xml);
      // Each series' line: colour and whether it is dashed, from its automatic style.
      const graphics = new Map<string, Record<string, string>>();
      let style = '';
      for (const el of els) {
        if (el.name === 'style:style') style = el.attrs['style:name'] ?? '';
        if (el.name === 'style:graphic-properties') graphics.set(style, el.attrs);
      }
      const lines = els.filter((e) => e.name === 'chart:series').map((e) => {
        const g = graphics.get(e.attrs['chart:style-name'] ?? '') ?? {};
        return [e.attrs['loext:label-string'], g['svg:stroke-color'], g['draw:stroke'] ?? 'solid'];
      });
      return {
        lines,
        class: els.find((e) => e.name === 'chart:chart')?.attrs['chart:class'],
        series: els.filter((e) => e.name === 'chart:series').map((e) => [e.attrs['chart:values-cell-range-address'], e.attrs['loext:label-string']]),
        categories: els.find((e) => e.name === 'chart:categories')?.attrs['table:cell-range-address'],
      };
    };
    const { lines, ...hourly } = await chart(HOURLY);
    assert.deepEqual(hourly, {
      class: 'chart:line',
      series: [
        ["'Hourly Totals'.B2:'Hourly Totals'.B25", '"VMs"'],
        ["'Hourly Totals'.C2:'Hourly Totals'.C25", '"vCPU"'],
        ["'Hourly Totals'.D2:'Hourly Totals'.D25", '"Gold"'],
        ["'Hourly Totals'.E2:'Hourly Totals'.E25", '"No tier"'],
      ],
      categories: "'Hourly Totals'.A2:'Hourly Totals'.A25",
    });
    // The tiers in their colours, No tier dotted; the other series in the theme's colours.
    assert.deepEqual(lines.slice(2), [['"Gold"', '#b08000', 'solid'], ['"No tier"', '#8e4fa8', 'dash']]);
    for (const [name, colour] of lines.slice(0, 2)) assert.ok(!['#b08000', '#8e4fa8'].includes(colour ?? ''), `${name} is ${colour}`);
    const { lines: _, ...daily } = await chart(DAILY);
    assert.deepEqual(daily, {
      class: 'chart:bar',
      series: [["'Daily Totals'.B2:'Daily Totals'.B31", '"VMs"']],
      categories: "'Daily Totals'.A2:'Daily Totals'.A31",
    });
  });

  it('draw the line chart under the data on page 1 of the PDF', async () => {
    const { stdout: text } = await run('pdftotext', ['-f', '1', '-l', '1', '-layout', await pdf(), '-']);
    assert.match(text, /23:00/); // the data
    assert.match(text, /Hourly totals/); // the chart's title, legend and axis title
    assert.match(text, /VMs\s+vCPU\s+Gold\s+No tier/);
    assert.match(text, /Count/);
    // The series lines are the only coloured ink on the page (the cells print black).
    await run('pdftoppm', ['-f', '1', '-l', '1', '-r', '40', '-singlefile', await pdf(), join(dir, 'page1')]);
    const ppm = await readFile(join(dir, 'page1.ppm'));
    const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.toString('latin1', 0, 40));
    assert.ok(header, 'pdftoppm wrote a binary PPM');
    let coloured = 0;
    for (let i = header[0].length; i + 2 < ppm.length; i += 3) {
      const [r, g, b] = [ppm[i] as number, ppm[i + 1] as number, ppm[i + 2] as number];
      if (Math.max(r, g, b) - Math.min(r, g, b) > 80) coloured += 1;
    }
    assert.ok(coloured > 300, `coloured pixels on page 1: ${coloured}`);
  });

  it('draw the Gold line in the tier colour', async () => {
    // 100 dpi: the 2.25 pt line is 3 px wide, so its middle is drawn in the colour itself.
    await run('pdftoppm', ['-f', '1', '-l', '1', '-r', '100', '-singlefile', await pdf(), join(dir, 'page1-100')]);
    const ppm = await readFile(join(dir, 'page1-100.ppm'));
    const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.toString('latin1', 0, 40));
    assert.ok(header, 'pdftoppm wrote a binary PPM');
    const near = (rgb: readonly number[], i: number) => rgb.every((c, k) => Math.abs((ppm[i + k] as number) - c) <= 12);
    let gold = 0;
    for (let i = header[0].length; i + 2 < ppm.length; i += 3) if (near([0xb0, 0x80, 0x00], i)) gold += 1;
    assert.ok(gold > 500, `pixels of Gold's #b08000 on page 1: ${gold}`);
  });
});
