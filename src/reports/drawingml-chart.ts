// The XML of a chart part (c:chartSpace) and of the drawing anchor that places it on a sheet.
// Element order follows the ECMA-376 schema sequences (CT_ChartSpace, CT_LineSer, CT_BarSer,
// CT_CatAx, CT_ValAx ...): Excel rejects a chart whose children are out of order.
import { NS, XML_DECLARATION, escapeText } from './drawingml-opc.js';

/** Cached points of a series reference: idx → value, for viewers that do not read the cells. */
export interface PointCache {
  kind: 'str' | 'num';
  /** Number of cells in the range (points without a value are left out, as gaps). */
  count: number;
  points: ReadonlyArray<readonly [idx: number, value: string]>;
}

/** A series' own colour, instead of the theme colour a viewer picks by its position. */
export interface SeriesStyle {
  /** `RRGGBB` (a:srgbClr). */
  rgb: string;
  /** The line's dash (line charts; bars are filled). */
  dash: 'solid' | 'dash' | 'dot';
}

export interface SeriesXml {
  name: string;
  categories: { formula: string; cache: PointCache };
  values: { formula: string; cache: PointCache };
  style?: SeriesStyle | undefined;
}

export interface ChartXmlInput {
  type: 'line' | 'column';
  /** Columns stacked on each other (the tiers of a total), rather than side by side. */
  stacked?: boolean | undefined;
  title: string;
  yAxisTitle?: string | undefined;
  series: readonly SeriesXml[];
}

const CAT_AX = 500_000_001;
const VAL_AX = 500_000_002;

function cacheXml(cache: PointCache): string {
  const points = cache.points.map(([idx, v]) => `<c:pt idx="${idx}"><c:v>${escapeText(v)}</c:v></c:pt>`).join('');
  return cache.kind === 'num'
    ? `<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="${cache.count}"/>${points}</c:numCache>`
    : `<c:strCache><c:ptCount val="${cache.count}"/>${points}</c:strCache>`;
}

function refXml(ref: { formula: string; cache: PointCache }): string {
  const tag = ref.cache.kind === 'num' ? 'c:numRef' : 'c:strRef';
  return `<${tag}><c:f>${escapeText(ref.formula)}</c:f>${cacheXml(ref.cache)}</${tag}>`;
}

function richText(text: string, bodyPr = '<a:bodyPr/>'): string {
  return `<c:tx><c:rich>${bodyPr}<a:lstStyle/><a:p><a:pPr><a:defRPr/></a:pPr><a:r><a:t>${escapeText(text)}</a:t></a:r></a:p></c:rich></c:tx>`;
}

function titleXml(text: string, bodyPr?: string): string {
  return `<c:title>${richText(text, bodyPr)}<c:overlay val="0"/></c:title>`;
}

/** a:prstDash presets (ST_PresetLineDashVal) closest to the UI's SVG dashes: sysDot is 1:1, dot 1:3. */
const PRESET_DASH: Record<SeriesStyle['dash'], string> = { solid: 'solid', dash: 'dash', dot: 'sysDot' };
/** 2.25 pt, Excel's default width of a chart line, in EMU. */
const LINE_WIDTH = 28_575;
const MARKER_LINE_WIDTH = 9_525;

function fillXml(rgb: string): string {
  return `<a:solidFill><a:srgbClr val="${rgb}"/></a:solidFill>`;
}

// CT_LineSer: idx, order, tx, spPr, marker, dPt, dLbls, trendline, errBars, cat, val, smooth.
// CT_BarSer: idx, order, tx, spPr, invertIfNegative, pictureOptions, dPt, dLbls, trendline, errBars, cat, val.
// CT_Marker: symbol, size, spPr. CT_LineProperties: fill, prstDash.
function seriesXml(s: SeriesXml, i: number, type: ChartXmlInput['type']): string {
  const head = `<c:idx val="${i}"/><c:order val="${i}"/><c:tx><c:v>${escapeText(s.name)}</c:v></c:tx>`;
  const data = `<c:cat>${refXml(s.categories)}</c:cat><c:val>${refXml(s.values)}</c:val>`;
  const style = s.style;
  if (type === 'line') {
    const spPr = style ? `<c:spPr><a:ln w="${LINE_WIDTH}">${fillXml(style.rgb)}<a:prstDash val="${PRESET_DASH[style.dash]}"/></a:ln></c:spPr>` : '';
    const markerSpPr = style ? `<c:spPr>${fillXml(style.rgb)}<a:ln w="${MARKER_LINE_WIDTH}">${fillXml(style.rgb)}<a:prstDash val="solid"/></a:ln></c:spPr>` : '';
    return `<c:ser>${head}${spPr}<c:marker><c:symbol val="circle"/><c:size val="5"/>${markerSpPr}</c:marker>${data}<c:smooth val="0"/></c:ser>`;
  }
  const spPr = style ? `<c:spPr>${fillXml(style.rgb)}</c:spPr>` : '';
  return `<c:ser>${head}${spPr}<c:invertIfNegative val="0"/>${data}</c:ser>`;
}

export function chartSpaceXml(chart: ChartXmlInput): string {
  const series = chart.series.map((s, i) => seriesXml(s, i, chart.type)).join('');
  const axIds = `<c:axId val="${CAT_AX}"/><c:axId val="${VAL_AX}"/>`;
  // CT_BarChart: barDir, grouping, varyColors, ser*, dLbls, gapWidth, overlap, serLines, axId+. Stacked
  // bars need overlap 100, or each series is drawn beside the previous one's stack.
  const bars = chart.stacked ? '<c:grouping val="stacked"/>' : '<c:grouping val="clustered"/>';
  const overlap = chart.stacked ? '<c:overlap val="100"/>' : '';
  const plot =
    chart.type === 'line'
      ? `<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>${series}<c:marker val="1"/>${axIds}</c:lineChart>`
      : `<c:barChart><c:barDir val="col"/>${bars}<c:varyColors val="0"/>${series}<c:gapWidth val="${chart.stacked ? 50 : 150}"/>${overlap}${axIds}</c:barChart>`;
  const ticks = '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>';
  const catAx =
    `<c:catAx><c:axId val="${CAT_AX}"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>` +
    `<c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="1"/>${ticks}<c:crossAx val="${VAL_AX}"/>` +
    '<c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>';
  const yTitle = chart.yAxisTitle ? titleXml(chart.yAxisTitle, '<a:bodyPr rot="-5400000" vert="horz"/>') : '';
  // Value axes start at zero, for bars and lines alike: an auto-scaled axis (LibreOffice picks
  // 47..57 for counts of 50..56) makes small differences between days look large.
  const negative = chart.series.some((s) => s.values.cache.points.some(([, v]) => Number(v) < 0));
  const min = negative ? '' : '<c:min val="0"/>';
  const valAx =
    `<c:valAx><c:axId val="${VAL_AX}"/><c:scaling><c:orientation val="minMax"/>${min}</c:scaling><c:delete val="0"/>` +
    `<c:axPos val="l"/><c:majorGridlines/>${yTitle}<c:numFmt formatCode="General" sourceLinked="1"/>${ticks}` +
    `<c:crossAx val="${CAT_AX}"/><c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx>`;
  const title = chart.title === '' ? '<c:autoTitleDeleted val="1"/>' : `${titleXml(chart.title)}<c:autoTitleDeleted val="0"/>`;
  return (
    XML_DECLARATION +
    `<c:chartSpace xmlns:c="${NS.c}" xmlns:a="${NS.a}" xmlns:r="${NS.r}">` +
    '<c:roundedCorners val="0"/>' +
    `<c:chart>${title}<c:plotArea><c:layout/>${plot}${catAx}${valAx}</c:plotArea>` +
    '<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend><c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>' +
    '</c:chartSpace>'
  );
}

/** A box of cells: the chart moves and resizes with them. Zero-based; `to` is the cell the bottom-right corner touches. */
export interface CellAnchor {
  fromCol: number;
  fromRow: number;
  toCol: number;
  toRow: number;
}

/** A fixed size from a cell, in points: whatever the column widths are in the program that opens the file. */
export interface SizedAnchor {
  fromCol: number;
  fromRow: number;
  widthPt: number;
  heightPt: number;
}

export type Anchor = CellAnchor | SizedAnchor;

export const isSizedAnchor = (anchor: Anchor): anchor is SizedAnchor => 'widthPt' in anchor;

/** EMU (English Metric Units) per point. */
const EMU_PER_POINT = 12_700;

/**
 * The anchor holding a chart frame: a two-cell anchor for a box of cells, a one-cell anchor with
 * its extent for a fixed size (column widths depend on the fonts of the program that opens the
 * file; a size in points does not). `ownDeclarations` declares xdr:/a: on the anchor when the
 * drawing's root does not.
 */
export function chartAnchorXml(anchor: Anchor, shapeId: number, relId: string, ownDeclarations = ''): string {
  const cell = (col: number, row: number): string =>
    `<xdr:col>${col}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>${row}</xdr:row><xdr:rowOff>0</xdr:rowOff>`;
  const from = `<xdr:from>${cell(anchor.fromCol, anchor.fromRow)}</xdr:from>`;
  const element = isSizedAnchor(anchor) ? 'xdr:oneCellAnchor' : 'xdr:twoCellAnchor';
  const extent = isSizedAnchor(anchor)
    ? `<xdr:ext cx="${Math.round(anchor.widthPt * EMU_PER_POINT)}" cy="${Math.round(anchor.heightPt * EMU_PER_POINT)}"/>`
    : `<xdr:to>${cell(anchor.toCol, anchor.toRow)}</xdr:to>`;
  return (
    `<${element}${ownDeclarations}>${from}${extent}` +
    `<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="${shapeId}" name="Chart ${shapeId}"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>` +
    '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>' +
    `<a:graphic><a:graphicData uri="${NS.c}"><c:chart xmlns:c="${NS.c}" xmlns:r="${NS.r}" r:id="${relId}"/></a:graphicData></a:graphic>` +
    `</xdr:graphicFrame><xdr:clientData/></${element}>`
  );
}

export function drawingXml(anchors: string): string {
  return `${XML_DECLARATION}<xdr:wsDr xmlns:xdr="${NS.xdr}" xmlns:a="${NS.a}">${anchors}</xdr:wsDr>`;
}
