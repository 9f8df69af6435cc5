// PostgreSQL schema. Mirrors ./sqlite.ts column for column: the same SQL runs on both, so flags are
// 0/1 integers and times are unix seconds in both. Read README "Storage: state spans" for why hourly history
// is kept as state spans rather than one row per VM per hour.
import { sql } from 'drizzle-orm';
import { bigint, doublePrecision, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';

// Unix seconds need 64 bits past 2038; `mode: 'number'` keeps them JS numbers (exact to 2^53).
const unixTime = (name: string) => bigint(name, { mode: 'number' });
// Monthly sums of MiB and 0.01 GiB outgrow 32 bits on large VMs.
const sum64 = (name: string) => bigint(name, { mode: 'number' });

export const vcenters = pgTable('vcenters', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  name: text('name').notNull().unique(),
});

/** One row per successful snapshot or summary; a failed capture writes none. */
export const snapshotRegistry = pgTable(
  'snapshot_registry',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    vcenterId: integer('vcenter_id').notNull(),
    kind: text('kind').notNull(), // hourly | daily | monthly
    snapshotTime: unixTime('snapshot_time').notNull(),
    rowCount: integer('row_count').notNull(),
    durationMs: integer('duration_ms').notNull(),
    createdAt: unixTime('created_at').notNull(),
    /** Daily and monthly rows: samples the cadence expects, and how many the vCenter has. */
    expectedSamples: integer('expected_samples'),
    totalSamples: integer('total_samples'),
  },
  (t) => [uniqueIndex('snapshot_registry_vcenter_kind_time').on(t.vcenterId, t.kind, t.snapshotTime)],
);

/** One row per VM per vCenter: its id is the spec's InventoryId. last_seen stays NULL while present. */
export const vmLifecycle = pgTable(
  'vm_lifecycle',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    vcenterId: integer('vcenter_id').notNull(),
    vmId: text('vm_id').notNull(),
    creationTime: unixTime('creation_time').notNull().default(0),
    deletionTime: unixTime('deletion_time').notNull().default(0),
    firstSeen: unixTime('first_seen').notNull(),
    lastSeen: unixTime('last_seen'),
  },
  (t) => [uniqueIndex('vm_lifecycle_vcenter_vm').on(t.vcenterId, t.vmId)],
);

/** Identity values of a span, stored once per VM (a new row only when one of them changes). */
export const vmIdentities = pgTable('vm_identities', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  vmUuid: text('vm_uuid'),
  instanceUuid: text('instance_uuid'),
  eventKey: text('event_key'),
  cloudId: text('cloud_id'),
});

/** Placement values, shared by every span in the same place: a fleet has few distinct ones. */
export const vmPlacements = pgTable('vm_placements', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  resourcePool: text('resource_pool'),
  tier: text('tier'),
  datacenter: text('datacenter'),
  cluster: text('cluster'),
  folder: text('folder'),
});

/**
 * A VM's custom attributes and tags (by category), shared by every span with the same set: a
 * canonical JSON object such as {"custom_attribute:Tenant":"acme","tag:CostCentre":"cc-100"} (keys
 * sorted; several tags of one category joined with ", "). Id 0 (no row) is the empty set. Deduplicated
 * by capture, like placements.
 */
export const vmAttributeSets = pgTable('vm_attribute_sets', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  attributes: text('attributes').notNull(),
});

/** A VM's state over consecutive snapshots of its vCenter: present at every registry time in [first_seen, last_seen]. */
export const vmSpans = pgTable(
  'vm_spans',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    vcenterId: integer('vcenter_id').notNull(),
    lifecycleId: integer('lifecycle_id').notNull(),
    firstSeen: unixTime('first_seen').notNull(),
    lastSeen: unixTime('last_seen'),
    name: text('name').notNull(),
    identityId: integer('identity_id').notNull(),
    placementId: integer('placement_id').notNull(),
    provisionedDiskGb: doublePrecision('provisioned_disk_gb').notNull(),
    vcpuCount: integer('vcpu_count').notNull(),
    ramGb: doublePrecision('ram_gb').notNull(),
    isTemplate: integer('is_template').notNull(),
    poweredOn: integer('powered_on').notNull(),
    srmPlaceholder: integer('srm_placeholder').notNull(),
    /** vm_attribute_sets.id; 0 = none. */
    attributesId: integer('attributes_id').notNull().default(0),
  },
  // vm_spans_open is the index capture needs; the other two serve the read API's VM lookups (trace,
  // search): a name (or name prefix) ignoring ASCII case, and a VM's spans. Every index costs bytes
  // per span (README "Measured" and "Read API").
  (t) => [
    index('vm_spans_open').on(t.vcenterId).where(sql`${t.lastSeen} IS NULL`),
    index('vm_spans_name_lower').on(sql`lower(${t.name} COLLATE "C")`),
    index('vm_spans_lifecycle').on(t.lifecycleId),
  ],
);

const totalsColumns = {
  vmCount: integer('vm_count').notNull(),
  poweredOnCount: integer('powered_on_count').notNull(),
  templateCount: integer('template_count').notNull(),
  srmPlaceholderCount: integer('srm_placeholder_count').notNull(),
  nodeChargeVmCount: integer('node_charge_vm_count').notNull(),
  chargeableVmCount: doublePrecision('chargeable_vm_count').notNull(),
  vcpuTotal: doublePrecision('vcpu_total').notNull(),
  ramGbTotal: doublePrecision('ram_gb_total').notNull(),
  diskGbTotal: doublePrecision('disk_gb_total').notNull(),
  tinVmCount: doublePrecision('tin_vm_count').notNull(),
  bronzeVmCount: doublePrecision('bronze_vm_count').notNull(),
  silverVmCount: doublePrecision('silver_vm_count').notNull(),
  goldVmCount: doublePrecision('gold_vm_count').notNull(),
  untieredVmCount: doublePrecision('untiered_vm_count').notNull(),
  /** Daily and monthly rows: the period's cost, the sum of its summaries' (NULL for hourly and latest rows). */
  costVcpu: doublePrecision('cost_vcpu'),
  costRam: doublePrecision('cost_ram'),
  costDisk: doublePrecision('cost_disk'),
  costVm: doublePrecision('cost_vm'),
  costTotal: doublePrecision('cost_total'),
  /** Daily and monthly rows: samples expected by the cadence and present (missed = the difference). */
  expectedSamples: integer('expected_samples'),
  presentSamples: integer('present_samples'),
};

export const vcenterLatestTotals = pgTable('vcenter_latest_totals', {
  vcenterId: integer('vcenter_id').primaryKey(),
  snapshotTime: unixTime('snapshot_time').notNull(),
  ...totalsColumns,
});

export const vcenterAggregateTotals = pgTable(
  'vcenter_aggregate_totals',
  {
    vcenterId: integer('vcenter_id').notNull(),
    kind: text('kind').notNull(), // hourly | daily | monthly
    snapshotTime: unixTime('snapshot_time').notNull(),
    ...totalsColumns,
  },
  (t) => [primaryKey({ columns: [t.vcenterId, t.kind, t.snapshotTime] })],
);

/**
 * The columns shared by daily and monthly summaries: the VM's latest sample in the period
 * (identity, placement and sizing), its lifecycle, the exact integer sample sums, and the spec's
 * summary fields derived from them (src/core/summary-values.ts).
 */
const summaryColumns = {
  vcenterId: integer('vcenter_id').notNull(),
  lifecycleId: integer('lifecycle_id').notNull(),
  snapshotTime: unixTime('snapshot_time').notNull(),
  name: text('name').notNull(),
  identityId: integer('identity_id').notNull(),
  placementId: integer('placement_id').notNull(),
  provisionedDiskGb: doublePrecision('provisioned_disk_gb').notNull(),
  vcpuCount: integer('vcpu_count').notNull(),
  ramGb: doublePrecision('ram_gb').notNull(),
  isTemplate: integer('is_template').notNull(),
  poweredOn: integer('powered_on').notNull(),
  srmPlaceholder: integer('srm_placeholder').notNull(),
  creationTime: unixTime('creation_time').notNull(),
  deletionTime: unixTime('deletion_time').notNull(),
  samplesPresent: integer('samples_present').notNull(),
  totalSamples: integer('total_samples').notNull(),
  sumVcpu: sum64('sum_vcpu').notNull(),
  sumRamMb: sum64('sum_ram_mb').notNull(),
  sumDiskCentigb: sum64('sum_disk_centigb').notNull(),
  tinHits: integer('tin_hits').notNull(),
  bronzeHits: integer('bronze_hits').notNull(),
  silverHits: integer('silver_hits').notNull(),
  goldHits: integer('gold_hits').notNull(),
  avgIsPresent: doublePrecision('avg_is_present').notNull(),
  avgVcpuCount: doublePrecision('avg_vcpu_count').notNull(),
  avgRamGb: doublePrecision('avg_ram_gb').notNull(),
  avgProvisionedDisk: doublePrecision('avg_provisioned_disk').notNull(),
  poolTinPct: doublePrecision('pool_tin_pct').notNull(),
  poolBronzePct: doublePrecision('pool_bronze_pct').notNull(),
  poolSilverPct: doublePrecision('pool_silver_pct').notNull(),
  poolGoldPct: doublePrecision('pool_gold_pct').notNull(),
  tin: doublePrecision('tin').notNull(),
  bronze: doublePrecision('bronze').notNull(),
  silver: doublePrecision('silver').notNull(),
  gold: doublePrecision('gold').notNull(),
  /** The latest sample's vm_attribute_sets.id (0 = none). */
  attributesId: integer('attributes_id').notNull().default(0),
  // Cost (src/core/cost.ts): exact integer numerators, micro-currency x quantity, summed over the
  // present samples with each sample's rate card and tier; then the class-resolved money values,
  // one division each.
  costVcpuUnits: sum64('cost_vcpu_units').notNull().default(0),
  costRamUnits: sum64('cost_ram_units').notNull().default(0),
  costDiskUnits: sum64('cost_disk_units').notNull().default(0),
  costVmUnits: sum64('cost_vm_units').notNull().default(0),
  costTemplateUnits: sum64('cost_template_units').notNull().default(0),
  costSrmUnits: sum64('cost_srm_units').notNull().default(0),
  costNodeUnits: sum64('cost_node_units').notNull().default(0),
  costVcpu: doublePrecision('cost_vcpu').notNull().default(0),
  costRam: doublePrecision('cost_ram').notNull().default(0),
  costDisk: doublePrecision('cost_disk').notNull().default(0),
  costVm: doublePrecision('cost_vm').notNull().default(0),
  costTotal: doublePrecision('cost_total').notNull().default(0),
};

// Keyed vCenter, period, then VM: a day's (or month's) rows are written together and land at the
// end of the table, one page after another, instead of one page per VM (measured: a fleet-L day
// took 1.5 s to write VM-major, 0.5 s period-major). SQLite stores these tables WITHOUT ROWID, so
// the key is the table's own order (see the migration).
export const vmDailyRollup = pgTable(
  'vm_daily_rollup',
  { day: unixTime('day').notNull(), ...summaryColumns },
  (t) => [primaryKey({ columns: [t.vcenterId, t.day, t.lifecycleId] })],
);

export const vmMonthlySummary = pgTable(
  'vm_monthly_summary',
  { month: unixTime('month').notNull(), ...summaryColumns },
  (t) => [primaryKey({ columns: [t.vcenterId, t.month, t.lifecycleId] })],
);

export const jobRuns = pgTable(
  'job_runs',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    job: text('job').notNull(),
    vcenter: text('vcenter'),
    startedAt: unixTime('started_at').notNull(),
    finishedAt: unixTime('finished_at').notNull(),
    status: text('status').notNull(), // ok | failed | skipped
    durationMs: integer('duration_ms').notNull(),
    attempts: integer('attempts').notNull().default(1),
    rows: integer('rows'),
    error: text('error'),
  },
  (t) => [index('job_runs_job_vcenter').on(t.job, t.vcenter, t.startedAt)],
);

/**
 * Cross-process job locks (src/jobs/job-lock.ts). On SQLite the row is the lock: it names its
 * holder's process (boot id, pid namespace, pid, start time) so that a holder provably dead on this
 * host is replaced at once, and carries a lease for holders out of sight (another host or pid
 * namespace). On PostgreSQL a session advisory lock is the lock and the row says who holds it; its
 * lease only matters to an older vctp. The identity columns are NULL in rows written by vctp before
 * they existed: those rely on the lease.
 */
export const jobLocks = pgTable('job_locks', {
  name: text('name').primaryKey(),
  /** host:pid, for people. */
  holder: text('holder').notNull(),
  acquiredAt: unixTime('acquired_at').notNull(),
  /** The lease: unix seconds, renewed every minute by a live holder. */
  expiresAt: unixTime('expires_at').notNull(),
  /** Random per run: what renewal and release match on. */
  runId: text('run_id'),
  /** /proc/sys/kernel/random/boot_id of the holder's host. */
  bootId: text('boot_id'),
  /** readlink /proc/self/ns/pid of the holder, e.g. pid:[4026531836]. */
  pidNamespace: text('pid_namespace'),
  pid: integer('pid'),
  /** Field 22 of the holder's /proc/<pid>/stat (clock ticks after boot). */
  pidStartTime: bigint('pid_start_time', { mode: 'number' }),
});

/**
 * Audit of lifecycle facts set by hand (`POST /api/import/vm`, the legacy event endpoints): who, when,
 * why, the values before and after. Never deleted. first_day..last_day are the UTC days (00:00) whose
 * summaries carried the old values: `vctp repair` takes a daily summary older than an import that
 * covers its day as stale (src/store/summary-repository.ts readHourlyDays).
 */
export const vmLifecycleImports = pgTable(
  'vm_lifecycle_imports',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    vcenterId: integer('vcenter_id').notNull(),
    lifecycleId: integer('lifecycle_id').notNull(),
    vmId: text('vm_id').notNull(),
    importedAt: unixTime('imported_at').notNull(),
    importedBy: text('imported_by').notNull(),
    source: text('source').notNull(),
    reason: text('reason').notNull(),
    oldCreationTime: unixTime('old_creation_time').notNull(),
    newCreationTime: unixTime('new_creation_time').notNull(),
    oldDeletionTime: unixTime('old_deletion_time').notNull(),
    newDeletionTime: unixTime('new_deletion_time').notNull(),
    firstDay: unixTime('first_day').notNull(),
    lastDay: unixTime('last_day').notNull(),
  },
  (t) => [index('vm_lifecycle_imports_vcenter_days').on(t.vcenterId, t.lastDay)],
);

/**
 * Closed months (`vctp month close`): the month's monthly summaries, totals and cost are final.
 * Re-aggregating, repairing or retention-trimming the month is refused until `vctp month reopen`
 * deletes the row (both recorded in job_runs). rate_cards is the JSON of the rate cards that priced
 * the month, kept so `vctp explain` can show them after the settings change.
 */
export const monthClosures = pgTable('month_closures', {
  month: unixTime('month').primaryKey(),
  closedAt: unixTime('closed_at').notNull(),
  closedBy: text('closed_by').notNull(),
  reason: text('reason').notNull().default(''),
  currency: text('currency'),
  rateCards: text('rate_cards').notNull().default('[]'),
});

/** Every close and reopen of a month, never deleted: who, when, why (the job_runs row says it ran). */
export const monthClosureEvents = pgTable('month_closure_events', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  month: unixTime('month').notNull(),
  action: text('action').notNull(), // close | reopen
  at: unixTime('at').notNull(),
  by: text('by').notNull(),
  reason: text('reason').notNull().default(''),
});
