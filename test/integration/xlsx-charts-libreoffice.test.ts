// Charts added by addNativeCharts survive a real spreadsheet program: LibreOffice opens the file,
// keeps both charts as chart objects over the same cell ranges (ODS), and draws them (PDF).
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

/** Like a daily and a monthly report: written with the streaming writer, charts added after. */
async function writeWorkbook(path: string): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true });
  const hourly = wb.addWorksheet(HOURLY);
  hourly.addRow(['Hour', 'VMs', 'vCPU']).commit();
  for (let h = 0; h < 24; h += 1) hourly.addRow([`${String(h).padStart(2, '0')}:00`, 40 + Math.round(10 * Math.sin(h / 4)), 90 + 3 * h]).commit();
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
      return {
        class: els.find((e) => e.name === 'chart:chart')?.attrs['chart:class'],
        series: els.filter((e) => e.name === 'chart:series').map((e) => [e.attrs['chart:values-cell-range-address'], e.attrs['loext:label-string']]),
        categories: els.find((e) => e.name === 'chart:categories')?.attrs['table:cell-range-address'],
      };
    };
    assert.deepEqual(await chart(HOURLY), {
      class: 'chart:line',
      series: [["'Hourly Totals'.B2:'Hourly Totals'.B25", '"VMs"'], ["'Hourly Totals'.C2:'Hourly Totals'.C25", '"vCPU"']],
      categories: "'Hourly Totals'.A2:'Hourly Totals'.A25",
    });
    assert.deepEqual(await chart(DAILY), {
      class: 'chart:bar',
      series: [["'Daily Totals'.B2:'Daily Totals'.B31", '"VMs"']],
      categories: "'Daily Totals'.A2:'Daily Totals'.A31",
    });
  });

  it('draw the line chart under the data on page 1 of the PDF', async () => {
    const pdf = await convertWithLibreOffice(xlsx, 'pdf', dir);
    const { stdout: text } = await run('pdftotext', ['-f', '1', '-l', '1', '-layout', pdf, '-']);
    assert.match(text, /23:00/); // the data
    assert.match(text, /Hourly totals/); // the chart's title, legend and axis title
    assert.match(text, /VMs\s+vCPU/);
    assert.match(text, /Count/);
    // The series lines are the only coloured ink on the page (the cells print black).
    await run('pdftoppm', ['-f', '1', '-l', '1', '-r', '40', '-singlefile', pdf, join(dir, 'page1')]);
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
});
