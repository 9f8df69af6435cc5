// Turns a vim25 SOAP response, fed chunk by chunk, into plain JavaScript values while it streams.
//
// Why not a generic XML-to-object library: vim25 types its polymorphic values with xsi:type
// (`xsd:int`, `ManagedObjectReference`, `ArrayOfString`, `VmCreatedEvent`) and those types decide
// what a value is. A generic converter guesses from text, so "007" becomes 7, a one-element
// ArrayOfString collapses to a string and booleans stay strings. Here:
//   - xsi:type values are resolved through the document's namespace declarations, so `xsd:int`,
//     `xs:int` or any other prefix bound to XML Schema all mean int;
//   - xsd numbers become numbers, xsd:boolean a boolean, xsd:dateTime stays ISO text;
//   - ArrayOf* is always an array, even with zero or one element, and gives its untyped
//     children their type (ArrayOfInt's `<int>` children have no xsi:type of their own);
//   - an element with a `type` attribute and only text is a ManagedObjectReference;
//   - an untyped element with children is an object, untyped text stays text; a child that
//     repeats becomes an array, and fields named in `arrayFields` are arrays even when single.
// Streaming: elements at `stream.path` are handed to `stream.onValue` as soon as they close and
// are not kept, so a 24 MB RetrievePropertiesEx page never exists as one tree.
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { MoRef, type VimObject, type VimValue } from './vim-values.js';

const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
const XSD_NS = 'http://www.w3.org/2001/XMLSchema';

/** Item types implied by ArrayOf* for children that carry no xsi:type. `xsd:` marks primitives. */
const ARRAY_ITEM_TYPES: Record<string, string | undefined> = {
  String: 'xsd:string',
  Int: 'xsd:int',
  Long: 'xsd:long',
  Short: 'xsd:short',
  Byte: 'xsd:byte',
  Boolean: 'xsd:boolean',
  Double: 'xsd:double',
  Float: 'xsd:float',
  DateTime: 'xsd:dateTime',
  AnyType: undefined, // each child carries its own xsi:type
};

const NUMERIC_XSD = new Set([
  'int', 'long', 'short', 'byte', 'integer', 'unsignedInt', 'unsignedLong', 'unsignedShort',
  'unsignedByte', 'nonNegativeInteger', 'positiveInteger', 'negativeInteger',
  'nonPositiveInteger', 'double', 'float', 'decimal',
]);

export interface StreamOption {
  /** Local names from the document root, e.g. ['Envelope', 'Body', 'XResponse', 'returnval']. */
  path: readonly string[];
  onValue: (value: VimValue) => void;
}

export interface ValueParserOptions {
  /** Field names that are arrays even when they occur once (vim25 schema knowledge). */
  arrayFields?: ReadonlySet<string>;
  stream?: StreamOption;
}

type FrameKind = 'untyped' | 'primitive' | 'typed' | 'array' | 'moref' | 'nil';

interface Frame {
  local: string;
  kind: FrameKind;
  /** xsd local name for primitives, vim type name for typed frames and array items. */
  type: string | undefined;
  /** For arrays: the type implied for children without xsi:type. */
  itemType: string | undefined;
  moType: string | undefined;
  text: string;
  hasChildren: boolean;
  obj: VimObject | undefined;
  list: VimValue[] | undefined;
  /** Fields of `obj` that already hold an accumulated list. */
  multi: Set<string> | undefined;
  /** True while this element is on the stream path (so far). */
  onPath: boolean;
}

export class SaxValueParser {
  private readonly sax: SaxesParser<{ xmlns: true; position: false }>;
  private readonly stack: Frame[] = [];
  private readonly arrayFields: ReadonlySet<string>;
  private readonly stream: StreamOption | undefined;
  private pathDepth = 0;
  private root: VimValue | undefined;
  private done = false;

  constructor(options: ValueParserOptions = {}) {
    this.arrayFields = options.arrayFields ?? new Set();
    this.stream = options.stream;
    this.sax = new SaxesParser({ xmlns: true, position: false });
    this.sax.on('opentag', (tag) => this.open(tag));
    this.sax.on('text', (text) => this.appendText(text));
    this.sax.on('cdata', (text) => this.appendText(text));
    this.sax.on('closetag', () => this.close());
  }

  /** Feed the next piece of the document (already decoded to text). Throws on malformed XML. */
  write(chunk: string): void {
    this.sax.write(chunk);
  }

  /** End of input: returns the root element's value (stream elements removed). */
  end(): VimValue | undefined {
    this.sax.close();
    if (!this.done) throw new Error('XML document ended before its root element closed');
    return this.root;
  }

  private open(tag: SaxesTagNS): void {
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.hasChildren = true;

    let xsiType: string | undefined;
    let nil = false;
    let moType: string | undefined;
    for (const key in tag.attributes) {
      const attr = tag.attributes[key]!;
      if (attr.uri === XSI_NS) {
        if (attr.local === 'type') xsiType = this.resolveType(attr.value);
        else if (attr.local === 'nil') nil = attr.value === 'true' || attr.value === '1';
      } else if (attr.uri === '' && attr.local === 'type') {
        moType = attr.value;
      }
    }

    // A child of ArrayOfX without its own xsi:type is an X.
    const type = xsiType ?? (parent?.kind === 'array' ? parent.itemType : undefined);
    let kind: FrameKind;
    let itemType: string | undefined;
    let frameType = type;
    if (nil) kind = 'nil';
    else if (type === 'ManagedObjectReference' || (moType !== undefined && type === undefined)) kind = 'moref';
    else if (type === undefined) kind = 'untyped';
    else if (type.startsWith('xsd:')) {
      kind = 'primitive';
      frameType = type.slice(4);
    } else if (type.startsWith('ArrayOf')) {
      kind = 'array';
      const item = type.slice(7);
      itemType = item in ARRAY_ITEM_TYPES ? ARRAY_ITEM_TYPES[item] : item;
    } else kind = 'typed';

    const depth = this.stack.length;
    const onPath =
      this.stream !== undefined && this.pathDepth === depth && this.stream.path[depth] === tag.local;
    if (onPath) this.pathDepth++;

    this.stack.push({
      local: tag.local,
      kind,
      type: frameType,
      itemType,
      moType,
      text: '',
      hasChildren: false,
      obj: undefined,
      list: kind === 'array' ? [] : undefined,
      multi: undefined,
      onPath,
    });
  }

  private appendText(text: string): void {
    const top = this.stack[this.stack.length - 1];
    // Whitespace between child elements is formatting, not data: skip it once children exist.
    if (top && !top.hasChildren) top.text += text;
  }

  private close(): void {
    const frame = this.stack.pop();
    if (!frame) return;
    const value = this.valueOf(frame);
    if (frame.onPath) this.pathDepth--;

    const depth = this.stack.length;
    if (frame.onPath && this.stream && depth === this.stream.path.length - 1) {
      this.stream.onValue(value);
      return;
    }
    const parent = this.stack[depth - 1];
    if (!parent) {
      this.root = value;
      this.done = true;
      return;
    }
    this.attach(parent, frame.local, value);
  }

  private attach(parent: Frame, field: string, value: VimValue): void {
    if (parent.list) {
      parent.list.push(value);
      return;
    }
    const obj = (parent.obj ??= parent.kind === 'typed' && parent.type ? { $type: parent.type } : {});
    const existing = obj[field];
    if (parent.multi?.has(field)) {
      (existing as VimValue[]).push(value);
    } else if (existing !== undefined) {
      obj[field] = [existing, value];
      (parent.multi ??= new Set()).add(field);
    } else if (this.arrayFields.has(field)) {
      obj[field] = [value];
      (parent.multi ??= new Set()).add(field);
    } else {
      obj[field] = value;
    }
  }

  private valueOf(frame: Frame): VimValue {
    switch (frame.kind) {
      case 'nil':
        return null;
      case 'moref':
        return new MoRef(frame.moType ?? '', frame.text.trim());
      case 'array':
        return frame.list ?? [];
      case 'primitive':
        return primitive(frame.type ?? 'string', frame.text);
      case 'typed':
        if (frame.obj) return frame.obj;
        // A typed element with text only is an enum value (e.g. VirtualMachinePowerState).
        if (!frame.hasChildren && frame.text !== '') return frame.text;
        return { $type: frame.type ?? '' };
      case 'untyped':
        return frame.obj ?? (frame.hasChildren ? {} : frame.text);
    }
  }

  /** `xsd:int` -> 'xsd:int' when the prefix is bound to XML Schema; vim types keep their local name. */
  private resolveType(qname: string): string {
    const colon = qname.indexOf(':');
    const prefix = colon === -1 ? '' : qname.slice(0, colon);
    const local = colon === -1 ? qname : qname.slice(colon + 1);
    const uri = this.sax.resolve(prefix);
    return uri === XSD_NS ? `xsd:${local}` : local;
  }
}

function primitive(xsdType: string, text: string): VimValue {
  if (xsdType === 'boolean') {
    const t = text.trim();
    return t === 'true' || t === '1';
  }
  if (NUMERIC_XSD.has(xsdType)) {
    const t = text.trim();
    if (t === 'INF') return Number.POSITIVE_INFINITY;
    if (t === '-INF') return Number.NEGATIVE_INFINITY;
    // xsd:long beyond 2^53 loses precision here; byte counts and keys stay far below that.
    return Number(t);
  }
  return text;
}

/** Parse a whole document held in memory (tests, small responses). */
export function parseVimXml(xml: string, options: ValueParserOptions = {}): VimValue | undefined {
  const parser = new SaxValueParser(options);
  parser.write(xml);
  return parser.end();
}
