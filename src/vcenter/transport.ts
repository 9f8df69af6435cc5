// HTTP(S) requests to one vCenter — SOAP POSTs to its /sdk endpoint, and the vAPI's JSON calls
// (src/vcenter/vapi-session.ts) on the same sockets — handing the response body to the caller as a
// stream. Built on node:https rather than fetch: the global fetch needs an undici Agent for TLS
// options, and undici is not importable here without adding a dependency, while node:https gives
// everything we need — verification on by default, `insecure` to skip it, an extra CA added to
// Node's bundled roots (not replacing them), keep-alive, AbortSignal, and an IncomingMessage that
// decodes UTF-8 chunk by chunk (split multi-byte characters included) so a 24 MB response is
// parsed as it arrives and never held as one string.
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { VctpError } from '../core/errors.js';
import { connectionError, timeoutError } from './vim-errors.js';

export interface TransportOptions {
  insecure: boolean;
  caFile?: string | null | undefined;
}

export interface PostOptions {
  operation: string;
  /** Default POST. */
  method?: 'GET' | 'POST' | 'DELETE';
  /** Absolute path (and query) on the vCenter's host instead of the /sdk URL's, e.g. `/api/session`. */
  path?: string;
  headers: OutgoingHttpHeaders;
  body: string;
  /** The whole call (connect, TLS, request, the full response) must be done within this. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export class SoapTransport {
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;

  constructor(
    readonly name: string,
    readonly url: URL,
    options: TransportOptions,
  ) {
    if (url.protocol === 'https:') {
      this.agent = new https.Agent({
        keepAlive: true,
        maxSockets: 4,
        rejectUnauthorized: !options.insecure,
        // One secure context for every connection: passing `ca` instead makes Node parse all ~145
        // bundled roots again for each connection and rebuild a 221 KB pool key on every request.
        ...(options.caFile ? { secureContext: secureContextFor(name, options.caFile) } : {}),
      });
      this.request = https.request;
    } else if (url.protocol === 'http:') {
      // Plain HTTP only makes sense for a local simulator; nothing secret should cross it otherwise.
      this.agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
      this.request = http.request;
    } else {
      throw new VctpError('config', `vCenter ${name}: unsupported URL scheme ${url.protocol} (use https://host/sdk)`);
    }
  }

  /**
   * Send one request and let `consume` read the response. Failures of the socket, TLS, the
   * timeout or the caller's signal reject with an error naming the vCenter and the operation. The
   * timeout bounds everything, from the DNS lookup to the last byte of the response: a server that
   * accepts the connection and never answers (or trickles) fails after timeoutMs, its socket destroyed.
   */
  post<T>(options: PostOptions, consume: (res: IncomingMessage) => Promise<T>): Promise<T> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const fail = (error: unknown): unknown => {
      if (options.signal?.aborted) return options.signal.reason;
      if (timeout.aborted) return timeoutError(this.name, options.operation, options.timeoutMs, error);
      return connectionError(this.name, options.operation, error);
    };

    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (error: unknown, value?: T): void => {
        if (settled) return;
        settled = true;
        if (error === undefined) resolve(value as T);
        else reject(fail(error));
      };
      const req = this.request(
        options.path === undefined ? this.url : new URL(options.path, this.url),
        {
          method: options.method ?? 'POST',
          agent: this.agent,
          signal,
          headers: { ...options.headers, 'Content-Length': Buffer.byteLength(options.body) },
        },
        (res) => {
          consume(res).then(
            (value) => settle(undefined, value),
            (error: unknown) => {
              res.destroy();
              req.destroy();
              settle(error ?? new Error('response failed'));
            },
          );
        },
      );
      req.on('error', (error) => settle(error));
      req.end(options.body);
    });
  }

  /** Close idle keep-alive sockets; the transport is unusable afterwards. */
  close(): void {
    this.agent.destroy();
  }
}

// Per process and CA bundle: building one costs ~30 ms of CPU here (the bundled roots parsed again),
// which a process that logs in many times (the demo: one login per simulated hour) paid each time.
// Keyed by the file's content, so a CA file replaced on disk is read again.
const secureContexts = new Map<string, SecureContext>();

function secureContextFor(name: string, caFile: string): SecureContext {
  const pem = readCaFile(name, caFile);
  let context = secureContexts.get(pem);
  if (!context) {
    context = createSecureContext({ ca: [...rootCertificates, pem] });
    secureContexts.set(pem, context);
  }
  return context;
}

function readCaFile(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new VctpError('config', `vCenter ${name}: cannot read CA file ${path}: ${reason}`, { cause: error });
  }
}
