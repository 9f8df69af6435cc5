// The pure pieces of xlsx-charts: sheet-name quoting and range parsing, where <drawing> goes in a
// worksheet, reading cell values for the chart caches, and the series of a chart part (their
// colours and the schema order of their children).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SaxesParser } from 'saxes';
import { chartSpaceXml, type PointCache, type SeriesXml } from '../../src/reports/drawingml-chart.js';
import { cellValue, chartRange, formatRange, parseRange, quoteSheetName, readCells, readSharedStrings, cellKey } from '../../src/reports/drawingml-cells.js';
import { addContentTypeOverrides, nextRelationshipId, relativeTarget, resolveTarget } from '../../src/reports/drawingml-opc.js';
import { insertSheetDrawing, sheetDrawingSlot } from '../../src/reports/drawingml-part-xml.js';

const WS = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">';

describe('sheet names and ranges in chart formulas', () => {
  it('quotes sheet names the way Excel needs them', () => {
    assert.equal(quoteSheetName('Totals'), 'Totals');
    assert.equal(quoteSheetName('Daily_Totals.v2'), 'Daily_Totals.v2');
    assert.equal(quoteSheetName('Hourly Totals'), "'Hourly Totals'");
    assert.equal(quoteSheetName("It's"), "'It''s'");
    assert.equal(quoteSheetName('2026-04'), "'2026-04'");
    assert.equal(quoteSheetName('AB12'), "'AB12'"); // would read as a cell
    assert.equal(quoteSheetName('R1C1'), "'R1C1'");
    assert.equal(quoteSheetName('Übersicht'), "'Übersicht'");
  });
  it('builds absolute ranges with chartRange', () => {
    assert.equal(chartRange('Hourly Totals', 'A2:A25'), "'Hourly Totals'!$A$2:$A$25");
    assert.equal(chartRange("It's", '$c$3'), "'It''s'!$C$3");
    assert.equal(chartRange('Data', 'AA10:AB10'), 'Data!$AA$10:$AB$10');
  });
  it('parses quoted and plain references, and round-trips them', () => {
    assert.deepEqual(parseRange("'It''s here'!$B$2:$B$25"), { sheet: "It's here", firstCol: 1, firstRow: 1, lastCol: 1, lastRow: 24 });
    assert.deepEqual(parseRange('Totals!C25:C2'), { sheet: 'Totals', firstCol: 2, firstRow: 1, lastCol: 2, lastRow: 24 });
    const range = parseRange("'Hourly Totals'!XFD1048576");
    assert.ok(typeof range !== 'string');
    assert.equal(formatRange(range), "'Hourly Totals'!$XFD$1048576");
  });
  it('explains what is wrong with a bad reference', () => {
    assert.match(parseRange('Hourly Totals!A1:A2') as string, /must be quoted, as in 'Hourly Totals'/);
    assert.match(parseRange('A1:A2') as string, /is not a cell range/);
    assert.match(parseRange("'Totals'!A0") as string, /outside the worksheet grid/);
    assert.match(parseRange("'Totals'!XFE1") as string, /outside the worksheet grid/);
  });
});

describe('where <drawing> goes in a worksheet (CT_Worksheet order)', () => {
  const withDrawing = (xml: string): string => insertSheetDrawing(xml, sheetDrawingSlot(xml, 'sheet.xml'), 'rId9');
  it('after pageMargins/pageSetup/headerFooter/rowBreaks, at the end when nothing follows', () => {
    const xml = `<?xml version="1.0"?>${WS}<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData><pageMargins left="0.7"/><pageSetup/><headerFooter><oddHeader>&amp;C&gt;x</oddHeader></headerFooter><rowBreaks count="0"/></worksheet>`;
    assert.equal(withDrawing(xml), xml.replace('</worksheet>', '<drawing r:id="rId9"/></worksheet>'));
  });
  it('before legacyDrawing, tableParts and extLst, ignoring an extLst nested in conditional formatting', () => {
    const cf = '<conditionalFormatting sqref="B2:B9"><cfRule type="dataBar" priority="1"><extLst><ext uri="{B025F937}"/></extLst></cfRule></conditionalFormatting>';
    const xml = `${WS}<sheetData/>${cf}<pageMargins left="0.7"/><legacyDrawing r:id="rId1"/><tableParts count="1"><tablePart r:id="rId2"/></tableParts><extLst/></worksheet>`;
    assert.equal(withDrawing(xml), xml.replace('<legacyDrawing', '<drawing r:id="rId9"/><legacyDrawing'));
    const tables = `${WS}<sheetData></sheetData><tableParts count="1"><tablePart r:id="rId2"/></tableParts><extLst/></worksheet>`;
    assert.equal(withDrawing(tables), tables.replace('<tableParts', '<drawing r:id="rId9"/><tableParts'));
  });
  it('is not fooled by ">" in attribute values, comments or cell text', () => {
    const xml = `${WS}<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lt;tableParts/&gt;</t></is></c></row></sheetData><hyperlinks><hyperlink ref="A1" tooltip="a > b" r:id="rId1"/></hyperlinks><!-- <extLst/> --><pageMargins left="0.7"/><extLst/></worksheet>`;
    assert.equal(withDrawing(xml), xml.replace('<extLst/></worksheet>', '<drawing r:id="rId9"/><extLst/></worksheet>'));
  });
  it('uses the root prefix and declares r: when the root does not', () => {
    const xml = '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData/><x:pageMargins left="1"/></x:worksheet>';
    assert.equal(
      withDrawing(xml),
      xml.replace('</x:worksheet>', '<x:drawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId9"/></x:worksheet>'),
    );
  });
  it('reports a drawing the sheet already has', () => {
    const xml = `${WS}<sheetData/><pageMargins left="0.7"/><drawing r:id="rId4"/><tableParts count="0"/></worksheet>`;
    assert.equal(sheetDrawingSlot(xml, 'sheet.xml').existingRelId, 'rId4');
    assert.equal(sheetDrawingSlot(`${WS}<sheetData/></worksheet>`, 'sheet.xml').existingRelId, undefined);
  });
});

describe('cell values for the chart caches', () => {
  const sheet =
    `${WS}<sheetData><row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1"><v>1.5</v></c></row>` +
    '<row r="2"><c r="A2" t="inlineStr"><is><r><t>ri</t></r><r><t xml:space="preserve">ch &amp; </t></r></is></c><c r="B2" t="e"><v>#DIV/0!</v></c></row>' +
    '<row r="3"><c r="A3" t="str"><f>"x"</f><v>formula text</v></c><c r="B3"><f>B1*2</f><v>3</v></c></row>' +
    '<row r="4"><c t="b"><v>1</v></c><c><v>7</v></c></row>' + // positions implied by order
    '<row r="9"><c r="A9"><v>99</v></c></row></sheetData></worksheet>';
  it('reads shared, inline (rich), formula and boolean cells, and leaves errors out', () => {
    const range = parseRange('S!A1:B4');
    assert.ok(typeof range !== 'string');
    const cells = readCells(sheet, [range]);
    const strings = readSharedStrings('<sst><si><t>zero</t></si><si><r><t>sh</t></r><r><t>ared</t></r><rPh><t>phonetic</t></rPh></si></sst>', new Set([1]));
    assert.deepEqual([...strings], [[1, 'shared']]);
    const at = (col: number, row: number) => cellValue(cells.get(cellKey(col, row)), strings);
    assert.deepEqual(at(0, 0), { kind: 'string', text: 'shared' });
    assert.deepEqual(at(1, 0), { kind: 'number', text: '1.5' });
    assert.deepEqual(at(0, 1), { kind: 'string', text: 'rich & ' });
    assert.equal(at(1, 1), undefined);
    assert.deepEqual(at(0, 2), { kind: 'string', text: 'formula text' });
    assert.deepEqual(at(1, 2), { kind: 'number', text: '3' });
    assert.deepEqual(at(0, 3), { kind: 'number', text: '1' });
    assert.deepEqual(at(1, 3), { kind: 'number', text: '7' });
    assert.equal(cells.has(cellKey(0, 8)), false); // outside the range
  });
});

describe('package bookkeeping', () => {
  it('resolves and writes relationship targets', () => {
    assert.equal(resolveTarget('xl/worksheets/sheet1.xml', '../drawings/drawing1.xml'), 'xl/drawings/drawing1.xml');
    assert.equal(resolveTarget('xl/workbook.xml', '/xl/worksheets/s.xml'), 'xl/worksheets/s.xml');
    assert.equal(resolveTarget('', 'xl/workbook.xml'), 'xl/workbook.xml');
    assert.equal(relativeTarget('xl/drawings/drawing1.xml', 'xl/charts/chart3.xml'), '../charts/chart3.xml');
    assert.equal(relativeTarget('xl/worksheets/sheet1.xml', 'xl/worksheets/x.xml'), 'x.xml');
  });
  it('picks relationship ids that are not taken', () => {
    assert.equal(nextRelationshipId([]), 'rId1');
    assert.equal(nextRelationshipId([{ Id: 'rId2', Type: '', Target: '' }, { Id: 'custom', Type: '', Target: '' }]), 'rId3');
  });
  it('adds content-type overrides once, keeping what is there', () => {
    const xml = '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/charts/chart1.xml" ContentType="c"/></Types>';
    const out = addContentTypeOverrides(xml, new Map([['xl/charts/chart1.xml', 'c'], ['xl/drawings/drawing1.xml', 'd']]));
    assert.equal((out.match(/chart1\.xml/g) ?? []).length, 1);
    assert.match(out, /<Default Extension="xml" ContentType="application\/xml"\/><Override PartName="\/xl\/charts\/chart1.xml" ContentType="c"\/><Override PartName="\/xl\/drawings\/drawing1.xml" ContentType="d"\/><\/Types>$/);
  });
});

/** One c:ser: its name, the local names of its children in order, and the colours set in it. */
interface ParsedSeries {
  name: string;
  children: string[];
  /** c:ser/c:spPr: the fill (bars) and the line (lines): colour, width and dash. */
  fill?: string | undefined;
  line?: { colour: string | undefined; width: string | undefined; dash: string | undefined } | undefined;
  /** c:ser/c:marker/c:spPr: fill and outline colour. */
  marker?: { fill: string | undefined; line: string | undefined } | undefined;
}

/** Parses a chart part with namespaces checked (an undeclared a: prefix is an error). */
function chartSeries(xml: string): ParsedSeries[] {
  const out: ParsedSeries[] = [];
  const stack: string[] = [];
  let current: ParsedSeries | undefined;
  const parser = new SaxesParser({ xmlns: true });
  parser.on('opentag', (tag) => {
    const path = [...stack, tag.name].join('/');
    const attr = (name: string): string | undefined => tag.attributes[name]?.value;
    if (tag.name === 'c:ser') current = { name: '', children: [] };
    else if (current && stack.at(-1) === 'c:ser') current.children.push(tag.local);
    if (current) {
      const inSer = path.slice(path.lastIndexOf('c:ser/') + 'c:ser/'.length);
      if (inSer === 'c:spPr/a:solidFill/a:srgbClr') current.fill = attr('val');
      if (inSer === 'c:spPr/a:ln') current.line = { colour: undefined, width: attr('w'), dash: undefined };
      if (inSer === 'c:spPr/a:ln/a:solidFill/a:srgbClr' && current.line) current.line.colour = attr('val');
      if (inSer === 'c:spPr/a:ln/a:prstDash' && current.line) current.line.dash = attr('val');
      if (inSer === 'c:marker/c:spPr') current.marker = { fill: undefined, line: undefined };
      if (inSer === 'c:marker/c:spPr/a:solidFill/a:srgbClr' && current.marker) current.marker.fill = attr('val');
      if (inSer === 'c:marker/c:spPr/a:ln/a:solidFill/a:srgbClr' && current.marker) current.marker.line = attr('val');
    }
    stack.push(tag.name);
  });
  parser.on('text', (text) => {
    if (current && stack.slice(-3).join('/') === 'c:ser/c:tx/c:v') current.name += text;
  });
  parser.on('closetag', (tag) => {
    stack.pop();
    if (tag.name === 'c:ser' && current) {
      out.push(current);
      current = undefined;
    }
  });
  parser.write(xml).close();
  return out;
}

/** CT_LineSer and CT_BarSer child sequences (ECMA-376 Part 1, 21.2.2.98 and 21.2.2.17). */
const LINE_SER_ORDER = ['idx', 'order', 'tx', 'spPr', 'marker', 'dPt', 'dLbls', 'trendline', 'errBars', 'cat', 'val', 'smooth', 'extLst'];
const BAR_SER_ORDER = ['idx', 'order', 'tx', 'spPr', 'invertIfNegative', 'pictureOptions', 'dPt', 'dLbls', 'trendline', 'errBars', 'cat', 'val', 'shape', 'extLst'];

function assertSchemaOrder(children: readonly string[], order: readonly string[], what: string): void {
  const positions = children.map((c) => order.indexOf(c));
  assert.ok(positions.every((p, i) => p >= 0 && (i === 0 || p > (positions[i - 1] as number))), `${what}: ${children.join(', ')}`);
}

describe('series colours in a chart part', () => {
  const cache = (kind: PointCache['kind']): PointCache => ({ kind, count: 2, points: [[0, kind === 'num' ? '1' : 'a'], [1, kind === 'num' ? '2' : 'b']] });
  const series = (name: string, style?: SeriesXml['style']): SeriesXml => ({
    name,
    categories: { formula: 'S!$A$2:$A$3', cache: cache('str') },
    values: { formula: 'S!$B$2:$B$3', cache: cache('num') },
    style,
  });
  const input = [series('Plain'), series('Dashed', { rgb: '6E7885', dash: 'dash' }), series('Dotted', { rgb: '8E4FA8', dash: 'dot' }), series('Solid', { rgb: '4F7A94', dash: 'solid' })];

  it('gives a styled line its colour, width and dash, and its markers the colour, in CT_LineSer order', () => {
    const parsed = chartSeries(chartSpaceXml({ type: 'line', title: 't', series: input }));
    assert.deepEqual(parsed.map((s) => s.name), ['Plain', 'Dashed', 'Dotted', 'Solid']);
    for (const s of parsed) assertSchemaOrder(s.children, LINE_SER_ORDER, s.name);
    assert.deepEqual(parsed[0], { name: 'Plain', children: ['idx', 'order', 'tx', 'marker', 'cat', 'val', 'smooth'] }, 'an unstyled series is left to the theme');
    const styled = parsed.slice(1).map((s) => [s.line, s.marker, s.fill]);
    assert.deepEqual(styled, [
      [{ colour: '6E7885', width: '28575', dash: 'dash' }, { fill: '6E7885', line: '6E7885' }, undefined],
      [{ colour: '8E4FA8', width: '28575', dash: 'sysDot' }, { fill: '8E4FA8', line: '8E4FA8' }, undefined],
      [{ colour: '4F7A94', width: '28575', dash: 'solid' }, { fill: '4F7A94', line: '4F7A94' }, undefined],
    ]);
    assert.deepEqual(parsed[1]?.children, ['idx', 'order', 'tx', 'spPr', 'marker', 'cat', 'val', 'smooth']);
  });

  it('fills a styled bar with its colour, in CT_BarSer order', () => {
    const parsed = chartSeries(chartSpaceXml({ type: 'column', title: 't', series: input }));
    for (const s of parsed) assertSchemaOrder(s.children, BAR_SER_ORDER, s.name);
    assert.deepEqual(parsed[0], { name: 'Plain', children: ['idx', 'order', 'tx', 'invertIfNegative', 'cat', 'val'] });
    assert.deepEqual(parsed.slice(1).map((s) => [s.children, s.fill, s.line, s.marker]), [
      [['idx', 'order', 'tx', 'spPr', 'invertIfNegative', 'cat', 'val'], '6E7885', undefined, undefined],
      [['idx', 'order', 'tx', 'spPr', 'invertIfNegative', 'cat', 'val'], '8E4FA8', undefined, undefined],
      [['idx', 'order', 'tx', 'spPr', 'invertIfNegative', 'cat', 'val'], '4F7A94', undefined, undefined],
    ]);
  });

  it('declares the a: namespace its colours use on the chart space', () => {
    const xml = chartSpaceXml({ type: 'line', title: '', series: input });
    assert.match(xml, /<c:chartSpace [^>]*xmlns:a="http:\/\/schemas.openxmlformats.org\/drawingml\/2006\/main"/);
  });
});
