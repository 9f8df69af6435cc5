// One vAPI (vSphere Automation REST API) session beside a vim25 session: what tags are read
// through (src/vcenter/tags.ts). vAPI does not take a vim25 session, so it logs in with the same
// user and password (HTTP Basic, once) and then sends its own session id in the
// `vmware-api-session-id` header, on the vim25 session's sockets and TLS settings.
//
// Two flavours of the same API: `/api/...` (vCenter 7.0 U2 and later; plain JSON) and
// `/rest/com/vmware/...` (vCenter 6.5 to 8; answers wrapped in {"value": ...}, actions as
// `~action=`). The login tries `/api/session` first and falls back to `/rest/com/vmware/cis/session`
// when that answers anything but success or a refusal (401, 403). Nothing here logs a header or a body: the login carries
// the password and every call the session id.
import type { IncomingMessage } from 'node:http';
import { VctpError } from '../core/errors.js';
import type { SoapTransport } from './transport.js';
import type { VimSession } from './vim-session.js';

export type VapiFlavour = 'api' | 'rest';

const SESSION_HEADER = 'vmware-api-session-id';
/** Answers larger than this are refused: tag listings are kilobytes, not megabytes. */
const MAX_ANSWER_BYTES = 64 << 20;

/** An answer other than 2xx; 404 is told apart (an endpoint or object that does not exist). */
export class VapiHttpError extends VctpError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super('vcenter', message);
    this.name = 'VapiHttpError';
  }
}

export class VapiSession {
  private closed = false;

  private constructor(
    private readonly vcenter: string,
    private readonly transport: SoapTransport,
    private readonly timeoutMs: number,
    readonly flavour: VapiFlavour,
    private readonly sessionId: string,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** Logs in next to `vim`. Throws a VctpError naming the vCenter when neither flavour answers. */
  static async login(vim: VimSession, signal?: AbortSignal): Promise<VapiSession> {
    const { transport, username, password, timeoutMs } = vim.vapiAccess();
    const basic = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
    const attempts: [VapiFlavour, string][] = [
      ['api', '/api/session'],
      ['rest', '/rest/com/vmware/cis/session'],
    ];
    for (const [flavour, path] of attempts) {
      try {
        const answer = await send(vim.name, transport, timeoutMs, signal, 'POST', path, { authorization: basic }, undefined);
        const id = flavour === 'api' ? answer : unwrap(answer);
        if (typeof id !== 'string' || id === '') throw new VctpError('vcenter', `vCenter ${vim.name}: vAPI POST ${path} returned no session id`);
        return new VapiSession(vim.name, transport, timeoutMs, flavour, id, signal);
      } catch (error) {
        const refused = error instanceof VapiHttpError && (error.status === 401 || error.status === 403);
        // Before 7.0 U2 /api does not exist: 404, or whatever a proxy in front answers. /rest decides.
        if (error instanceof VapiHttpError && !refused && flavour === 'api') continue;
        if (refused) {
          throw new VctpError('vcenter', `vCenter ${vim.name}: vAPI login refused for user ${username} (HTTP ${(error as VapiHttpError).status} on POST ${path})`);
        }
        throw error;
      }
    }
    // Unreachable: the last attempt returns or throws.
    throw new VctpError('internal', 'vAPI login fell through');
  }

  /** GET `path` (below /api or /rest, by flavour); the answer unwrapped from {"value"}. */
  get(path: string): Promise<unknown> {
    return this.call('GET', path, undefined);
  }

  /** POST `path` with a JSON body; the answer unwrapped. */
  post(path: string, body: unknown): Promise<unknown> {
    return this.call('POST', path, body);
  }

  /** Ends the session on the server; never throws (the server drops it when it expires). */
  async logout(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const path = this.flavour === 'api' ? '/api/session' : '/rest/com/vmware/cis/session';
    try {
      await send(this.vcenter, this.transport, Math.min(this.timeoutMs, 5_000), undefined, 'DELETE', path, { [SESSION_HEADER]: this.sessionId }, undefined);
    } catch {
      // Logging out is a courtesy; the capture's outcome does not depend on it.
    }
  }

  private async call(method: 'GET' | 'POST', path: string, body: unknown): Promise<unknown> {
    if (this.closed) throw new VctpError('internal', `vAPI ${method} ${path} on a closed session`);
    const answer = await send(this.vcenter, this.transport, this.timeoutMs, this.signal, method, path, { [SESSION_HEADER]: this.sessionId }, body);
    return this.flavour === 'rest' ? unwrap(answer) : answer;
  }
}

/** /rest answers wrap their value: {"value": ...}; an empty answer (no body) is undefined. */
function unwrap(answer: unknown): unknown {
  if (answer === undefined) return undefined;
  if (typeof answer === 'object' && answer !== null && 'value' in answer) return (answer as { value: unknown }).value;
  return undefined;
}

async function send(
  vcenter: string,
  transport: SoapTransport,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<unknown> {
  const text = body === undefined ? '' : JSON.stringify(body);
  const operation = `vAPI ${method} ${path.split('?')[0]}`;
  return transport.post(
    {
      operation,
      method,
      path,
      headers: {
        ...headers,
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        // No cookie: the session id travels in the header only.
        'vmware-use-header-authn': 'true',
      },
      body: text,
      timeoutMs,
      signal,
    },
    (res) => readJson(vcenter, operation, res),
  );
}

async function readJson(vcenter: string, operation: string, res: IncomingMessage): Promise<unknown> {
  const status = res.statusCode ?? 0;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > MAX_ANSWER_BYTES) throw new VctpError('vcenter', `vCenter ${vcenter}: ${operation}: answer larger than ${MAX_ANSWER_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (status < 200 || status > 299) {
    throw new VapiHttpError(status, `vCenter ${vcenter}: ${operation} failed: HTTP ${status} ${res.statusMessage ?? ''}`.trimEnd());
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new VctpError('vcenter', `vCenter ${vcenter}: ${operation}: the answer is not JSON (HTTP ${status})`);
  }
}
