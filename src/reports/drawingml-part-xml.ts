// Text-level edits of the worksheet and drawing parts: insert one element at the right place and
// leave every other byte alone. These parts are not parsed into a tree and written back, because
// a worksheet can be tens of megabytes and holds markup (x14 extensions, mc:AlternateContent) we
// do not model and must not lose. The tag scanner below only has to be right for well-formed XML.
import { VctpError } from '../core/errors.js';
import { NS, localName } from './drawingml-opc.js';

export interface Tag {
  kind: 'open' | 'close' | 'empty';
  qname: string;
  /** Offset of `<`. */
  start: number;
  /** Offset just past `>`. */
  end: number;
}

/** The tags of xml[from, to), skipping comments, CDATA, processing instructions and doctype. */
export function* scanTags(xml: string, from: number, to: number, partName: string): Generator<Tag> {
  const endOf = (i: number, terminator: string): number => {
    const at = xml.indexOf(terminator, i);
    if (at < 0) throw new VctpError('internal', `${partName} is not well-formed XML near offset ${i}`);
    return at + terminator.length;
  };
  let i = xml.indexOf('<', from);
  while (i >= 0 && i < to) {
    let next: number;
    if (xml.startsWith('<!--', i)) next = endOf(i, '-->');
    else if (xml.startsWith('<![CDATA[', i)) next = endOf(i, ']]>');
    else if (xml.startsWith('<?', i)) next = endOf(i, '?>');
    else if (xml.startsWith('<!', i)) next = endOf(i, '>');
    else {
      const closing = xml[i + 1] === '/';
      let j = i + (closing ? 2 : 1);
      const nameStart = j;
      while (j < xml.length && !' \t\r\n/>'.includes(xml[j] as string)) j += 1;
      const qname = xml.slice(nameStart, j);
      let quote = '';
      for (; j < xml.length; j += 1) {
        const ch = xml[j];
        if (quote !== '') {
          if (ch === quote) quote = '';
        } else if (ch === '"' || ch === "'") quote = ch;
        else if (ch === '>') break;
      }
      if (j >= xml.length) throw new VctpError('internal', `${partName} is not well-formed XML near offset ${i}`);
      const kind = closing ? 'close' : xml[j - 1] === '/' ? 'empty' : 'open';
      yield { kind, qname, start: i, end: j + 1 };
      next = j + 1;
    }
    i = xml.indexOf('<', next);
  }
}

export interface RootElement {
  qname: string;
  /** `x:` when the root is prefixed, else empty: children in the same namespace use it too. */
  prefix: string;
  /** Offset just past the root's start tag. */
  contentStart: number;
  /** Offset of the root's end tag. */
  contentEnd: number;
  /** Namespace declarations on the root: prefix ('' for the default) → URI. */
  namespaces: Map<string, string>;
}

export function rootElement(xml: string, partName: string): RootElement {
  const first = scanTags(xml, 0, xml.length, partName).next();
  if (first.done === true || first.value.kind !== 'open') {
    throw new VctpError('internal', `${partName} has no root element with content`);
  }
  const { qname, end } = first.value;
  const contentEnd = xml.lastIndexOf(`</${qname}`);
  if (contentEnd < end) throw new VctpError('internal', `${partName} has no end tag for <${qname}>`);
  const namespaces = new Map<string, string>();
  for (const m of xml.slice(first.value.start, end).matchAll(/\sxmlns(?::([\w.-]+))?\s*=\s*(["'])(.*?)\2/g)) {
    namespaces.set(m[1] ?? '', m[3] ?? '');
  }
  const colon = qname.indexOf(':');
  return { qname, prefix: colon < 0 ? '' : qname.slice(0, colon + 1), contentStart: end, contentEnd, namespaces };
}

/**
 * CT_Worksheet children that must come after <drawing>; everything else allowed comes before.
 * Excel wraps oleObjects and controls (both after drawing) in mc:AlternateContent.
 */
const AFTER_DRAWING = new Set([
  'legacyDrawing', 'legacyDrawingHF', 'drawingHF', 'picture', 'oleObjects', 'controls',
  'webPublishItems', 'tableParts', 'extLst', 'AlternateContent',
]);

export interface SheetDrawingSlot {
  /** r:id of the <drawing> the sheet already has (images from exceljs), if any. */
  existingRelId: string | undefined;
  /** Where a new <drawing> element goes. */
  insertAt: number;
  root: RootElement;
}

export function sheetDrawingSlot(sheetXml: string, partName: string): SheetDrawingSlot {
  const root = rootElement(sheetXml, partName);
  // Skip <sheetData> with one search: it is nearly all of a big sheet and nothing we look for is in it.
  let from = root.contentStart;
  const dataStart = sheetXml.indexOf(`<${root.prefix}sheetData`, from);
  if (dataStart >= 0) {
    const tag = scanTags(sheetXml, dataStart, root.contentEnd, partName).next().value;
    from = tag?.end ?? from;
    if (tag?.kind === 'open') {
      const close = sheetXml.indexOf(`</${root.prefix}sheetData`, from);
      if (close < 0) throw new VctpError('internal', `${partName} has no </sheetData>`);
      from = sheetXml.indexOf('>', close) + 1;
    }
  }
  let depth = 0;
  for (const tag of scanTags(sheetXml, from, root.contentEnd, partName)) {
    if (tag.kind === 'close') {
      depth -= 1;
      continue;
    }
    if (depth === 0) {
      const local = localName(tag.qname);
      if (local === 'drawing') {
        const relId = /\s[\w.-]+:id\s*=\s*(["'])(.*?)\1/.exec(sheetXml.slice(tag.start, tag.end))?.[2];
        if (relId === undefined) throw new VctpError('internal', `${partName} has a <drawing> without r:id`);
        return { existingRelId: relId, insertAt: tag.start, root };
      }
      if (AFTER_DRAWING.has(local)) return { existingRelId: undefined, insertAt: tag.start, root };
    }
    if (tag.kind === 'open') depth += 1;
  }
  return { existingRelId: undefined, insertAt: root.contentEnd, root };
}

export function insertSheetDrawing(sheetXml: string, slot: SheetDrawingSlot, relId: string): string {
  const declareR = slot.root.namespaces.get('r') === NS.r ? '' : ` xmlns:r="${NS.r}"`;
  const element = `<${slot.root.prefix}drawing${declareR} r:id="${relId}"/>`;
  return sheetXml.slice(0, slot.insertAt) + element + sheetXml.slice(slot.insertAt);
}

/**
 * Appends anchors to an existing xdr:wsDr part. `anchors` gets the namespace declarations each
 * anchor must carry itself when the root does not bind `xdr:` and `a:` as we use them.
 */
export function appendDrawingAnchors(drawingXml: string, partName: string, anchors: (ownDeclarations: string) => string): string {
  const root = rootElement(drawingXml, partName);
  if (localName(root.qname) !== 'wsDr') throw new VctpError('internal', `${partName} is not a spreadsheet drawing (root <${root.qname}>)`);
  const own = (['xdr', 'a'] as const)
    .filter((p) => root.namespaces.get(p) !== NS[p])
    .map((p) => ` xmlns:${p}="${NS[p]}"`)
    .join('');
  return drawingXml.slice(0, root.contentEnd) + anchors(own) + drawingXml.slice(root.contentEnd);
}
