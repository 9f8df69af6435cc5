// Custom attributes and tags captured from VMware's simulator (test/vcsim -attributes: SOAP custom
// fields, govmomi's vAPI tagging endpoint), through the real `vctp snapshot` job, on SQLite and
// PostgreSQL: stored once per distinct set, a change of one VM's attribute or tag opens exactly that
// VM's span, a tagging endpoint that fails or is absent changes nothing (one warning), and the
// values serve as cost dimensions in `vctp allocation`'s query.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { DEFAULT_TIER_PATTERNS } from '../../src/core/tiers.js';
import { attributeSetOf, parseAttributeSet } from '../../src/core/vm-attributes.js';
import type { JobContext } from '../../src/jobs/context.js';
import { readAllocation } from '../../src/queries/allocation.js';
import { runSnapshot, type SnapshotSettings } from '../../src/jobs/snapshot.js';
import { createLogger, silentLogger } from '../../src/log/logger.js';
import type { Store } from '../../src/store/executor.js';
import { collectInventory, retrieveProperties, VimSession, vcenterName } from '../../src/vcenter/index.js';
import { setCustomAttribute, setVmTag } from '../../src/vcenter/simulator-changes.js';
import { VapiSession } from '../../src/vcenter/vapi-session.js';
import { MoRef, asArray, asObject, asString } from '../../src/vcenter/vim-values.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js';
import { startVcsim, type Vcsim } from '../helpers/vcsim.js';

const USER = 'vctp-test';
const PASSWORD = 'S3cret&<pass>';
const T1 = 1_776_762_000; // 2026-04-21T09:00:00Z
const H = 3600;

interface OpenSpanRow {
  vm_id: string;
  span_id: number;
  first_seen: number;
  attributes_id: number;
  attributes: string | null;
}

async function openSpans(store: Store, vcenter: string): Promise<Map<string, OpenSpanRow>> {
  const rows = await store.all<OpenSpanRow>(sql`
    SELECT l.vm_id, s.id AS span_id, s.first_seen, s.attributes_id, a.attributes
    FROM vm_spans s JOIN vm_lifecycle l ON l.id = s.lifecycle_id
    LEFT JOIN vm_attribute_sets a ON a.id = s.attributes_id
    WHERE s.vcenter_id = (SELECT id FROM vcenters WHERE name = ${vcenter}) AND s.last_seen IS NULL`);
  return new Map(
    rows.map((r) => [
      r.vm_id,
      { ...r, span_id: Number(r.span_id), first_seen: Number(r.first_seen), attributes_id: Number(r.attributes_id) },
    ]),
  );
}

/** The stored set of a span as key -> value ({} for id 0). */
const setOf = (row: OpenSpanRow): Record<string, string> => Object.fromEntries(parseAttributeSet(row.attributes ?? '{}'));

/** A logger whose warnings land in `warnings` (message texts). */
function recordingContext(store: Store, warnings: string[]): JobContext {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        const parsed = JSON.parse(line) as { level: number; msg: string };
        if (parsed.level === 40) warnings.push(parsed.msg);
      }
      done();
    },
  });
  return { store, log: createLogger({ level: 'warn', output: 'json', destination: sink }), now: () => Date.UTC(2026, 3, 21, 18) };
}

function settingsFor(sim: Vcsim): SnapshotSettings {
  return {
    vcenter_addresses: [sim.url],
    vcenter_username: USER,
    vcenter_insecure: false,
    vcenter_ca_file: sim.caFile!,
    hourly_snapshot_concurrency: 0,
    hourly_snapshot_retry_seconds: 0,
    hourly_snapshot_max_retries: 0,
    lock_wait_seconds: 5,
    vcenter_inventory_snapshot_seconds: 3600,
    tier_patterns: DEFAULT_TIER_PATTERNS,
    tenants_to_filter: [],
    node_charge_clusters: [],
    srm_activeactive_vms: [],
  };
}

async function login(sim: Vcsim): Promise<VimSession> {
  return VimSession.login({ url: sim.url, username: USER, password: PASSWORD, insecure: false, caFile: sim.caFile ?? null }, silentLogger());
}

/** customValue of every VM read by hand (RetrieveProperties per VM), as name -> value: not the collector's path. */
async function customValuesByHand(session: VimSession, vmIds: readonly string[]): Promise<Map<string, Record<string, string>>> {
  const manager = session.serviceContent.customFieldsManager!;
  const [fields] = await retrieveProperties(session, [manager], 'CustomFieldsManager', ['field']);
  const names = new Map<number, string>();
  for (const def of asArray(fields?.props['field'])) names.set(Number(asObject(def)?.['key']), asString(asObject(def)?.['name'])!);
  const result = new Map<string, Record<string, string>>();
  for (const content of await retrieveProperties(session, vmIds.map((id) => new MoRef('VirtualMachine', id)), 'VirtualMachine', ['customValue'])) {
    const values: Record<string, string> = {};
    for (const item of asArray(content.props['customValue'])) {
      const value = asString(asObject(item)?.['value']) ?? '';
      const name = names.get(Number(asObject(item)?.['key']))!;
      if (value === '') delete values[name];
      else values[name] = value;
    }
    result.set(content.obj.value, values);
  }
  return result;
}

async function runAt(ctx: JobContext, settings: SnapshotSettings, at: number): Promise<void> {
  const result = await runSnapshot(ctx, settings, { at, password: PASSWORD });
  assert.equal(result.skipped, false);
  if (result.skipped) return;
  assert.deepEqual(result.outcomes.map((o) => [o.ok, o.error]), [[true, undefined]]);
}

describe('custom attributes and tags from the simulator', () => {
  for (const engine of ENGINES) {
    describe(engine, () => {
      let db: TestDatabase;
      let store: Store;
      let sim: Vcsim;
      let session: VimSession;
      let settings: SnapshotSettings;
      let name: string;
      const warnings: string[] = [];
      let ctx: JobContext;

      before(async () => {
        sim = await startVcsim({
          dc: 1, cluster: 2, host: 1, vm: 15, seed: 3, attributes: true,
          certDir: mkdtempSync(join(tmpdir(), 'vctp-attr-')), username: USER, password: PASSWORD,
        });
        db = await createTestDatabase(engine);
        store = await db.open();
        session = await login(sim);
        settings = settingsFor(sim);
        name = vcenterName(sim.url);
        ctx = recordingContext(store, warnings);
      });
      after(async () => {
        await session?.logout();
        await store?.close();
        await db?.drop();
        await sim?.stop();
      });

      it('stores every VM set once, as the simulator has them, in a few vAPI calls', async () => {
        const before = await sim.vapiStats();
        await runAt(ctx, settings, T1);
        const calls = (await sim.vapiStats()).requests - before.requests;
        // login, the tag list, one list-attached-objects-on-tags (7 tags), the <= 6 tags on VMs, their
        // <= 2 categories, logout: whatever the number of VMs.
        assert.ok(calls >= 4 && calls <= 12, `vAPI requests per capture: ${calls}`);
        assert.deepEqual(warnings, []);

        const spans = await openSpans(store, name);
        assert.equal(spans.size, sim.info.vms);
        // Custom attributes exactly as customValue says, read by hand.
        const byHand = await customValuesByHand(session, [...spans.keys()]);
        for (const [vmId, row] of spans) {
          const custom = Object.fromEntries(Object.entries(setOf(row)).filter(([k]) => k.startsWith('custom_attribute:')).map(([k, v]) => [k.slice(17), v]));
          assert.deepEqual(custom, byHand.get(vmId), vmId);
        }
        // Tags: the simulator's categories, several of one category joined; Location is on hosts only.
        const sets = [...spans.values()].map(setOf);
        assert.ok(sets.some((s) => s['custom_attribute:Tenant'] !== undefined));
        assert.ok(sets.some((s) => s['tag:CostCentre'] !== undefined));
        assert.ok(sets.every((s) => s['tag:Location'] === undefined));
        for (const s of sets) {
          if (s['tag:Environment'] !== undefined) assert.match(s['tag:Environment'], /^(prod|test|dr, prod)$/);
        }
        // The dictionary: one row per distinct set, never the empty one.
        const stored = await store.all<{ id: number; attributes: string }>(sql`SELECT id, attributes FROM vm_attribute_sets`);
        assert.equal(new Set(stored.map((r) => r.attributes)).size, stored.length);
        assert.ok(stored.every((r) => r.attributes !== '{}'));
        const used = new Set([...spans.values()].map((r) => r.attributes ?? '{}'));
        used.delete('{}');
        assert.equal(stored.length, used.size);
      });

      it('collects the same through the /rest flavour in batches', async () => {
        const records = await collectInventory(session, { tagBatchSize: 4 });
        const spans = await openSpans(store, name);
        for (const r of records) {
          const tags = Object.fromEntries(Object.entries(setOf(spans.get(r.vmId)!)).filter(([k]) => k.startsWith('tag:')));
          const collected = Object.fromEntries([...(r.tags ?? new Map())].map(([c, names]) => [`tag:${c}`, [...names].sort().join(', ')]));
          assert.deepEqual(collected, tags, r.vmId);
        }
      });

      it('a changed custom attribute opens a span for that VM only', async () => {
        const beforeSpans = await openSpans(store, name);
        const [vmId, row] = [...beforeSpans].find(([, r]) => setOf(r)['custom_attribute:Tenant'] === 'acme')!;
        await setCustomAttribute(session, vmId, 'Tenant', 'umbrella');
        await runAt(ctx, settings, T1 + H);
        const afterSpans = await openSpans(store, name);
        for (const [id, old] of beforeSpans) {
          const now = afterSpans.get(id)!;
          if (id !== vmId) {
            assert.equal(now.span_id, old.span_id, `${id} kept its span`);
            continue;
          }
          assert.notEqual(now.span_id, old.span_id);
          assert.equal(now.first_seen, T1 + H);
          assert.notEqual(now.attributes_id, row.attributes_id);
          assert.deepEqual(setOf(now), { ...setOf(row), 'custom_attribute:Tenant': 'umbrella' });
        }
        const closed = await store.all<{ last_seen: number }>(sql`SELECT last_seen FROM vm_spans WHERE id = ${row.span_id}`);
        assert.equal(Number(closed[0]!.last_seen), T1);
      });

      it('a tag attached opens a span for that VM only; a set seen before is reused', async () => {
        const beforeSpans = await openSpans(store, name);
        // A VM without CostCentre gets the tag another VM has: its new set may already exist.
        const [vmId, row] = [...beforeSpans].find(([, r]) => setOf(r)['tag:CostCentre'] === undefined)!;
        await setVmTag(session, vmId, 'CostCentre', 'CC-100', true);
        const setsBefore = await store.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM vm_attribute_sets`);
        await runAt(ctx, settings, T1 + 2 * H);
        const afterSpans = await openSpans(store, name);
        const changed = [...afterSpans].filter(([id, r]) => r.span_id !== beforeSpans.get(id)!.span_id).map(([id]) => id);
        assert.deepEqual(changed, [vmId]);
        assert.deepEqual(setOf(afterSpans.get(vmId)!), { ...setOf(row), 'tag:CostCentre': 'CC-100' });
        const text = afterSpans.get(vmId)!.attributes!;
        const sameText = await store.all<{ id: number }>(sql`SELECT id FROM vm_attribute_sets WHERE attributes = ${text}`);
        assert.equal(sameText.length, 1);
        const setsAfter = await store.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM vm_attribute_sets`);
        assert.ok(Number(setsAfter[0]!.n) - Number(setsBefore[0]!.n) <= 1);
      });

      it('a tagging endpoint that fails keeps every span and warns once; custom attributes still change', async () => {
        const beforeSpans = await openSpans(store, name);
        const [vmId, row] = [...beforeSpans].find(([, r]) => setOf(r)['tag:Environment'] !== undefined)!;
        await setVmTag(session, vmId, 'Environment', setOf(row)['tag:Environment']!.split(', ')[0]!, false); // not seen: vAPI is down
        await setCustomAttribute(session, vmId, 'Owner', 'finance@example.com');
        warnings.length = 0;
        await sim.failVapi(0);
        try {
          await runAt(ctx, settings, T1 + 3 * H);
        } finally {
          await sim.resetVapi();
        }
        assert.equal(warnings.filter((w) => /tags unavailable/.test(w)).length, 1, warnings.join('\n'));
        const afterSpans = await openSpans(store, name);
        const changed = [...afterSpans].filter(([id, r]) => r.span_id !== beforeSpans.get(id)!.span_id).map(([id]) => id);
        assert.deepEqual(changed, [vmId]);
        // The tags carried forward (the detach is not seen), the new custom attribute is.
        assert.deepEqual(setOf(afterSpans.get(vmId)!), { ...setOf(row), 'custom_attribute:Owner': 'finance@example.com' });

        // The endpoint back: now the detach is seen.
        warnings.length = 0;
        await runAt(ctx, settings, T1 + 4 * H);
        assert.deepEqual(warnings, []);
        const later = await openSpans(store, name);
        assert.notEqual(later.get(vmId)!.span_id, afterSpans.get(vmId)!.span_id);
      });

      it('serves as cost dimensions: vctp allocation by tenant (custom attribute) and cost centre (tag)', async () => {
        const result = await readAllocation(ctx, {
          ...settings,
          rate_cards: [],
          cost_dimensions: [
            { name: 'tenant', from: 'custom_attribute:Tenant', default: 'unassigned' },
            { name: 'cost_centre', from: 'tag:CostCentre', default: 'unassigned' },
          ],
        }, { window: '2026-04-21..2026-04-21', by: 'tenant,cost_centre' });
        // Each VM is placed by its latest sample: its open span's set.
        const expected = new Map<string, number>();
        for (const row of (await openSpans(store, name)).values()) {
          const set = setOf(row);
          const key = `${set['custom_attribute:Tenant'] ?? 'unassigned'}/${set['tag:CostCentre'] ?? 'unassigned'}`;
          expected.set(key, (expected.get(key) ?? 0) + 1);
        }
        const got = new Map(result.rows.map((r) => [`${r['tenant']}/${r['cost_centre']}`, r.vms]));
        assert.deepEqual(new Map([...got].sort()), new Map([...expected].sort()));
        assert.ok([...got.keys()].some((k) => k.startsWith('umbrella/')), 'the changed tenant is a row');
      });
    });
  }
});

describe('the /api flavour (vCenter 7.0 U2+)', () => {
  const sims: Vcsim[] = [];
  after(async () => {
    await Promise.all(sims.map((s) => s.stop()));
  });

  it('is preferred when served, and reads the same tags as /rest', async () => {
    const common = { dc: 1, cluster: 1, host: 1, vm: 10, seed: 5, attributes: true, username: USER, password: PASSWORD };
    const [api, rest] = await Promise.all([
      startVcsim({ ...common, vapiApi: true, certDir: mkdtempSync(join(tmpdir(), 'vctp-api-')) }),
      startVcsim({ ...common, certDir: mkdtempSync(join(tmpdir(), 'vctp-rest-')) }),
    ]);
    sims.push(api, rest);
    const tagsByName = async (sim: Vcsim, flavour: string): Promise<Record<string, string>> => {
      const session = await login(sim);
      try {
        const vapi = await VapiSession.login(session);
        assert.equal(vapi.flavour, flavour);
        await vapi.logout();
        const records = await collectInventory(session, { tagBatchSize: 3 });
        return Object.fromEntries(records.map((r) => [r.name, attributeSetOf(new Map(), r.tags)]));
      } finally {
        await session.logout();
      }
    };
    const viaApi = await tagsByName(api, 'api');
    assert.ok(Object.values(viaApi).some((s) => s.includes('tag:')));
    assert.deepEqual(viaApi, await tagsByName(rest, 'rest'));
  });
});

describe('a vCenter without a tagging endpoint', () => {
  let sim: Vcsim;
  let db: TestDatabase;
  let store: Store;
  after(async () => {
    await store?.close();
    await db?.drop();
    await sim?.stop();
  });

  it('is captured with its custom attributes and one warning, and its spans stay put', async () => {
    sim = await startVcsim({
      dc: 1, cluster: 1, host: 1, vm: 6, seed: 4, attributes: true, vapi: false,
      certDir: mkdtempSync(join(tmpdir(), 'vctp-novapi-')), username: USER, password: PASSWORD,
    });
    db = await createTestDatabase('sqlite');
    store = await db.open();
    const warnings: string[] = [];
    const ctx = recordingContext(store, warnings);
    await runAt(ctx, settingsFor(sim), T1);
    assert.equal(warnings.filter((w) => /tags unavailable/.test(w)).length, 1, warnings.join('\n'));
    const spans = await openSpans(store, vcenterName(sim.url));
    const sets = [...spans.values()].map(setOf);
    assert.ok(sets.some((s) => s['custom_attribute:Tenant'] !== undefined));
    assert.ok(sets.every((s) => Object.keys(s).every((k) => k.startsWith('custom_attribute:'))));
    await runAt(ctx, settingsFor(sim), T1 + H);
    const again = await openSpans(store, vcenterName(sim.url));
    for (const [id, r] of spans) assert.equal(again.get(id)!.span_id, r.span_id);
  });
});
