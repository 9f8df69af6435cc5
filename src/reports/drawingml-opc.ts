// Open Packaging Conventions pieces that xlsx-charts needs: reading small XML parts (relationships,
// content types, workbook), writing relationship and content-type parts back, and resolving
// relationship targets to part names. Parts here are small; the big worksheets never come here.
import { SaxesParser } from 'saxes';
import { VctpError } from '../core/errors.js';

export const NS = {
  rels: 'http://schemas.openxmlformats.org/package/2006/relationships',
  contentTypes: 'http://schemas.openxmlformats.org/package/2006/content-types',
  r: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships',
  xdr: 'http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing',
  a: 'http://schemas.openxmlformats.org/drawingml/2006/main',
  c: 'http://schemas.openxmlformats.org/drawingml/2006/chart',
} as const;

export const REL_TYPE = {
  officeDocument: `${NS.r}/officeDocument`,
  worksheet: `${NS.r}/worksheet`,
  sharedStrings: `${NS.r}/sharedStrings`,
  drawing: `${NS.r}/drawing`,
  chart: `${NS.r}/chart`,
} as const;

export const CONTENT_TYPE = {
  chart: 'application/vnd.openxmlformats-officedocument.drawingml.chart+xml',
  drawing: 'application/vnd.openxmlformats-officedocument.drawing+xml',
} as const;

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** For element text, where quotes need no escaping (keeps 'Sheet name'!$A$1 readable). */
export function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : '&gt;'));
}

/** For attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' } as const)[ch as '&']};`);
}

export interface XmlElement {
  /** Name without its namespace prefix. */
  local: string;
  attrs: Record<string, string>;
  depth: number;
}

/** Every element of a small XML part, in document order, with entity-decoded attributes. */
export function xmlElements(xml: string, partName: string): XmlElement[] {
  const out: XmlElement[] = [];
  let depth = 0;
  const parser = new SaxesParser({ position: false });
  parser.on('opentag', (tag) => {
    out.push({ local: localName(tag.name), attrs: tag.attributes as Record<string, string>, depth });
    if (!tag.isSelfClosing) depth += 1;
  });
  parser.on('closetag', (tag) => {
    if (!tag.isSelfClosing) depth -= 1;
  });
  parser.on('error', (error) => {
    throw new VctpError('internal', `${partName} is not well-formed XML: ${error.message}`, { cause: error });
  });
  parser.write(xml).close();
  return out;
}

export function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon < 0 ? qname : qname.slice(colon + 1);
}

export interface Relationship {
  Id: string;
  Type: string;
  Target: string;
  TargetMode?: string;
}

export function parseRelationships(xml: string, partName: string): Relationship[] {
  return xmlElements(xml, partName)
    .filter((e) => e.local === 'Relationship')
    .map(({ attrs }) => ({
      Id: attrs.Id ?? '',
      Type: attrs.Type ?? '',
      Target: attrs.Target ?? '',
      ...(attrs.TargetMode === undefined ? {} : { TargetMode: attrs.TargetMode }),
    }));
}

export function serializeRelationships(rels: readonly Relationship[]): string {
  const items = rels.map((rel) => {
    const mode = rel.TargetMode === undefined ? '' : ` TargetMode="${escapeXml(rel.TargetMode)}"`;
    return `<Relationship Id="${escapeXml(rel.Id)}" Type="${escapeXml(rel.Type)}" Target="${escapeXml(rel.Target)}"${mode}/>`;
  });
  return `${XML_DECLARATION}<Relationships xmlns="${NS.rels}">${items.join('')}</Relationships>`;
}

/** A relationship id not used yet in `rels`: one past the highest rIdN. */
export function nextRelationshipId(rels: readonly Relationship[]): string {
  const used = new Set(rels.map((r) => r.Id));
  let n = 1 + Math.max(0, ...rels.map((r) => Number(/^rId(\d+)$/.exec(r.Id)?.[1] ?? 0)));
  while (used.has(`rId${n}`)) n += 1;
  return `rId${n}`;
}

/** `xl/worksheets/sheet1.xml` → `xl/worksheets/_rels/sheet1.xml.rels`; `` (package) → `_rels/.rels`. */
export function relsPartOf(partName: string): string {
  const slash = partName.lastIndexOf('/');
  return `${partName.slice(0, slash + 1)}_rels/${partName.slice(slash + 1)}.rels`;
}

/** Resolves a relationship target (relative to the source part's folder, or absolute) to a part name. */
export function resolveTarget(sourcePart: string, target: string): string {
  const base = target.startsWith('/') ? [] : sourcePart.split('/').slice(0, -1);
  for (const seg of target.split('/')) {
    if (seg === '..') base.pop();
    else if (seg !== '.' && seg !== '') base.push(seg);
  }
  return base.join('/');
}

/** The target of `to` written relative to the folder of `from` (both part names). */
export function relativeTarget(from: string, to: string): string {
  const fromDir = from.split('/').slice(0, -1);
  const toParts = to.split('/');
  let common = 0;
  while (common < fromDir.length && common < toParts.length - 1 && fromDir[common] === toParts[common]) common += 1;
  return [...fromDir.slice(common).map(() => '..'), ...toParts.slice(common)].join('/');
}

/** Adds Override entries (part name → content type) that are not there yet. */
export function addContentTypeOverrides(xml: string, overrides: ReadonlyMap<string, string>): string {
  const elements = xmlElements(xml, '[Content_Types].xml').filter(
    (e) => e.depth === 1 && (e.local === 'Default' || e.local === 'Override'),
  );
  const present = new Set(elements.filter((e) => e.local === 'Override').map((e) => e.attrs.PartName));
  const items = elements.map((e) =>
    e.local === 'Default'
      ? `<Default Extension="${escapeXml(e.attrs.Extension ?? '')}" ContentType="${escapeXml(e.attrs.ContentType ?? '')}"/>`
      : `<Override PartName="${escapeXml(e.attrs.PartName ?? '')}" ContentType="${escapeXml(e.attrs.ContentType ?? '')}"/>`,
  );
  for (const [part, type] of overrides) {
    const partName = `/${part}`;
    if (!present.has(partName)) items.push(`<Override PartName="${escapeXml(partName)}" ContentType="${escapeXml(type)}"/>`);
  }
  return `${XML_DECLARATION}<Types xmlns="${NS.contentTypes}">${items.join('')}</Types>`;
}
