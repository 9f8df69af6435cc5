// Native Excel charts for the workbooks exceljs writes (exceljs has no chart support): after the
// workbook is written, this adds DrawingML chart parts to the package, so each chart lives in the
// file and follows its cells. See drawingml-*.ts for the XML itself.
//
// Big files: parts we do not change are copied still compressed (JSZip passes a loaded entry's
// deflate stream through when the output compression is the same), so the 50 MB VM sheet of a
// 40,000-VM workbook costs nothing while the charts sit on and read from the totals sheets
// (~0.1-0.6 s, +15 MB). Only the sheets a chart is drawn on or reads from are inflated (by JSZip's
// JavaScript inflate): reading 20 rows of the VM sheet costs ~1.5 s and ~160 MB, drawing on it
// ~6-12 s and ~290 MB, as it must be deflated again too. Keep charts off the VM sheet.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import JSZip from 'jszip';
import { VctpError } from '../core/errors.js';
import { TIER_COLOURS, isTierColourKey, type TierColourKey } from '../core/tier-colours.js';
import {
  cellKey, cellValue, formatRange, parseRange, rangeCells, readCells, readSharedStrings, type CellRange, type CellValue, type RawCell,
} from './drawingml-cells.js';
import { type Anchor, chartAnchorXml, chartSpaceXml, drawingXml, isSizedAnchor, type PointCache, type SeriesStyle } from './drawingml-chart.js';
import {
  CONTENT_TYPE, REL_TYPE, addContentTypeOverrides, nextRelationshipId, parseRelationships, relativeTarget,
  relsPartOf, resolveTarget, serializeRelationships, xmlElements, type Relationship,
} from './drawingml-opc.js';
import { appendDrawingAnchors, insertSheetDrawing, sheetDrawingSlot } from './drawingml-part-xml.js';

export { chartRange, quoteSheetName } from './drawingml-cells.js';

export interface ChartSeries {
  name: string;
  /** e.g. "'Hourly Totals'!$A$2:$A$25" (chartRange() builds these) */
  categories: string;
  /** e.g. "'Hourly Totals'!$C$2:$C$25" */
  values: string;
  /** A tier's series is drawn in the tier's colour and dash (src/core/tier-colours.ts, as in the UI). */
  tier?: TierColourKey | undefined;
}

export interface ChartSpec {
  /** Worksheet (by name) the chart is drawn on. */
  sheet: string;
  /** Zero-based cell anchor: top-left (col,row) to bottom-right (col,row), or top-left and a size in points. */
  anchor: Anchor;
  type: 'line' | 'column';
  /** Column charts: series stacked on each other (tiers adding up to a total). */
  stacked?: boolean;
  title: string;
  yAxisTitle?: string;
  series: ChartSeries[];
}

/**
 * Reads inputPath (an xlsx written by exceljs, also by its streaming WorkbookWriter), adds the
 * charts, writes outputPath (may equal inputPath) through a temp file + rename. Charts on a sheet
 * that already has a drawing (exceljs images) join that drawing. Invalid specs are an internal
 * error listing every problem; nothing is written then.
 */
export async function addNativeCharts(inputPath: string, outputPath: string, charts: readonly ChartSpec[]): Promise<void> {
  const zip = await JSZip.loadAsync(await readFile(inputPath)).catch((error: unknown) => {
    throw new VctpError('internal', `${inputPath} is not an xlsx (zip) package`, { cause: error });
  });
  const book = await openWorkbook(zip, inputPath);
  const planned = planCharts(charts, book.sheets);
  const cells = await readReferencedCells(zip, book, planned);

  const overrides = new Map<string, string>();
  const counters = { chart: nextPartNumber(zip, /^xl\/charts\/chart(\d+)\.xml$/), drawing: nextPartNumber(zip, /^xl\/drawings\/drawing(\d+)\.xml$/) };
  for (const [sheet, sheetCharts] of groupBy(planned, (c) => c.spec.sheet)) {
    await addChartsToSheet(zip, book.sheets.get(sheet) as string, sheetCharts, cells, counters, overrides);
  }
  const typesFile = zip.file('[Content_Types].xml');
  if (typesFile === null) throw new VctpError('internal', `${inputPath} has no [Content_Types].xml`);
  put(zip, '[Content_Types].xml', addContentTypeOverrides(await typesFile.async('string'), overrides));

  await writeAtomically(zip, outputPath);
}

interface Workbook {
  /** Sheet name → worksheet part name. */
  sheets: Map<string, string>;
  sharedStringsPart: string | undefined;
}

interface PlannedChart {
  spec: ChartSpec;
  series: Array<{ name: string; categories: CellRange; values: CellRange; tier: TierColourKey | undefined }>;
}

/** The caches of a category range and of a value range, from the cells read once. */
interface CacheReader {
  categories(range: CellRange): PointCache;
  values(range: CellRange): PointCache;
}

async function readPart(zip: JSZip, part: string): Promise<string | undefined> {
  return zip.file(part)?.async('string');
}

async function readRels(zip: JSZip, part: string): Promise<Relationship[]> {
  const relsPart = relsPartOf(part);
  const xml = await readPart(zip, relsPart);
  return xml === undefined ? [] : parseRelationships(xml, relsPart);
}

/** Finds each sheet's part through the workbook's relationships; sheetN numbering is not assumed. */
async function openWorkbook(zip: JSZip, inputPath: string): Promise<Workbook> {
  const main = (await readRels(zip, '')).find((r) => r.Type === REL_TYPE.officeDocument);
  const workbookPart = main && resolveTarget('', main.Target);
  const workbookXml = workbookPart === undefined ? undefined : await readPart(zip, workbookPart);
  if (workbookPart === undefined || workbookXml === undefined) throw new VctpError('internal', `${inputPath} has no workbook part`);
  const rels = await readRels(zip, workbookPart);
  const sheets = new Map<string, string>();
  for (const el of xmlElements(workbookXml, workbookPart)) {
    if (el.local !== 'sheet') continue;
    const relId = Object.entries(el.attrs).find(([k]) => k.endsWith(':id'))?.[1];
    const rel = rels.find((r) => r.Id === relId && r.Type === REL_TYPE.worksheet);
    if (el.attrs.name !== undefined && rel) sheets.set(el.attrs.name, resolveTarget(workbookPart, rel.Target));
  }
  const strings = rels.find((r) => r.Type === REL_TYPE.sharedStrings);
  return { sheets, sharedStringsPart: strings && resolveTarget(workbookPart, strings.Target) };
}

function planCharts(charts: readonly ChartSpec[], sheets: ReadonlyMap<string, string>): PlannedChart[] {
  const problems: string[] = [];
  const planned = charts.map((spec, i) => {
    const say = (msg: string): void => void problems.push(`chart ${i + 1} ("${spec.title}" on "${spec.sheet}"): ${msg}`);
    if (!sheets.has(spec.sheet)) say(`no worksheet named "${spec.sheet}" (sheets: ${[...sheets.keys()].map((s) => `"${s}"`).join(', ')})`);
    if (spec.type !== 'line' && spec.type !== 'column') say(`type must be 'line' or 'column', not "${String(spec.type)}"`);
    if (spec.stacked === true && spec.type !== 'column') say('only column charts can be stacked');
    const anchor = spec.anchor;
    if (isSizedAnchor(anchor)) {
      const cell = [anchor.fromCol, anchor.fromRow].every((n) => Number.isInteger(n) && n >= 0);
      const size = [anchor.widthPt, anchor.heightPt].every((n) => Number.isFinite(n) && n > 0);
      if (!cell || !size) say(`anchor ${JSON.stringify(anchor)} is not a zero-based top-left cell with a positive size in points`);
    } else {
      const { fromCol, fromRow, toCol, toRow } = anchor;
      const whole = [fromCol, fromRow, toCol, toRow].every((n) => Number.isInteger(n) && n >= 0);
      if (!whole || toCol < fromCol || toRow < fromRow) say(`anchor ${JSON.stringify(anchor)} is not a zero-based top-left to bottom-right cell box`);
    }
    if (spec.series.length === 0) say('has no series');
    const range = (ref: string, what: string): CellRange | undefined => {
      const parsed = parseRange(ref);
      if (typeof parsed === 'string') return void say(`${what}: ${parsed}`);
      if (!sheets.has(parsed.sheet)) return void say(`${what}: "${ref}" names no worksheet of this workbook`);
      if (parsed.firstCol !== parsed.lastCol && parsed.firstRow !== parsed.lastRow) return void say(`${what}: "${ref}" is not a single row or column`);
      return parsed;
    };
    const series = spec.series.flatMap((s, j) => {
      const categories = range(s.categories, `series ${j + 1} categories`);
      const values = range(s.values, `series ${j + 1} values`);
      if (s.tier !== undefined && !isTierColourKey(s.tier)) say(`series ${j + 1}: tier "${String(s.tier)}" is none of ${Object.keys(TIER_COLOURS).join(', ')}`);
      if (!categories || !values) return [];
      if (rangeCells(categories).length !== rangeCells(values).length) say(`series ${j + 1}: categories and values differ in length`);
      return [{ name: s.name, categories, values, tier: s.tier }];
    });
    return { spec, series };
  });
  if (problems.length > 0) throw new VctpError('internal', `invalid chart specs:\n  ${problems.join('\n  ')}`);
  return planned;
}

/** Reads each referenced sheet once, then the shared strings those cells point at. */
async function readReferencedCells(zip: JSZip, book: Workbook, charts: readonly PlannedChart[]): Promise<CacheReader> {
  const ranges = charts.flatMap((c) => c.series.flatMap((s) => [s.categories, s.values]));
  const bySheet = new Map<string, Map<number, RawCell>>();
  for (const [sheet, sheetRanges] of groupBy(ranges, (r) => r.sheet)) {
    const part = book.sheets.get(sheet) as string;
    const xml = await readPart(zip, part);
    if (xml === undefined) throw new VctpError('internal', `worksheet part ${part} of "${sheet}" is missing`);
    bySheet.set(sheet, readCells(xml, sheetRanges));
  }
  const indexes = new Set<number>();
  for (const cells of bySheet.values()) for (const c of cells.values()) if (c.t === 's') indexes.add(Number(c.v));
  const stringsXml = indexes.size > 0 && book.sharedStringsPart ? await readPart(zip, book.sharedStringsPart) : undefined;
  const strings = stringsXml === undefined ? new Map<number, string>() : readSharedStrings(stringsXml, indexes);
  const valuesOf = (range: CellRange): Array<CellValue | undefined> =>
    rangeCells(range).map(([col, row]) => cellValue(bySheet.get(range.sheet)?.get(cellKey(col, row)), strings));
  const points = (values: Array<CellValue | undefined>, kind?: CellValue['kind']): Array<[number, string]> =>
    values.flatMap((v, idx) => (v !== undefined && (kind === undefined || v.kind === kind) ? [[idx, v.text] as [number, string]] : []));
  return {
    // Categories are text when any cell is text (hour labels), else numbers.
    categories(range) {
      const values = valuesOf(range);
      return { kind: values.some((v) => v?.kind === 'string') ? 'str' : 'num', count: values.length, points: points(values) };
    },
    // A chart plots text in a value range as a gap, so the cache leaves it out.
    values(range) {
      const values = valuesOf(range);
      return { kind: 'num', count: values.length, points: points(values, 'number') };
    },
  };
}

async function addChartsToSheet(
  zip: JSZip,
  sheetPart: string,
  charts: readonly PlannedChart[],
  caches: CacheReader,
  counters: { chart: number; drawing: number },
  overrides: Map<string, string>,
): Promise<void> {
  const sheetXml = (await readPart(zip, sheetPart)) as string;
  const sheetRels = await readRels(zip, sheetPart);
  const slot = sheetDrawingSlot(sheetXml, sheetPart);
  let drawingPart: string;
  let existingDrawing: string | undefined;
  if (slot.existingRelId !== undefined) {
    const rel = sheetRels.find((r) => r.Id === slot.existingRelId);
    if (!rel || rel.TargetMode === 'External') throw new VctpError('internal', `${sheetPart}: its <drawing> relationship ${slot.existingRelId} is missing`);
    drawingPart = resolveTarget(sheetPart, rel.Target);
    existingDrawing = await readPart(zip, drawingPart);
    if (existingDrawing === undefined) throw new VctpError('internal', `${sheetPart}: drawing part ${drawingPart} is missing`);
  } else {
    drawingPart = `xl/drawings/drawing${counters.drawing++}.xml`;
    const relId = nextRelationshipId(sheetRels);
    sheetRels.push({ Id: relId, Type: REL_TYPE.drawing, Target: relativeTarget(sheetPart, drawingPart) });
    put(zip, sheetPart, insertSheetDrawing(sheetXml, slot, relId));
    put(zip, relsPartOf(sheetPart), serializeRelationships(sheetRels));
    overrides.set(drawingPart, CONTENT_TYPE.drawing);
  }

  const drawingRels = await readRels(zip, drawingPart);
  const shapeIds = existingDrawing === undefined ? [] : xmlElements(existingDrawing, drawingPart).filter((e) => e.local === 'cNvPr').map((e) => Number(e.attrs.id));
  let shapeId = Math.max(1, ...shapeIds.filter(Number.isFinite)) + 1;
  const anchors: Array<(own: string) => string> = [];
  for (const { spec, series } of charts) {
    const chartPart = `xl/charts/chart${counters.chart++}.xml`;
    const xmlSeries = series.map((s) => ({
      name: s.name,
      categories: { formula: formatRange(s.categories), cache: caches.categories(s.categories) },
      values: { formula: formatRange(s.values), cache: caches.values(s.values) },
      style: s.tier === undefined ? undefined : tierStyle(s.tier),
    }));
    put(zip, chartPart, chartSpaceXml({ type: spec.type, stacked: spec.stacked, title: spec.title, yAxisTitle: spec.yAxisTitle, series: xmlSeries }));
    overrides.set(chartPart, CONTENT_TYPE.chart);
    const relId = nextRelationshipId(drawingRels);
    drawingRels.push({ Id: relId, Type: REL_TYPE.chart, Target: relativeTarget(drawingPart, chartPart) });
    const id = shapeId++;
    anchors.push((own) => chartAnchorXml(spec.anchor, id, relId, own));
  }
  const anchorsXml = (own: string): string => anchors.map((a) => a(own)).join('');
  put(zip, drawingPart, existingDrawing === undefined ? drawingXml(anchorsXml('')) : appendDrawingAnchors(existingDrawing, drawingPart, anchorsXml));
  put(zip, relsPartOf(drawingPart), serializeRelationships(drawingRels));
}

/** A tier's colour and dash from core, as DrawingML wants the colour: RRGGBB. */
function tierStyle(tier: TierColourKey): SeriesStyle {
  const { colour, dash } = TIER_COLOURS[tier];
  return { rgb: colour.replace(/^#/, '').toUpperCase(), dash };
}

/** Adds or replaces a part; replacing keeps the entry's place in the zip. */
function put(zip: JSZip, part: string, xml: string): void {
  zip.file(part, xml, { createFolders: false });
}

function nextPartNumber(zip: JSZip, pattern: RegExp): number {
  return 1 + Math.max(0, ...Object.keys(zip.files).map((name) => Number(pattern.exec(name)?.[1] ?? 0)));
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** Streams the package to a temp file next to outputPath, then renames it over outputPath. */
async function writeAtomically(zip: JSZip, outputPath: string): Promise<void> {
  const temp = join(dirname(outputPath), `.${basename(outputPath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const stream = zip.generateNodeStream({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 }, streamFiles: false });
    await pipeline(stream, createWriteStream(temp));
    await rename(temp, outputPath);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
