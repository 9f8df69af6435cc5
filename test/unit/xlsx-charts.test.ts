// addNativeCharts on workbooks written by exceljs (regular and streaming writers): the package
// parts, relationships, content types, worksheet element order and chart formulas, read back
// with JSZip. LibreOffice opening the result is test/integration/xlsx-charts-libreoffice.test.ts.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { SaxesParser } from 'saxes';
import { isVctpError } from '../../src/core/errors.js';
import { HOURLY_TOTALS_SHEET, intervalCharts, intervalColumns, type IntervalSheetModel } from '../../src/reports/interval-sheet.js';
import { addNativeCharts, chartRange, type ChartSpec } from '../../src/reports/xlsx-charts.js';
import { TIER_STYLES } from '../../src/server/ui/tiers.js';

const HOURS = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`);
const TOTALS = 'Hourly Totals';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** CT_Worksheet's child sequence (ECMA-376 Part 1, 18.3.1.99). */
const WORKSHEET_ORDER = [
  'sheetPr', 'dimension', 'sheetViews', 'sheetFormatPr', 'cols', 'sheetData', 'sheetCalcPr', 'sheetProtection',
  'protectedRanges', 'scenarios', 'autoFilter', 'sortState', 'dataConsolidate', 'customSheetViews', 'mergeCells',
  'phoneticPr', 'conditionalFormatting', 'dataValidations', 'hyperlinks', 'printOptions', 'pageMargins', 'pageSetup',
  'headerFooter', 'rowBreaks', 'colBreaks', 'customProperties', 'cellWatches', 'ignoredErrors', 'smartTags', 'drawing',
  'legacyDrawing', 'legacyDrawingHF', 'drawingHF', 'picture', 'oleObjects', 'controls', 'webPublishItems', 'tableParts', 'extLst',
];

const lineChart: ChartSpec = {
  sheet: TOTALS,
  anchor: { fromCol: 5, fromRow: 1, toCol: 13, toRow: 16 },
  type: 'line',
  title: 'VMs per hour',
  yAxisTitle: 'VMs',
  series: [{ name: 'VM count', categories: chartRange(TOTALS, 'A2:A25'), values: chartRange(TOTALS, 'B2:B25') }],
};
const columnChart: ChartSpec = {
  sheet: TOTALS,
  anchor: { fromCol: 5, fromRow: 18, toCol: 13, toRow: 34 },
  type: 'column',
  title: 'vCPU & VMs <hourly>',
  series: [
    { name: 'vCPU', categories: "'Hourly Totals'!$A$2:$A$25", values: "'Hourly Totals'!$C$2:$C$25" },
    { name: 'VMs', categories: "'Hourly Totals'!$A$2:$A$25", values: "'Hourly Totals'!$B$2:$B$25" },
  ],
};

let dir: string;
before(async () => void (dir = await mkdtemp(join(tmpdir(), 'vctp-xlsx-charts-'))));
after(async () => rm(dir, { recursive: true, force: true }));

/** A front sheet first (so the totals are not sheet1.xml), then totals with a table, link and data bar. */
async function writeRegular(path: string, options: { image?: boolean } = {}): Promise<void> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('Front').addRow(['Daily report']);
  const ws = wb.addWorksheet(TOTALS);
  ws.addRow(['Hour', 'VMs', 'vCPU']);
  HOURS.forEach((hour, h) => ws.addRow([hour, 100 + h, { formula: `B${h + 2}*2`, result: (100 + h) * 2 }]));
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  ws.autoFilter = 'A1:C1';
  ws.addConditionalFormatting({ ref: 'B2:B25', rules: [{ type: 'dataBar', priority: 1, cfvo: [{ type: 'min' }, { type: 'max' }] } as never] });
  ws.getCell('E1').value = { text: 'docs', hyperlink: 'https://example.com/' };
  ws.addTable({ name: 'Notes', ref: 'P1', columns: [{ name: 'Note' }], rows: [['a'], ['b']] });
  if (options.image) ws.addImage(wb.addImage({ buffer: PNG as never, extension: 'png' }), { tl: { col: 14, row: 1 }, ext: { width: 40, height: 40 } });
  await wb.xlsx.writeFile(path);
}

async function writeStreaming(path: string, useSharedStrings: boolean): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings });
  const front = wb.addWorksheet('Front');
  front.addRow(['Daily report']).commit();
  front.commit();
  const ws = wb.addWorksheet(TOTALS);
  ws.addRow(['Hour', 'VMs', 'vCPU']).commit();
  HOURS.forEach((hour, h) => ws.addRow([hour, 100 + h, (100 + h) * 2]).commit());
  ws.commit();
  await wb.commit();
}

async function open(path: string): Promise<{ zip: JSZip; text: (part: string) => Promise<string> }> {
  const zip = await JSZip.loadAsync(await readFile(path));
  return {
    zip,
    text: async (part) => {
      const file = zip.file(part);
      assert.ok(file, `part ${part} exists`);
      return file.async('string');
    },
  };
}

function rootChildren(xml: string): string[] {
  const names: string[] = [];
  let depth = 0;
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => {
    if (depth === 1) names.push(tag.name.replace(/^.*:/, ''));
    if (!tag.isSelfClosing) depth += 1;
  });
  parser.on('closetag', (tag) => void (tag.isSelfClosing || (depth -= 1)));
  parser.write(xml).close();
  return names;
}

const relsOf = (xml: string) =>
  [...xml.matchAll(/<Relationship Id="([^"]+)" Type="[^"]*\/(\w+)" Target="([^"]+)"/g)].map((m) => ({ id: m[1], type: m[2], target: m[3] ?? '' }));
const all = (xml: string, re: RegExp): string[] => [...xml.matchAll(re)].map((m) => m[1] as string);

/** Checks everything a chart on the totals sheet (xl/worksheets/sheet2.xml) needs; returns the chart parts. */
async function assertChartsOnTotals(path: string, expectedCharts: number): Promise<{ text: (p: string) => Promise<string>; charts: string[] }> {
  const { text } = await open(path);
  const sheet = await text('xl/worksheets/sheet2.xml');
  const order = rootChildren(sheet);
  assert.equal(order.filter((n) => n === 'drawing').length, 1);
  const positions = order.map((n) => WORKSHEET_ORDER.indexOf(n));
  assert.ok(positions.every((p, i) => p >= 0 && (i === 0 || p >= (positions[i - 1] as number))), `CT_Worksheet order: ${order.join(', ')}`);

  const drawingRelId = /<drawing r:id="([^"]+)"\/>/.exec(sheet)?.[1];
  const drawingRel = relsOf(await text('xl/worksheets/_rels/sheet2.xml.rels')).find((r) => r.id === drawingRelId);
  assert.equal(drawingRel?.type, 'drawing');
  const drawingPart = `xl/drawings/${drawingRel.target.replace('../drawings/', '')}`;
  const drawing = await text(drawingPart);
  const chartRels = relsOf(await text(drawingPart.replace('drawings/', 'drawings/_rels/') + '.rels')).filter((r) => r.type === 'chart');
  assert.equal(chartRels.length, expectedCharts);
  assert.deepEqual(all(drawing, /<c:chart [^>]*r:id="([^"]+)"/g), chartRels.map((r) => r.id));
  const shapeIds = all(drawing, /<xdr:cNvPr id="(\d+)"/g);
  assert.equal(new Set(shapeIds).size, shapeIds.length, 'shape ids are unique in the drawing');

  const types = await text('[Content_Types].xml');
  assert.ok(types.includes(`<Override PartName="/${drawingPart}" ContentType="application/vnd.openxmlformats-officedocument.drawing+xml"/>`));
  const charts = chartRels.map((r) => `xl/charts/${r.target.replace('../charts/', '')}`);
  for (const chart of charts) {
    assert.ok(types.includes(`<Override PartName="/${chart}" ContentType="application/vnd.openxmlformats-officedocument.drawingml.chart+xml"/>`));
  }
  return { text, charts };
}

async function assertLineAndColumn(text: (p: string) => Promise<string>, charts: string[]): Promise<void> {
  const [line, column] = await Promise.all(charts.map(text)) as [string, string];
  assert.match(line, /<c:lineChart><c:grouping val="standard"\/>/);
  assert.match(column, /<c:barChart><c:barDir val="col"\/>/);
  for (const chart of [line, column]) {
    // The plot's two axIds come first, then each axis names itself and the axis it crosses.
    const [cat, val] = all(chart, /<c:axId val="(\d+)"\/>/g);
    assert.notEqual(cat, val);
    assert.equal(all(chart, /<c:catAx><c:axId val="(\d+)"/g)[0], cat);
    assert.equal(all(chart, /<c:valAx><c:axId val="(\d+)"/g)[0], val);
    assert.deepEqual(all(chart, /<c:crossAx val="(\d+)"/g), [val, cat]);
    assert.match(chart, /<c:legend>/);
  }
  assert.deepEqual(all(line, /<c:f>([^<]*)<\/c:f>/g), ["'Hourly Totals'!$A$2:$A$25", "'Hourly Totals'!$B$2:$B$25"]);
  assert.deepEqual(all(column, /<c:f>([^<]*)<\/c:f>/g), [
    "'Hourly Totals'!$A$2:$A$25", "'Hourly Totals'!$C$2:$C$25", "'Hourly Totals'!$A$2:$A$25", "'Hourly Totals'!$B$2:$B$25",
  ]);
  assert.deepEqual(all(line, /<c:tx><c:v>([^<]*)<\/c:v>/g), ['VM count']);
  assert.match(line, /<a:t>VMs per hour<\/a:t>.*<c:valAx>.*<a:bodyPr rot="-5400000" vert="horz"\/>.*<a:t>VMs<\/a:t>/);
  assert.match(column, /<a:t>vCPU &amp; VMs &lt;hourly&gt;<\/a:t>/);
  for (const chart of [line, column]) {
    assert.match(chart, /<c:valAx><c:axId val="\d+"\/><c:scaling><c:orientation val="minMax"\/><c:min val="0"\/><\/c:scaling>/, 'value axes start at 0');
  }
  // Caches hold the cells' values: hour labels as text, totals (formula results too) as numbers.
  const strCache = /<c:strCache><c:ptCount val="24"\/>(.*?)<\/c:strCache>/.exec(line)?.[1] ?? '';
  assert.deepEqual(all(strCache, /<c:v>([^<]*)<\/c:v>/g), HOURS);
  const numCaches = all(column, /<c:numCache>(.*?)<\/c:numCache>/g).map((c) => all(c, /<c:v>([^<]*)<\/c:v>/g).map(Number));
  assert.deepEqual(numCaches, [HOURS.map((_, h) => (100 + h) * 2), HOURS.map((_, h) => 100 + h)]);
}

describe('addNativeCharts', () => {
  it('adds a line and a column chart, sharing one drawing, to a regular exceljs workbook', async () => {
    const input = join(dir, 'regular.xlsx');
    const output = join(dir, 'regular-charts.xlsx');
    await writeRegular(input);
    await addNativeCharts(input, output, [lineChart, columnChart]);
    const { text, charts } = await assertChartsOnTotals(output, 2);
    assert.deepEqual(charts, ['xl/charts/chart1.xml', 'xl/charts/chart2.xml']);
    await assertLineAndColumn(text, charts);
    const sheet = await text('xl/worksheets/sheet2.xml');
    assert.match(sheet, /<pageSetup [^>]*\/><drawing r:id="rId\d+"\/><tableParts count="1">/);
    assert.match(sheet, /<cfRule [^>]*>.*<extLst>.*<\/cfRule>/, 'nested extLst kept as it was');
    // exceljs still reads the file and its cells.
    const back = new ExcelJS.Workbook();
    await back.xlsx.readFile(output);
    assert.equal(back.getWorksheet(TOTALS)?.getCell('C25').result, 246);
  });

  for (const useSharedStrings of [false, true]) {
    it(`works on a streaming WorkbookWriter file (useSharedStrings: ${useSharedStrings})`, async () => {
      const input = join(dir, `stream-${useSharedStrings}.xlsx`);
      await writeStreaming(input, useSharedStrings);
      await addNativeCharts(input, input, [lineChart, columnChart]);
      const { text, charts } = await assertChartsOnTotals(input, 2);
      await assertLineAndColumn(text, charts);
      assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.tmp')), [], 'no temp file left');
    });
  }

  it('adds charts to the drawing of a sheet that has an exceljs image', async () => {
    const input = join(dir, 'image.xlsx');
    await writeRegular(input, { image: true });
    await addNativeCharts(input, input, [lineChart, columnChart]);
    const { text, charts } = await assertChartsOnTotals(input, 2);
    await assertLineAndColumn(text, charts);
    const drawing = await text('xl/drawings/drawing1.xml');
    assert.match(drawing, /<xdr:pic>.*<\/xdr:oneCellAnchor><xdr:twoCellAnchor>.*<xdr:twoCellAnchor>/);
    const rels = relsOf(await text('xl/drawings/_rels/drawing1.xml.rels'));
    assert.deepEqual(rels.map((r) => r.type), ['image', 'chart', 'chart']);
  });

  it('puts charts on several sheets, reading data from a sheet whose name has a quote', async () => {
    const wb = new ExcelJS.Workbook();
    const data = wb.addWorksheet("It's data");
    data.addRows([['Day', 'VMs'], ['2026-04-01 to 2026-04-02', 10], ['2026-04-02 to 2026-04-03', 12]]);
    wb.addWorksheet('Charts');
    const input = join(dir, 'quotes.xlsx');
    await wb.xlsx.writeFile(input);
    const series = [{ name: 'VMs', categories: chartRange("It's data", 'A2:A3'), values: chartRange("It's data", 'B2:B3') }];
    const anchor = { fromCol: 0, fromRow: 0, toCol: 6, toRow: 12 };
    await addNativeCharts(input, input, [
      { sheet: 'Charts', anchor, type: 'column', title: 'Days', series },
      { sheet: "It's data", anchor: { ...anchor, fromCol: 3, toCol: 9 }, type: 'line', title: 'Days', series },
    ]);
    const { text } = await open(input);
    for (const [sheet, drawing] of [['sheet1', 'drawing2'], ['sheet2', 'drawing1']]) {
      assert.match(await text(`xl/worksheets/_rels/${sheet}.xml.rels`), new RegExp(`Target="../drawings/${drawing}.xml"`));
    }
    const chart = await text('xl/charts/chart1.xml');
    assert.deepEqual(all(chart, /<c:f>([^<]*)<\/c:f>/g), ["'It''s data'!$A$2:$A$3", "'It''s data'!$B$2:$B$3"]);
    assert.deepEqual(all(chart, /<c:pt idx="\d+"><c:v>([^<]*)<\/c:v>/g), ['2026-04-01 to 2026-04-02', '2026-04-02 to 2026-04-03', '10', '12']);
  });

  it('finds the worksheet through the workbook relationships, whatever its part is called', async () => {
    const input = join(dir, 'renamed.xlsx');
    await writeStreaming(input, false);
    const { zip, text } = await open(input);
    zip.file('xl/worksheets/totals-by-hour.xml', await text('xl/worksheets/sheet2.xml'));
    zip.remove('xl/worksheets/sheet2.xml');
    zip.file('xl/_rels/workbook.xml.rels', (await text('xl/_rels/workbook.xml.rels')).replace('worksheets/sheet2.xml', '/xl/worksheets/totals-by-hour.xml'));
    zip.file('[Content_Types].xml', (await text('[Content_Types].xml')).replace('/xl/worksheets/sheet2.xml', '/xl/worksheets/totals-by-hour.xml'));
    await writeFile(input, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
    await addNativeCharts(input, input, [lineChart]);
    const result = await open(input);
    assert.match(await result.text('xl/worksheets/totals-by-hour.xml'), /<drawing r:id="rId1"\/><\/worksheet>$/);
    assert.match(await result.text('xl/worksheets/_rels/totals-by-hour.xml.rels'), /Target="..\/drawings\/drawing1.xml"/);
  });

  it('copies the parts it does not change byte for byte, still compressed', async () => {
    const input = join(dir, 'passthrough.xlsx');
    const output = join(dir, 'passthrough-charts.xlsx');
    await writeRegular(input);
    await addNativeCharts(input, output, [lineChart]);
    const [original, result] = [zipEntries(await readFile(input)), zipEntries(await readFile(output))];
    for (const part of ['xl/worksheets/sheet1.xml', 'xl/sharedStrings.xml', 'xl/styles.xml', 'xl/theme/theme1.xml']) {
      assert.equal(result.get(part)?.method, 8, `${part} is deflated`);
      assert.ok(result.get(part)?.data.equals(original.get(part)?.data ?? Buffer.alloc(0)), `${part} is copied as-is`);
    }
    assert.ok(!result.get('xl/worksheets/sheet2.xml')?.data.equals(original.get('xl/worksheets/sheet2.xml')?.data ?? Buffer.alloc(0)));
  });

  it('rejects bad specs with one error naming every problem, and writes nothing', async () => {
    const input = join(dir, 'bad.xlsx');
    const output = join(dir, 'bad-charts.xlsx');
    await writeRegular(input);
    const bad: ChartSpec[] = [
      { ...lineChart, sheet: 'Nope' },
      { ...lineChart, anchor: { fromCol: 4, fromRow: 0, toCol: 2, toRow: 5 }, series: [] },
      { ...columnChart, series: [{ name: 'x', categories: 'Hourly Totals!A2:A25', values: "'Hourly Totals'!B2:C25" }] },
      { ...columnChart, series: [{ name: 'x', categories: "'Missing'!A2:A25", values: "'Hourly Totals'!B2:B24" }] },
      { ...lineChart, series: [{ ...lineChart.series[0]!, tier: 'platinum' as never }] },
    ];
    await assert.rejects(addNativeCharts(input, output, bad), (error: unknown) => {
      assert.ok(isVctpError(error) && error.code === 'internal');
      for (const expected of [
        /chart 1 \("VMs per hour" on "Nope"\): no worksheet named "Nope" \(sheets: "Front", "Hourly Totals"\)/,
        /chart 2 .*: anchor .* is not a zero-based top-left to bottom-right cell box/,
        /chart 2 .*: has no series/,
        /chart 3 .*: series 1 categories: .*must be quoted, as in 'Hourly Totals'!/,
        /chart 3 .*: series 1 values: .* is not a single row or column/,
        /chart 4 .*: series 1 categories: "'Missing'!A2:A25" names no worksheet/,
        /chart 5 .*: series 1: tier "platinum" is none of tin, bronze, silver, gold, untiered/,
      ]) assert.match(error.message, expected);
      return true;
    });
    await assert.rejects(stat(output), { code: 'ENOENT' });
  });
});

/** Each c:ser of a chart part: name, whether it has c:spPr, and the colours and dash in it. */
function seriesStyles(chart: string) {
  return all(chart, /<c:ser>(.*?)<\/c:ser>/g).map((ser) => ({
    name: /<c:tx><c:v>([^<]*)<\/c:v><\/c:tx>/.exec(ser)?.[1],
    // c:spPr right after c:tx (CT_LineSer / CT_BarSer order), before marker or invertIfNegative.
    spPr: /<\/c:tx><c:spPr>(.*?)<\/c:spPr><c:(marker|invertIfNegative)>/.exec(ser)?.[1],
    line: /<c:spPr><a:ln w="\d+"><a:solidFill><a:srgbClr val="(\w+)"\/><\/a:solidFill><a:prstDash val="(\w+)"\/><\/a:ln><\/c:spPr>/.exec(ser)?.slice(1),
    marker: /<c:marker>.*<c:spPr><a:solidFill><a:srgbClr val="(\w+)"\/><\/a:solidFill><a:ln [^>]*><a:solidFill><a:srgbClr val="(\w+)"\/>.*<\/c:marker>/.exec(ser)?.slice(1),
    bar: /<c:spPr><a:solidFill><a:srgbClr val="(\w+)"\/><\/a:solidFill><\/c:spPr><c:invertIfNegative/.exec(ser)?.[1],
  }));
}

describe('tier colours in the interval charts', () => {
  // The UI's palette (src/core/tier-colours.ts through src/server/ui/tiers.ts), as DrawingML writes it.
  const UI_DASH: Record<string, string> = { solid: 'solid', '7 4': 'dash', '2 3': 'sysDot' };
  const uiTiers = TIER_STYLES.map((s) => ({ name: s.label, rgb: s.colour.slice(1).toUpperCase(), dash: UI_DASH[s.dash ?? 'solid'] }));

  it('the palette is the one the UI shows', () => {
    assert.deepEqual(uiTiers, [
      { name: 'Tin', rgb: '4F7A94', dash: 'solid' },
      { name: 'Bronze', rgb: 'A0592A', dash: 'solid' },
      { name: 'Silver', rgb: '6E7885', dash: 'dash' },
      { name: 'Gold', rgb: 'B08000', dash: 'solid' },
      { name: 'No tier', rgb: '8E4FA8', dash: 'sysDot' },
    ]);
  });

  it('stacks the tiers of a report\'s charts, each in its tier colour, other series in theme colours; a sized anchor has its extent', async () => {
    const model: IntervalSheetModel = {
      sheet: HOURLY_TOTALS_SHEET, labelHeader: 'Hour', sourceHeader: 'Snapshot', sourceKind: 'text', rows: [], blockLength: 24, unit: 'hour',
    };
    const contents = intervalCharts(model);
    assert.deepEqual(contents.map((c) => c.series.map((s) => s.tier ?? null)), [['tin', 'bronze', 'silver', 'gold', 'untiered'], [null], [null]]);
    assert.deepEqual(contents.map((c) => [c.type, c.stacked ?? false]), [['column', true], ['column', false], ['column', false]]);
    const specs = contents.map((c, i) => ({ ...c, sheet: HOURLY_TOTALS_SHEET, anchor: { fromCol: 20, fromRow: 20 * i, widthPt: 648, heightPt: 432 } }));

    const input = join(dir, 'interval.xlsx');
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: input, useSharedStrings: true });
    const ws = wb.addWorksheet(HOURLY_TOTALS_SHEET);
    ws.addRow(intervalColumns(model).map((c) => c.header)).commit();
    HOURS.forEach((hour, h) => ws.addRow([hour, 'all', null, null, 'snap', ...Array.from({ length: 13 }, (_, i) => 10 * i + h)]).commit());
    ws.commit();
    await wb.commit();
    await addNativeCharts(input, input, specs);

    const { text } = await open(input);
    const [tiers, vcpu, ram] = (await Promise.all(['xl/charts/chart1.xml', 'xl/charts/chart2.xml', 'xl/charts/chart3.xml'].map(text))).map(seriesStyles) as [
      ReturnType<typeof seriesStyles>, ReturnType<typeof seriesStyles>, ReturnType<typeof seriesStyles>,
    ];
    assert.deepEqual(tiers.map((s) => [s.name, s.bar]), uiTiers.map((t) => [t.name, t.rgb]), 'each tier stacked in its colour');
    for (const s of [...vcpu, ...ram]) assert.equal(s.spPr, undefined, `${s.name} keeps its theme colour`);
    const stacked = await text('xl/charts/chart1.xml');
    assert.match(stacked, /<c:grouping val="stacked"\/>.*<c:overlap val="100"\/>/, 'stacked bars overlap whole');
    const drawing = await text('xl/drawings/drawing1.xml');
    assert.equal(all(drawing, /<xdr:oneCellAnchor>.*?<xdr:ext cx="(\d+)" cy="(\d+)"\/>/g).length, 3);
    assert.match(drawing, /<xdr:ext cx="8229600" cy="5486400"\/>/, '9 x 6 in in EMU');
  });

  it('fills each tier bar of a column chart with its tier colour', async () => {
    const input = join(dir, 'tier-bars.xlsx');
    await writeStreaming(input, false);
    const categories = chartRange(TOTALS, 'A2:A25');
    const values = chartRange(TOTALS, 'B2:B25');
    await addNativeCharts(input, input, [{
      ...columnChart,
      series: [{ name: 'VMs', categories, values }, ...TIER_STYLES.map((s) => ({ name: s.label, categories, values, tier: s.key }))],
    }]);
    const bars = seriesStyles(await (await open(input)).text('xl/charts/chart1.xml'));
    assert.deepEqual(bars.map((s) => [s.name, s.bar ?? null, s.line ?? null]), [
      ['VMs', null, null], ...uiTiers.map((t) => [t.name, t.rgb, null]),
    ]);
  });
});

/** Name → compression method and raw (still compressed) bytes, from the zip's central directory. */
function zipEntries(zip: Buffer): Map<string, { method: number; data: Buffer }> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const entries = new Map<string, { method: number; data: Buffer }>();
  let at = zip.readUInt32LE(eocd + 16);
  for (let n = zip.readUInt16LE(eocd + 10); n > 0; n -= 1) {
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    entries.set(name, { method: zip.readUInt16LE(at + 10), data: zip.subarray(start, start + zip.readUInt32LE(at + 20)) });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}
