// Request envelopes: well-formed, escaped, elements in WSDL order; SOAP faults read back as
// typed errors. Each request is parsed back with our own parser to check what the server sees.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VctpError } from '../../src/core/errors.js';
import { parseVimXml } from '../../src/vcenter/sax-value-parser.js';
import {
  containerViewFilterSpec,
  el,
  envelope,
  escapeXml,
  eventFilterSpecXml,
  moRefXml,
  objectsFilterSpec,
  operationXml,
  soapAction,
} from '../../src/vcenter/soap-envelope.js';
import { connectionError, faultFromMethodFault, faultFromSoap, VimFaultError } from '../../src/vcenter/vim-errors.js';
import { MoRef } from '../../src/vcenter/vim-values.js';
import { vcenterName } from '../../src/vcenter/vim-session.js';

function body(xml: string): any {
  return (parseVimXml(xml) as any).Body;
}

/** Element local names of `xml`'s operation body, in document order, one level below `parent`. */
function childOrder(xml: string, parent: string): string[] {
  const start = xml.indexOf(`<${parent}>`) + parent.length + 2;
  const end = xml.indexOf(`</${parent}>`, start);
  const names: string[] = [];
  let depth = 0;
  for (const m of xml.slice(start, end).matchAll(/<(\/?)([A-Za-z_]+)[^>]*?(\/?)>/g)) {
    if (m[1] === '/') depth--;
    else {
      if (depth === 0) names.push(m[2]!);
      if (m[3] !== '/') depth++;
    }
  }
  return names;
}

describe('soap-envelope', () => {
  it('escapes every XML special character', () => {
    assert.equal(escapeXml(`a&b<c>d"e'f`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f');
    assert.equal(el('password', `p&ss<"'>`), '<password>p&amp;ss&lt;&quot;&apos;&gt;</password>');
  });

  it('builds a Login envelope that round-trips a password full of markup', () => {
    const password = `]]></password><x>&amp;"'`;
    const xml = envelope(
      operationXml('Login', moRefXml('_this', new MoRef('SessionManager', 'SessionManager')) + el('userName', 'a@b') + el('password', password)),
    );
    const login = body(xml).Login;
    assert.equal(login.password, password);
    assert.equal(login.userName, 'a@b');
    assert.deepEqual(login._this, new MoRef('SessionManager', 'SessionManager'));
    assert.match(xml, /<Login xmlns="urn:vim25">/);
  });

  it('names the API version in SOAPAction', () => {
    assert.equal(soapAction('8.0.2.0'), 'urn:vim25/8.0.2.0');
  });

  it('builds a ContainerView filter spec in PropertyFilterSpec/ObjectSpec/TraversalSpec order', () => {
    const xml = envelope(
      operationXml(
        'RetrievePropertiesEx',
        moRefXml('_this', new MoRef('PropertyCollector', 'propertyCollector')) +
          containerViewFilterSpec(new MoRef('ContainerView', 'session[1]view-1'), [{ type: 'VirtualMachine', pathSet: ['name', 'config.uuid'] }]) +
          `<options>${el('maxObjects', 100)}</options>`,
      ),
    );
    assert.deepEqual(childOrder(xml, 'specSet'), ['propSet', 'objectSet']);
    assert.deepEqual(childOrder(xml, 'propSet'), ['type', 'pathSet', 'pathSet']);
    assert.deepEqual(childOrder(xml, 'objectSet'), ['obj', 'skip', 'selectSet']);
    const spec = body(xml).RetrievePropertiesEx.specSet;
    assert.deepEqual(spec.objectSet.selectSet, { $type: 'TraversalSpec', name: 'traverseView', type: 'ContainerView', path: 'view', skip: 'false' });
    assert.equal(body(xml).RetrievePropertiesEx.options.maxObjects, '100');
  });

  it('builds a filter spec for explicit objects', () => {
    const xml = objectsFilterSpec([new MoRef('Task', 'task-1'), new MoRef('Task', 'task-2')], 'Task', ['info.state']);
    assert.equal((xml.match(/<objectSet>/g) ?? []).length, 2);
    assert.match(xml, /^<specSet><propSet><type>Task<\/type><pathSet>info.state<\/pathSet><\/propSet>/);
  });

  it('builds an EventFilterSpec in WSDL order: entity, time, eventTypeId, maxCount', () => {
    const xml = eventFilterSpecXml({
      entity: { ref: new MoRef('VirtualMachine', 'vm-1'), recursion: 'self' },
      beginTime: '2024-01-01T00:00:00.000Z',
      eventTypeIds: ['VmCreatedEvent', 'VmClonedEvent'],
      maxCount: 50,
    });
    assert.deepEqual(childOrder(xml, 'filter'), ['entity', 'time', 'eventTypeId', 'eventTypeId', 'maxCount']);
    assert.equal(eventFilterSpecXml({ eventTypeIds: ['VmRemovedEvent'] }), '<filter><eventTypeId>VmRemovedEvent</eventTypeId></filter>');
  });
});

describe('vim-errors', () => {
  const faultXml = (detail: string): string =>
    '<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode>' +
    `<faultstring>Cannot complete login due to an incorrect user name or password.</faultstring>${detail}</soapenv:Fault></soapenv:Body></soapenv:Envelope>`;

  it('names the fault after the detail xsi:type, the vCenter and the operation', () => {
    const fault = body(faultXml('<detail><InvalidLoginFault xmlns="urn:vim25" xsi:type="InvalidLogin"></InvalidLoginFault></detail>')).Fault;
    const error = faultFromSoap('vc1.example.com', 'Login', fault);
    assert.ok(error instanceof VimFaultError);
    assert.ok(error instanceof VctpError);
    assert.equal(error.code, 'vcenter');
    assert.equal(error.faultName, 'InvalidLogin');
    assert.equal(error.vcenter, 'vc1.example.com');
    assert.equal(error.operation, 'Login');
    assert.match(error.message, /^vCenter vc1\.example\.com: Login failed with InvalidLogin: Cannot complete login/);
  });

  it('falls back to the detail element name, then to the faultcode', () => {
    const byName = faultFromSoap('vc', 'X', body(faultXml('<detail><NotAuthenticatedFault xmlns="urn:vim25"/></detail>')).Fault);
    assert.equal(byName.faultName, 'NotAuthenticated');
    const bare = faultFromSoap('vc', 'X', body(faultXml('')).Fault);
    assert.equal(bare.faultName, 'ServerFaultCode');
  });

  it('reads a task LocalizedMethodFault', () => {
    const error = faultFromMethodFault('vc', 'VirtualMachine.destroy', {
      $type: 'LocalizedMethodFault',
      fault: { $type: 'InvalidPowerState' },
      localizedMessage: 'The attempted operation cannot be performed in the current state (Powered on).',
    });
    assert.equal(error.faultName, 'InvalidPowerState');
    assert.match(error.message, /VirtualMachine\.destroy failed with InvalidPowerState: The attempted/);
  });

  it('explains untrusted certificates with the settings that fix them', () => {
    const tls = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const error = connectionError('vc:8443', 'RetrieveServiceContent', tls);
    assert.equal(error.code, 'vcenter');
    assert.match(error.message, /^vCenter vc:8443: TLS certificate verification failed during RetrieveServiceContent/);
    assert.match(error.message, /vcenter_ca_file/);
    assert.match(error.message, /vcenter_insecure/);
  });

  it('names the vCenter, the operation and the cause of socket errors', () => {
    const reset = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    assert.equal(
      connectionError('vc', 'ContinueRetrievePropertiesEx', reset).message,
      'vCenter vc: ContinueRetrievePropertiesEx: connection reset by the server (ECONNRESET: aborted)',
    );
  });
});

describe('vcenterName', () => {
  it('is host[:port] of the SDK URL, default port dropped, host lower-cased', () => {
    assert.equal(vcenterName('https://VC1.Example.com/sdk'), 'vc1.example.com');
    assert.equal(vcenterName('https://vc1.example.com:443/sdk'), 'vc1.example.com');
    assert.equal(vcenterName('https://vc1.example.com:8443/sdk'), 'vc1.example.com:8443');
    assert.equal(vcenterName('https://[::1]:8989/sdk'), '[::1]:8989');
    assert.throws(() => vcenterName('vc1.example.com'), (e: unknown) => e instanceof VctpError && e.code === 'config');
  });
});
