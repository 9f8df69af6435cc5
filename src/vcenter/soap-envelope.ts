// Hand-built SOAP 1.1 envelopes for vim25. Requests are small and few, so string building beats
// a serializer: what goes on the wire is visible right here. Element order inside each request
// follows the vim25 WSDL sequences, which vCenter enforces.
import type { MoRef } from './vim-values.js';

export const VIM25_NS = 'urn:vim25';

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** `<tag>text</tag>`, escaped. */
export function el(tag: string, text: string | number | boolean): string {
  return `<${tag}>${escapeXml(String(text))}</${tag}>`;
}

/** `<tag type="VirtualMachine">vm-42</tag>` */
export function moRefXml(tag: string, ref: MoRef): string {
  return `<${tag} type="${escapeXml(ref.type)}">${escapeXml(ref.value)}</${tag}>`;
}

/** The operation element: `<Op xmlns="urn:vim25"><_this .../>...</Op>`. */
export function operationXml(operation: string, innerXml: string): string {
  return `<${operation} xmlns="${VIM25_NS}">${innerXml}</${operation}>`;
}

/** A complete request document around one operation element. */
export function envelope(bodyXml: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"' +
    ' xmlns:xsd="http://www.w3.org/2001/XMLSchema"' +
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body>${bodyXml}</soapenv:Body></soapenv:Envelope>`
  );
}

export function soapAction(apiVersion: string): string {
  return `${VIM25_NS}/${apiVersion}`;
}

// ---- PropertyCollector specs -------------------------------------------------------------

export interface PropertySpec {
  type: string;
  pathSet: readonly string[];
}

/** One PropertyFilterSpec that walks a ContainerView's `view` list and reads `props` of each. */
export function containerViewFilterSpec(view: MoRef, props: readonly PropertySpec[]): string {
  const propSets = props
    .map((p) => `<propSet>${el('type', p.type)}${p.pathSet.map((path) => el('pathSet', path)).join('')}</propSet>`)
    .join('');
  return (
    `<specSet>${propSets}` +
    `<objectSet>${moRefXml('obj', view)}<skip>true</skip>` +
    '<selectSet xsi:type="TraversalSpec"><name>traverseView</name><type>ContainerView</type>' +
    '<path>view</path><skip>false</skip></selectSet>' +
    '</objectSet></specSet>'
  );
}

/** A PropertyFilterSpec reading `pathSet` of exactly the objects given. */
export function objectsFilterSpec(objects: readonly MoRef[], type: string, pathSet: readonly string[]): string {
  return (
    `<specSet><propSet>${el('type', type)}${pathSet.map((p) => el('pathSet', p)).join('')}</propSet>` +
    objects.map((o) => `<objectSet>${moRefXml('obj', o)}<skip>false</skip></objectSet>`).join('') +
    '</specSet>'
  );
}

// ---- EventManager filters ----------------------------------------------------------------

export interface EventFilter {
  entity?: { ref: MoRef; recursion: 'self' | 'children' | 'all' };
  beginTime?: string;
  eventTypeIds: readonly string[];
  maxCount?: number;
}

/** EventFilterSpec, fields in WSDL order: entity, time, ..., eventTypeId, maxCount. */
export function eventFilterSpecXml(filter: EventFilter): string {
  let xml = '<filter>';
  if (filter.entity) {
    xml += `<entity>${moRefXml('entity', filter.entity.ref)}${el('recursion', filter.entity.recursion)}</entity>`;
  }
  if (filter.beginTime) xml += `<time>${el('beginTime', filter.beginTime)}</time>`;
  xml += filter.eventTypeIds.map((id) => el('eventTypeId', id)).join('');
  if (filter.maxCount !== undefined) xml += el('maxCount', filter.maxCount);
  return `${xml}</filter>`;
}
