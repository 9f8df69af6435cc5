// Wire behaviour the simulator cannot produce on demand: a response cut off mid-body, a server
// that never answers, a proxy's HTML error page, exact cookie echo, SOAPAction versions and
// secrets kept out of logs. A minimal loopback server answers just enough SOAP for a login.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { VctpError } from '../../src/core/errors.js';
import { VimSession } from '../../src/vcenter/vim-session.js';

const COOKIE = 'vmware_soap_session="52a1e0c3-dead-beef-0000-5f2e6c1b9a77"';
const PASSWORD = 'pa$$w0rd&<secret>';

function soap(inner: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>' +
    inner +
    '</soapenv:Body></soapenv:Envelope>'
  );
}

const SERVICE_CONTENT = soap(
  '<RetrieveServiceContentResponse xmlns="urn:vim25"><returnval><rootFolder type="Folder">group-d1</rootFolder>' +
    '<propertyCollector type="PropertyCollector">propertyCollector</propertyCollector><viewManager type="ViewManager">ViewManager</viewManager>' +
    '<about><fullName>Fake vCenter</fullName><apiVersion>8.0.2.0</apiVersion></about>' +
    '<sessionManager type="SessionManager">SessionManager</sessionManager><eventManager type="EventManager">EventManager</eventManager>' +
    '</returnval></RetrieveServiceContentResponse>',
);

interface Seen {
  operation: string;
  soapAction: string | undefined;
  cookie: string | undefined;
}

describe('VimSession over a misbehaving server', () => {
  let server: Server;
  let url: string;
  const seen: Seen[] = [];
  /** What the server does for operations other than RetrieveServiceContent/Login/Logout. */
  let behaviour: (res: ServerResponse) => void = () => {};

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        const operation = /<soapenv:Body><(\w+)/.exec(body)?.[1] ?? '?';
        seen.push({ operation, soapAction: req.headers['soapaction'] as string | undefined, cookie: req.headers['cookie'] });
        res.setHeader('Content-Type', 'text/xml; charset=utf-8');
        if (operation === 'RetrieveServiceContent') {
          res.setHeader('Set-Cookie', `${COOKIE}; Path=/; HttpOnly; Secure`);
          res.end(SERVICE_CONTENT);
        } else if (operation === 'Login') {
          res.end(soap('<LoginResponse xmlns="urn:vim25"><returnval><key>k</key><userName>u</userName></returnval></LoginResponse>'));
        } else if (operation === 'Logout') {
          res.end(soap('<LogoutResponse xmlns="urn:vim25"></LogoutResponse>'));
        } else behaviour(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sdk`;
  });
  after(() => server.close());

  async function login(lines: string[] = [], timeoutMs = 2000): Promise<VimSession> {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    return VimSession.login({ url, username: 'admin@vsphere.local', password: PASSWORD, insecure: false, timeoutMs }, pino({ level: 'trace' }, sink));
  }

  it('echoes the session cookie exactly, switches SOAPAction to the reported apiVersion, logs no secret', async () => {
    seen.length = 0;
    behaviour = (res) => res.end(soap('<CurrentTimeResponse xmlns="urn:vim25"><returnval>2024-01-01T00:00:00Z</returnval></CurrentTimeResponse>'));
    const lines: string[] = [];
    const session = await login(lines);
    assert.equal(session.apiVersion, '8.0.2.0');
    assert.equal(await session.invoke('CurrentTime', '<_this type="ServiceInstance">ServiceInstance</_this>'), '2024-01-01T00:00:00Z');
    await session.logout();
    assert.deepEqual(
      seen.map((s) => [s.operation, s.soapAction, s.cookie]),
      [
        ['RetrieveServiceContent', 'urn:vim25/6.5', undefined],
        ['Login', 'urn:vim25/8.0.2.0', COOKIE],
        ['CurrentTime', 'urn:vim25/8.0.2.0', COOKIE],
        ['Logout', 'urn:vim25/8.0.2.0', COOKIE],
      ],
    );
    const log = lines.join('');
    assert.ok(log.includes('"operation":"Login"'), 'calls are logged at debug level');
    assert.ok(!log.includes(PASSWORD) && !log.includes('secret') && !log.includes('52a1e0c3'), 'no password or cookie in logs');
  });

  it('reports a response cut off mid-body with the vCenter and the operation', async () => {
    behaviour = (res) => {
      res.write(soap('<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects>').slice(0, 300));
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const session = await login();
    await assert.rejects(session.invoke('RetrievePropertiesEx', ''), (error: unknown) => {
      assert.ok(error instanceof VctpError);
      assert.equal(error.code, 'vcenter');
      assert.match(error.message, new RegExp(`^vCenter 127\\.0\\.0\\.1:\\d+: RetrievePropertiesEx: `));
      assert.match(error.message, /ECONNRESET|aborted|closed/);
      return true;
    });
    await session.logout();
  });

  it('times out a request that gets no answer', async () => {
    behaviour = () => {}; // never answers
    const session = await login([], 300);
    const started = Date.now();
    await assert.rejects(session.invoke('RetrievePropertiesEx', ''), /RetrievePropertiesEx timed out after 300 ms/);
    assert.ok(Date.now() - started < 2000);
    await session.logout();
  });

  it('passes a caller abort through as the abort reason', async () => {
    behaviour = () => {};
    const session = await login();
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop now')), 50);
    await assert.rejects(
      session.call('RetrievePropertiesEx', '', { signal: controller.signal }),
      (error: unknown) => error instanceof Error && error.message === 'stop now',
    );
    await session.logout();
  });

  it('reports a non-SOAP error page by HTTP status', async () => {
    behaviour = (res) => {
      res.writeHead(503, { 'Content-Type': 'text/html' });
      res.end('<html>Service Unavailable</html>');
    };
    const session = await login();
    await assert.rejects(session.invoke('RetrievePropertiesEx', ''), /RetrievePropertiesEx failed: HTTP 503/);
    await session.logout();
  });

  it('reports unparsable XML as an unreadable response', async () => {
    behaviour = (res) => res.end('<?xml version="1.0"?><soapenv:Envelope><oops></soapenv:Envelope>');
    const session = await login();
    await assert.rejects(session.invoke('RetrievePropertiesEx', ''), /RetrievePropertiesEx: unreadable response \(HTTP 200\)/);
    await session.logout();
  });

  it('names the vCenter when nothing listens', async () => {
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    await assert.rejects(
      VimSession.login({ url: `http://127.0.0.1:${port}/sdk`, username: 'u', password: 'p', insecure: false }, pino({ level: 'silent' })),
      new RegExp(`^VctpError: vCenter 127\\.0\\.0\\.1:${port}: RetrieveServiceContent: connection refused`),
    );
  });
});
