// The SAX value parser: xsi:type decides what a value is, arrays never collapse, and streamed
// elements reach the callback whole whatever the chunking, without staying in the tree.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseVimXml, SaxValueParser } from '../../src/vcenter/sax-value-parser.js';
import { MoRef, type VimValue } from '../../src/vcenter/vim-values.js';

const NS =
  'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" ' +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

function doc(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope ${NS}><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
}

/** Parse a single `<val>` element inside a response. */
function val(inner: string, extraNs = ''): VimValue | undefined {
  const root = parseVimXml(doc(`<R xmlns="urn:vim25" ${extraNs}>${inner}</R>`)) as Record<string, Record<string, Record<string, VimValue>>>;
  return root['Body']?.['R']?.['val'];
}

describe('SaxValueParser: xsi:type', () => {
  it('types xsd primitives: int, long, short, double, boolean; strings stay strings', () => {
    assert.equal(val('<val xsi:type="xsd:int">42</val>'), 42);
    assert.equal(val('<val xsi:type="xsd:long">53687091200</val>'), 53687091200);
    assert.equal(val('<val xsi:type="xsd:short">-3</val>'), -3);
    assert.equal(val('<val xsi:type="xsd:double">1.5</val>'), 1.5);
    assert.equal(val('<val xsi:type="xsd:boolean">true</val>'), true);
    assert.equal(val('<val xsi:type="xsd:boolean">false</val>'), false);
    assert.equal(val('<val xsi:type="xsd:boolean">1</val>'), true);
    assert.equal(val('<val xsi:type="xsd:string">007</val>'), '007');
    assert.equal(val('<val xsi:type="xsd:string"></val>'), '');
    assert.equal(val('<val xsi:type="xsd:dateTime">2024-05-01T10:00:00.123Z</val>'), '2024-05-01T10:00:00.123Z');
  });

  it('resolves the xsi:type prefix through namespace declarations, not by its spelling', () => {
    assert.equal(val('<val xsi:type="xs:int">7</val>', 'xmlns:xs="http://www.w3.org/2001/XMLSchema"'), 7);
    // A prefix bound elsewhere is not XML Schema: "int" is then a vim type name, kept as text.
    assert.equal(val('<val xsi:type="foo:int">7</val>', 'xmlns:foo="urn:not-schema"'), '7');
    // A differently-prefixed xsi namespace still marks the type.
    assert.equal(val('<val i:type="xsd:boolean" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">true</val>'), true);
    // An attribute called "type" in no namespace is not xsi:type.
    assert.deepEqual(val('<val type="VirtualMachine">vm-1</val>'), new MoRef('VirtualMachine', 'vm-1'));
  });

  it('reads ManagedObjectReference, typed or by its type attribute', () => {
    assert.deepEqual(val('<val xsi:type="ManagedObjectReference" type="HostSystem">host-9</val>'), new MoRef('HostSystem', 'host-9'));
    assert.ok(val('<val type="Folder">group-d1</val>') instanceof MoRef);
  });

  it('keeps ArrayOf* as arrays with zero, one or many elements and types their children', () => {
    assert.deepEqual(val('<val xsi:type="ArrayOfString"></val>'), []);
    assert.deepEqual(val('<val xsi:type="ArrayOfString"><string>a</string></val>'), ['a']);
    assert.deepEqual(val('<val xsi:type="ArrayOfString"><string>1</string><string>2</string></val>'), ['1', '2']);
    assert.deepEqual(val('<val xsi:type="ArrayOfInt"><int>1</int><int>2</int></val>'), [1, 2]);
    assert.deepEqual(val('<val xsi:type="ArrayOfLong"><long>9</long></val>'), [9]);
    assert.deepEqual(val('<val xsi:type="ArrayOfBoolean"><boolean>true</boolean></val>'), [true]);
    assert.deepEqual(val('<val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="VirtualMachine">vm-1</ManagedObjectReference></val>'), [
      new MoRef('VirtualMachine', 'vm-1'),
    ]);
    assert.deepEqual(val('<val xsi:type="ArrayOfAnyType"><anyType xsi:type="xsd:int">1</anyType><anyType xsi:type="xsd:string">x</anyType></val>'), [1, 'x']);
  });

  it('gives children of ArrayOf<DataObject> their type, unless they carry a more specific one', () => {
    const v = val(
      '<val xsi:type="ArrayOfOptionValue"><OptionValue><key>a</key><value xsi:type="xsd:string">1</value></OptionValue>' +
        '<OptionValue xsi:type="SpecialOption"><key>b</key></OptionValue></val>',
    );
    assert.deepEqual(v, [
      { $type: 'OptionValue', key: 'a', value: '1' },
      { $type: 'SpecialOption', key: 'b' },
    ]);
  });

  it('turns typed data objects into objects with $type and typed enums into text', () => {
    assert.deepEqual(val('<val xsi:type="ManagedByInfo"><extensionKey>com.vmware.vcDr</extensionKey><type>placeholderVm</type></val>'), {
      $type: 'ManagedByInfo',
      extensionKey: 'com.vmware.vcDr',
      type: 'placeholderVm',
    });
    assert.equal(val('<val xsi:type="VirtualMachinePowerState">poweredOn</val>'), 'poweredOn');
    assert.deepEqual(val('<val xsi:type="VirtualMachineStorageSummary"/>'), { $type: 'VirtualMachineStorageSummary' });
  });

  it('reads xsi:nil as null and decodes entities and CDATA', () => {
    assert.equal(val('<val xsi:nil="true"/>'), null);
    assert.equal(val('<val xsi:type="xsd:string">R&amp;D &lt;x&gt; &quot;q&quot;</val>'), 'R&D <x> "q"');
    assert.equal(val('<val xsi:type="xsd:string"><![CDATA[a<b]]></val>'), 'a<b');
  });
});

describe('SaxValueParser: untyped structure', () => {
  it('makes repeated children arrays and single ones scalars, unless listed as array fields', () => {
    const xml = doc('<R xmlns="urn:vim25"><returnval><a>1</a><b>x</b><b>y</b><objects><n>1</n></objects></returnval></R>');
    const plain = parseVimXml(xml) as any;
    assert.deepEqual(plain.Body.R.returnval, { a: '1', b: ['x', 'y'], objects: { n: '1' } });
    const hinted = parseVimXml(xml, { arrayFields: new Set(['objects']) }) as any;
    assert.deepEqual(hinted.Body.R.returnval.objects, [{ n: '1' }]);
  });

  it('does not nest an array value when a forced-array field repeats', () => {
    const xml = doc('<R xmlns="urn:vim25"><returnval><propSet><name>a</name></propSet><propSet><name>b</name></propSet></returnval></R>');
    const hinted = parseVimXml(xml, { arrayFields: new Set(['propSet']) }) as any;
    assert.deepEqual(hinted.Body.R.returnval.propSet, [{ name: 'a' }, { name: 'b' }]);
  });

  it('ignores whitespace between elements', () => {
    const xml = doc('<R xmlns="urn:vim25">\n  <returnval>\n    <a>1</a>\n  </returnval>\n</R>');
    assert.deepEqual((parseVimXml(xml) as any).Body.R.returnval, { a: '1' });
  });

  it('rejects malformed and truncated documents', () => {
    assert.throws(() => parseVimXml('<a><b></a>'));
    const parser = new SaxValueParser();
    const whole = doc('<R xmlns="urn:vim25"><returnval><a>1</a></returnval></R>');
    parser.write(whole.slice(0, whole.indexOf('<a>')));
    assert.throws(() => parser.end());
  });
});

describe('SaxValueParser: streaming', () => {
  const objects = Array.from(
    { length: 5 },
    (_, i) =>
      `<objects><obj type="VirtualMachine">vm-${i}</obj><propSet><name>name</name><val xsi:type="xsd:string">café-${i} ✓</val></propSet>` +
      `<propSet><name>config.hardware.numCPU</name><val xsi:type="xsd:int">${i}</val></propSet></objects>`,
  ).join('');
  const xml = doc(`<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><token>t1</token>${objects}</returnval></RetrievePropertiesExResponse>`);
  const path = ['Envelope', 'Body', 'RetrievePropertiesExResponse', 'returnval', 'objects'];

  it('hands each element on the path to the callback and keeps the rest of the tree', () => {
    const seen: VimValue[] = [];
    const parser = new SaxValueParser({ arrayFields: new Set(['propSet']), stream: { path, onValue: (v) => seen.push(v) } });
    parser.write(xml);
    const root = parser.end() as any;
    assert.equal(seen.length, 5);
    assert.deepEqual(seen[3], {
      obj: new MoRef('VirtualMachine', 'vm-3'),
      propSet: [
        { name: 'name', val: 'café-3 ✓' },
        { name: 'config.hardware.numCPU', val: 3 },
      ],
    });
    assert.deepEqual(root.Body.RetrievePropertiesExResponse.returnval, { token: 't1' });
  });

  it('gives the same values whatever the chunk boundaries', () => {
    const whole: VimValue[] = [];
    const p0 = new SaxValueParser({ stream: { path, onValue: (v) => whole.push(v) } });
    p0.write(xml);
    p0.end();
    for (const size of [1, 2, 3, 7, 64]) {
      const seen: VimValue[] = [];
      const parser = new SaxValueParser({ stream: { path, onValue: (v) => seen.push(v) } });
      for (let i = 0; i < xml.length; i += size) parser.write(xml.slice(i, i + size));
      parser.end();
      assert.deepEqual(seen, whole, `chunk size ${size}`);
    }
  });

  it('does not stream elements of the same name elsewhere in the document', () => {
    const other = doc('<Other xmlns="urn:vim25"><returnval><objects><n>1</n></objects></returnval></Other>');
    const seen: VimValue[] = [];
    const parser = new SaxValueParser({ stream: { path, onValue: (v) => seen.push(v) } });
    parser.write(other);
    const root = parser.end() as any;
    assert.equal(seen.length, 0);
    assert.deepEqual(root.Body.Other.returnval.objects, { n: '1' });
  });

  it('propagates an exception thrown by the callback', () => {
    const parser = new SaxValueParser({
      stream: {
        path,
        onValue: () => {
          throw new Error('boom');
        },
      },
    });
    assert.throws(() => parser.write(xml), /boom/);
  });
});
