// The floor of a capture for `vctp benchmark capture`: the same RetrievePropertiesEx and
// ContinueRetrievePropertiesEx pages a capture reads (the VMs with the collector's property paths,
// then the placement tree), same page size, every vCenter at once (hourly_snapshot_concurrency 0),
// over the same TLS transport, but the response bodies are only counted as bytes, never decoded or
// parsed. The only thing read from a page is its continuation token, found in the last bytes of
// the body. Login, the container views and logout are small calls parsed as usual; they are part
// of the floor because a capture cannot do without them. Custom attribute names, tags (vAPI) and
// creation events are left out: the benchmark's simulators carry none of them, so a capture's
// calls for them are a few small requests.
import type { IncomingMessage } from 'node:http';
import { VctpError } from '../core/errors.js';
import { PLACEMENT_PROPERTIES, PLACEMENT_TYPES } from '../vcenter/placement-resolver.js';
import { parseVimXml } from '../vcenter/sax-value-parser.js';
import { containerViewFilterSpec, el, envelope, moRefXml, operationXml, soapAction, type PropertySpec } from '../vcenter/soap-envelope.js';
import { SoapTransport } from '../vcenter/transport.js';
import { asMoRef, asObject, asString, MoRef, type VimValue } from '../vcenter/vim-values.js';
import { CLOUD_UUID_PATH, VM_PATHS } from '../vcenter/vm-properties.js';

export interface FloorTarget {
  url: string;
  username: string;
  password: string;
  caFile: string;
}

export interface FloorMeasure {
  wallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Response bytes of the RetrievePropertiesEx/Continue pages, all vCenters. */
  pageBytes: number;
  pages: number;
}

const TIMEOUT_MS = 120_000;
/** The collector's default maxObjects (src/vcenter/inventory-collector.ts). */
export const CAPTURE_PAGE_SIZE = 1000;
/** Enough of a page's start or end to hold its `<token>...</token>` and the envelope around it. */
const EDGE_BYTES = 2048;
const TOKEN = /<token>([^<]*)<\/token>/;

/** Fetch every vCenter's pages at once as raw bytes; this process's wall and CPU time for it. */
export async function measureFloor(targets: readonly FloorTarget[], pageSize = CAPTURE_PAGE_SIZE, signal?: AbortSignal): Promise<FloorMeasure> {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const perTarget = await Promise.all(targets.map((t) => fetchRaw(t, pageSize, signal)));
  const wallMs = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  return {
    wallMs,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    pageBytes: perTarget.reduce((n, p) => n + p.bytes, 0),
    pages: perTarget.reduce((n, p) => n + p.pages, 0),
  };
}

class RawSession {
  private cookie: string | undefined;
  private version = '6.5';
  constructor(
    readonly name: string,
    private readonly transport: SoapTransport,
    private readonly signal: AbortSignal | undefined,
  ) {}

  private post<T>(operation: string, innerXml: string, consume: (res: IncomingMessage) => Promise<T>): Promise<T> {
    const headers: Record<string, string> = { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: soapAction(this.version) };
    if (this.cookie) headers['Cookie'] = this.cookie;
    return this.transport.post({ operation, headers, body: envelope(operationXml(operation, innerXml)), timeoutMs: TIMEOUT_MS, signal: this.signal }, (res) => {
      for (const line of res.headers['set-cookie'] ?? []) {
        if (line.startsWith('vmware_soap_session=')) this.cookie = line.split(';')[0];
      }
      if (res.statusCode !== 200) {
        res.resume();
        return Promise.reject(new VctpError('vcenter', `vCenter ${this.name}: ${operation}: HTTP ${res.statusCode}`));
      }
      return consume(res);
    });
  }

  /** A small call, parsed: its returnval. */
  async call(operation: string, innerXml: string): Promise<VimValue | undefined> {
    return this.post(operation, innerXml, async (res) => {
      res.setEncoding('utf8');
      let text = '';
      for await (const chunk of res) text += chunk as string;
      const body = asObject(asObject(parseVimXml(text))?.['Body']);
      return asObject(body?.[`${operation}Response`])?.['returnval'];
    });
  }

  /** A page, unparsed: its size and continuation token. */
  page(operation: string, innerXml: string): Promise<{ bytes: number; token: string | null }> {
    return this.post(operation, innerXml, async (res) => {
      let bytes = 0;
      // vim25's RetrieveResult puts the token before the objects; look at both ends anyway.
      let head: Buffer = Buffer.alloc(0);
      let tail: Buffer = Buffer.alloc(0);
      for await (const chunk of res) {
        const b = chunk as Buffer;
        bytes += b.length;
        if (head.length < EDGE_BYTES) head = Buffer.concat([head, b.subarray(0, EDGE_BYTES - head.length)]);
        tail = b.length >= EDGE_BYTES ? b.subarray(b.length - EDGE_BYTES) : Buffer.concat([tail, b]).subarray(-EDGE_BYTES);
      }
      const m = TOKEN.exec(head.toString('latin1')) ?? TOKEN.exec(tail.toString('latin1'));
      return { bytes, token: m ? m[1]! : null };
    });
  }

  setVersion(v: string): void {
    this.version = v;
  }
}

async function fetchRaw(target: FloorTarget, pageSize: number, signal: AbortSignal | undefined): Promise<{ bytes: number; pages: number }> {
  const name = new URL(target.url).host;
  const transport = new SoapTransport(name, new URL(target.url), { insecure: false, caFile: target.caFile });
  const s = new RawSession(name, transport, signal);
  try {
    const sc = asObject(await s.call('RetrieveServiceContent', moRefXml('_this', new MoRef('ServiceInstance', 'ServiceInstance'))));
    const pc = asMoRef(sc?.['propertyCollector']);
    const viewManager = asMoRef(sc?.['viewManager']);
    const rootFolder = asMoRef(sc?.['rootFolder']);
    const sessionManager = asMoRef(sc?.['sessionManager']);
    const version = asString(asObject(sc?.['about'])?.['apiVersion']);
    if (!pc || !viewManager || !rootFolder || !sessionManager || !version) throw new VctpError('vcenter', `vCenter ${name}: incomplete ServiceContent`);
    s.setVersion(version);
    await s.call('Login', moRefXml('_this', sessionManager) + el('userName', target.username) + el('password', target.password));
    let bytes = 0;
    let pages = 0;
    const readAll = async (types: readonly string[], props: readonly PropertySpec[]): Promise<void> => {
      const view = asMoRef(
        await s.call('CreateContainerView', moRefXml('_this', viewManager) + moRefXml('container', rootFolder) + types.map((t) => el('type', t)).join('') + el('recursive', true)),
      );
      if (!view) throw new VctpError('vcenter', `vCenter ${name}: CreateContainerView returned no view`);
      let page = await s.page('RetrievePropertiesEx', moRefXml('_this', pc) + containerViewFilterSpec(view, props) + `<options>${el('maxObjects', pageSize)}</options>`);
      bytes += page.bytes;
      pages++;
      while (page.token !== null) {
        page = await s.page('ContinueRetrievePropertiesEx', moRefXml('_this', pc) + el('token', page.token));
        bytes += page.bytes;
        pages++;
      }
      await s.call('DestroyView', moRefXml('_this', view));
    };
    await readAll(['VirtualMachine'], [{ type: 'VirtualMachine', pathSet: [...VM_PATHS, CLOUD_UUID_PATH] }]);
    await readAll(PLACEMENT_TYPES, PLACEMENT_PROPERTIES);
    await s.call('Logout', moRefXml('_this', sessionManager));
    return { bytes, pages };
  } finally {
    transport.close();
  }
}
