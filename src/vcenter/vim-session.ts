// One authenticated vim25 session with one vCenter: RetrieveServiceContent, Login, calls, Logout.
// Everything above this file speaks in operations and parsed values; everything below it is
// bytes. No envelope, header or cookie is ever logged: Login carries the password and every
// request carries the session cookie.
//
// Nothing waits forever on a vCenter. Every call has the session's timeout
// (settings.vcenter_request_timeout_seconds). Once one call timed out, the vCenter is taken to have
// stopped answering: later calls of this session fail at once instead of each waiting out its own
// timeout, and clean-up calls (DestroyView, CancelRetrievePropertiesEx, DestroyCollector, Logout)
// get CLEANUP_TIMEOUT_MS; once one of those times out too, the rest are skipped and the session is
// left to expire on the server (vCenter ends idle sessions by itself, 30 minutes by default). So a
// vCenter that freezes costs one attempt at most one timeout plus CLEANUP_TIMEOUT_MS.
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { VctpError } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { SaxValueParser } from './sax-value-parser.js';
import { el, envelope, moRefXml, operationXml, soapAction } from './soap-envelope.js';
import { SoapTransport } from './transport.js';
import { errorText, faultFromSoap, isVimFault, VcenterCallError, VimFaultError } from './vim-errors.js';
import { asArray, asMoRef, asObject, asString, MoRef, type VimValue } from './vim-values.js';

export interface VcenterTarget {
  /** https://host[:port]/sdk */
  url: string;
  username: string;
  password: string;
  /** Skip TLS certificate verification (settings.vcenter_insecure). */
  insecure: boolean;
  /** PEM file with an extra CA to trust, on top of Node's bundled roots. */
  caFile?: string | null;
  /** Per-request timeout; default 60 s (a 1000-object RetrievePropertiesEx page takes seconds). */
  timeoutMs?: number;
}

export interface ServiceContent {
  rootFolder: MoRef;
  propertyCollector: MoRef;
  viewManager: MoRef;
  sessionManager: MoRef;
  eventManager: MoRef | null;
  searchIndex: MoRef | null;
  /** Custom attribute definitions (field); null on a server without one (a standalone ESXi host). */
  customFieldsManager: MoRef | null;
  apiVersion: string;
  fullName: string;
  instanceUuid: string | null;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
  /** Hand elements at this path below `<OpResponse>` to onValue as they arrive instead of keeping them. */
  stream?: { path: readonly string[]; onValue: (value: VimValue) => void } | undefined;
  /**
   * A clean-up call (DestroyView, CancelRetrievePropertiesEx, DestroyCollector, Logout): bounded by
   * CLEANUP_TIMEOUT_MS, sent even after a timeout of this session, skipped (resolving undefined)
   * once a clean-up call got no answer either.
   */
  cleanup?: boolean | undefined;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
/** The bound of one clean-up call: they are small and answered in milliseconds by a working vCenter. */
export const CLEANUP_TIMEOUT_MS = 5_000;
const SESSION_COOKIE = 'vmware_soap_session';
/**
 * SOAPAction for the first call, before the server has told us its apiVersion. RetrieveServiceContent
 * is answered by every version and reports the server's real apiVersion whatever we send; 6.5 is
 * the oldest vSphere still in the field and every later vCenter accepts it.
 */
const BOOTSTRAP_API_VERSION = '6.5';
/** Schema knowledge the untyped response structure lacks: these fields are lists even when single. */
const ARRAY_FIELDS: ReadonlySet<string> = new Set(['objects', 'propSet', 'missingSet']);
/** Operations whose returnval is a list: zero, one or many `<returnval>` elements. */
const ARRAY_RESULT_OPERATIONS: ReadonlySet<string> = new Set([
  'RetrieveProperties',
  'QueryEvents',
  'ReadNextEvents',
  'ReadPreviousEvents',
  'FindAllByUuid',
  'FindAllByIp',
  'FindAllByDnsName',
]);
const ARRAY_FIELDS_WITH_RETURNVAL: ReadonlySet<string> = new Set([...ARRAY_FIELDS, 'returnval']);

/** host[:port] of a vCenter URL: the vCenter's name in storage and logs. */
export function vcenterName(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new VctpError('config', `invalid vCenter URL: ${JSON.stringify(url)} (expected https://host[:port]/sdk)`);
  }
  // URL.host drops the scheme's default port and lower-cases the host name.
  return parsed.host;
}

export class VimSession {
  readonly name: string;
  private readonly transport: SoapTransport;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private version = BOOTSTRAP_API_VERSION;
  private content: ServiceContent | undefined;
  private cookie: string | undefined;
  private closed = false;
  /** The call that timed out first, once one did: the vCenter stopped answering. */
  private unanswered: string | undefined;
  /** A clean-up call timed out as well: the rest of the clean-up is skipped. */
  private dead = false;

  private constructor(
    name: string,
    transport: SoapTransport,
    log: Logger,
    timeoutMs: number,
    private readonly target: VcenterTarget,
  ) {
    this.name = name;
    this.transport = transport;
    this.log = log;
    this.timeoutMs = timeoutMs;
  }

  /**
   * What the vAPI client (src/vcenter/vapi-session.ts) needs to open its own session beside this
   * one: vAPI does not accept a vim25 session, so it logs in with the same credentials, on the same
   * sockets and TLS settings, with the same per-request timeout.
   */
  vapiAccess(): { transport: SoapTransport; username: string; password: string; timeoutMs: number } {
    return { transport: this.transport, username: this.target.username, password: this.target.password, timeoutMs: this.timeoutMs };
  }

  /** vim25 API version the server reported (ServiceContent.about.apiVersion), e.g. "8.0.2.0". */
  get apiVersion(): string {
    return this.version;
  }

  /** The session's logger (bound to the vCenter name), for helpers working on its behalf. */
  get logger(): Logger {
    return this.log;
  }

  get serviceContent(): ServiceContent {
    if (!this.content) throw new VctpError('internal', 'VimSession used before RetrieveServiceContent');
    return this.content;
  }

  static async login(target: VcenterTarget, log: Logger): Promise<VimSession> {
    const name = vcenterName(target.url);
    const transport = new SoapTransport(name, new URL(target.url), { insecure: target.insecure, caFile: target.caFile });
    // Callers often bind the vCenter already (jobs log per vCenter); bind it only once.
    const bound = log.bindings()['vcenter'] === name ? log : log.child({ vcenter: name });
    const session = new VimSession(name, transport, bound, target.timeoutMs ?? DEFAULT_TIMEOUT_MS, target);
    try {
      const content = parseServiceContent(
        name,
        await session.call('RetrieveServiceContent', moRefXml('_this', new MoRef('ServiceInstance', 'ServiceInstance'))),
      );
      session.content = content;
      session.version = content.apiVersion;
      try {
        await session.call(
          'Login',
          moRefXml('_this', content.sessionManager) + el('userName', target.username) + el('password', target.password),
        );
      } catch (error) {
        if (isVimFault(error, 'InvalidLogin')) {
          throw new VimFaultError({
            vcenter: name,
            operation: 'Login',
            faultName: error.faultName,
            faultMessage: error.faultMessage,
            detail: error.detail,
            message: `vCenter ${name}: login failed for user ${target.username} (InvalidLogin: wrong user name or password)`,
          });
        }
        throw error;
      }
      session.log.debug({ apiVersion: content.apiVersion }, 'vCenter session opened');
      return session;
    } catch (error) {
      session.closed = true;
      transport.close();
      throw error;
    }
  }

  /** The operation that timed out in this session, if one did (the vCenter stopped answering). */
  get timedOutOperation(): string | undefined {
    return this.unanswered;
  }

  /**
   * End the session on the server and close sockets. Safe to call twice; never throws. Bounded by
   * CLEANUP_TIMEOUT_MS, and skipped when the vCenter stopped answering even clean-up calls.
   */
  async logout(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.dead) {
        this.log.warn(
          { timedOut: this.unanswered },
          'vCenter stopped answering: session not logged out; the server ends it when it expires',
        );
        return;
      }
      await this.call('Logout', moRefXml('_this', this.serviceContent.sessionManager), { cleanup: true }, true);
    } catch (error) {
      this.log.warn({ err: errorText(error) }, 'vCenter logout failed');
    } finally {
      this.transport.close();
    }
  }

  /**
   * Low-level call for tests and future features: send one vim25 operation with an inner XML
   * body (starting with its `_this`), return the parsed returnval (undefined when none; an array
   * for list-returning operations such as RetrieveProperties and QueryEvents).
   */
  invoke(operation: string, bodyXml: string): Promise<unknown> {
    return this.call(operation, bodyXml);
  }

  /**
   * One operation; returns its returnval. Faults throw VimFaultError; no answer within the timeout
   * throws a VcenterCallError with timedOut (see the top of this file for what follows a timeout).
   */
  async call(operation: string, innerXml: string, options: CallOptions = {}, allowClosed = false): Promise<VimValue | undefined> {
    if (this.closed && !allowClosed) throw new VctpError('internal', `vCenter ${this.name}: ${operation} on a closed session`);
    if (options.cleanup && this.dead) {
      this.log.debug({ operation }, 'clean-up call skipped: the vCenter stopped answering');
      return undefined;
    }
    if (!options.cleanup && this.unanswered !== undefined) {
      throw new VcenterCallError({
        vcenter: this.name,
        operation,
        message: `vCenter ${this.name}: ${operation} not sent: the vCenter stopped answering (${this.unanswered} timed out)`,
        timedOut: true,
      });
    }
    const headers: Record<string, string> = {
      'Content-Type': 'text/xml; charset=utf-8',
      SOAPAction: soapAction(this.version),
    };
    if (this.cookie) headers['Cookie'] = this.cookie;
    const started = performance.now();
    const timeoutMs = options.cleanup ? Math.min(this.timeoutMs, CLEANUP_TIMEOUT_MS) : this.timeoutMs;
    try {
      const result = await this.transport.post(
        { operation, headers, body: envelope(operationXml(operation, innerXml)), timeoutMs, signal: options.signal },
        (res) => this.readResponse(operation, res, options),
      );
      this.log.debug({ operation, ms: Math.round(performance.now() - started) }, 'vim call');
      return result;
    } catch (error) {
      if (error instanceof VcenterCallError && error.timedOut) {
        this.unanswered ??= operation;
        if (options.cleanup) this.dead = true;
      }
      throw error;
    }
  }

  private async readResponse(operation: string, res: IncomingMessage, options: CallOptions): Promise<VimValue | undefined> {
    this.keepCookie(res.headers['set-cookie']);
    const status = res.statusCode ?? 0;
    if (!/xml/i.test(res.headers['content-type'] ?? '')) {
      res.resume();
      throw new VctpError('vcenter', `vCenter ${this.name}: ${operation} failed: HTTP ${status} ${res.statusMessage ?? ''} (not a SOAP response)`);
    }
    let handlerError: unknown;
    const stream = options.stream;
    const parser = new SaxValueParser({
      arrayFields: ARRAY_RESULT_OPERATIONS.has(operation) ? ARRAY_FIELDS_WITH_RETURNVAL : ARRAY_FIELDS,
      stream: stream && {
        path: ['Envelope', 'Body', `${operation}Response`, ...stream.path],
        onValue: (value) => {
          try {
            stream.onValue(value);
          } catch (error) {
            handlerError = error;
            throw error;
          }
        },
      },
    });
    res.setEncoding('utf8');
    let doc: VimValue | undefined;
    try {
      for await (const chunk of res) parser.write(chunk as string);
      doc = parser.end();
    } catch (error) {
      if (error === handlerError || isSocketError(error)) throw error;
      throw new VctpError('vcenter', `vCenter ${this.name}: ${operation}: unreadable response (HTTP ${status}): ${errorText(error)}`, {
        cause: error,
      });
    }
    const body = asObject(asObject(doc)?.['Body']);
    const fault = body?.['Fault'];
    if (fault !== undefined) throw faultFromSoap(this.name, operation, fault);
    const response = body?.[`${operation}Response`];
    if (status !== 200 || response === undefined) {
      throw new VctpError('vcenter', `vCenter ${this.name}: ${operation} failed: HTTP ${status} without a ${operation}Response`);
    }
    const returnval = asObject(response)?.['returnval'];
    return ARRAY_RESULT_OPERATIONS.has(operation) ? asArray(returnval) : returnval;
  }

  /** Keep `vmware_soap_session=<value>` exactly as the server sent it (quotes included). */
  private keepCookie(setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      if (line.startsWith(`${SESSION_COOKIE}=`)) {
        const end = line.indexOf(';');
        this.cookie = end === -1 ? line : line.slice(0, end);
      }
    }
  }
}

function parseServiceContent(name: string, value: VimValue | undefined): ServiceContent {
  const sc = asObject(value);
  const about = asObject(sc?.['about']);
  const rootFolder = asMoRef(sc?.['rootFolder']);
  const propertyCollector = asMoRef(sc?.['propertyCollector']);
  const viewManager = asMoRef(sc?.['viewManager']);
  const sessionManager = asMoRef(sc?.['sessionManager']);
  const apiVersion = asString(about?.['apiVersion']);
  if (!rootFolder || !propertyCollector || !viewManager || !sessionManager || !apiVersion) {
    throw new VctpError('vcenter', `vCenter ${name}: RetrieveServiceContent returned an incomplete ServiceContent (is this a vCenter /sdk URL?)`);
  }
  return {
    rootFolder,
    propertyCollector,
    viewManager,
    sessionManager,
    eventManager: asMoRef(sc?.['eventManager']),
    searchIndex: asMoRef(sc?.['searchIndex']),
    customFieldsManager: asMoRef(sc?.['customFieldsManager']),
    apiVersion,
    fullName: asString(about?.['fullName']) ?? '',
    instanceUuid: asString(about?.['instanceUuid']),
  };
}

function isSocketError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' || (error instanceof Error && error.name === 'AbortError');
}

