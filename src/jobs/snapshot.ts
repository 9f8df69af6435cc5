// `vctp snapshot` (the spec's -run-inventory): capture every configured vCenter once. Each vCenter
// is collected, diffed and committed on its own (one transaction each) with bounded retries; one
// that still fails leaves nothing but a failed job_runs row, and the others commit regardless.
// With async_report_generation: false the hourly report follows, after the commit.
import { setTimeout as sleep } from 'node:timers/promises';
import { VctpError } from '../core/errors.js';
import { assertSnapshotTime, formatUnixTime } from '../core/time-bounds.js';
import { notRetriedReason } from '../core/vcenter-fault.js';
import { configuredVcenterUrls, type VcenterLogin } from '../core/vcenter-logins.js';
import { assertOpen } from '../store/month-closure-repository.js';
import { listRegistryRows } from '../store/snapshot-registry-repository.js';
import { loadLifecycle } from '../store/span-repository.js';
import { ensureVcenterId, findVcenterId, latestSnapshotTime } from '../store/vcenter-repository.js';
import { collectInventory, findRemovalTimes, VimSession, vcenterName, type VcenterTarget } from '../vcenter/index.js';
import { assertSnapshotTimeIsNew, captureInventory, type CaptureSettings, type CaptureSummary, mistakenLatestHint, snapshotTimeText } from './capture-inventory.js';
import { type JobContext, unixSeconds } from './context.js';
import { type Locked, withVcenterLock, withVcenterLocks } from './job-lock.js';
import { withJobRun } from './job-run.js';
import { mapConcurrent } from './map-concurrent.js';
import { type AfterJobReports, type AfterJobSettings, partialFailure, reportsAfterSnapshot } from './report-after-job.js';

export type SnapshotSettings = SnapshotJobSettings & AfterJobSettings;

interface SnapshotJobSettings extends CaptureSettings {
  vcenter_addresses: readonly string[];
  vcenter_username?: string;
  /** vCenters with their own credentials (src/core/vcenter-logins.ts); their logins come in input.logins. */
  vcenters?: readonly { url: string; username: string }[];
  vcenter_insecure: boolean;
  vcenter_ca_file?: string;
  /** Bound of every vCenter call, in seconds (default 60: src/vcenter/vim-session.ts). */
  vcenter_request_timeout_seconds?: number;
  hourly_snapshot_concurrency: number;
  hourly_snapshot_retry_seconds: number;
  hourly_snapshot_max_retries: number;
  lock_wait_seconds: number;
  vcenter_inventory_snapshot_seconds: number;
}

export interface SnapshotInput {
  /** Record the snapshot under this unix time instead of now (demo and backfill). */
  at?: number;
  /** Only these vCenters (URLs as configured, or their names). */
  only?: readonly string[];
  /**
   * Every configured vCenter with its credentials, resolved from the settings
   * (src/config/credentials.ts resolveVcenterLogins): what the CLI passes.
   */
  logins?: readonly VcenterLogin[];
  /**
   * The short form for settings that list vcenter_addresses only (the demo, tests): each logs in
   * as vcenter_username with this password. Ignored when `logins` is given.
   */
  password?: string;
  /** Objects per RetrievePropertiesEx page. */
  pageSize?: number;
  /** Capture a vCenter even when its latest snapshot is younger than half the snapshot interval. */
  force?: boolean;
  onProgress?: (event: SnapshotProgress) => void;
}

export type SnapshotProgress =
  | { kind: 'collecting'; vcenter: string; collected: number }
  | { kind: 'done'; vcenter: string; ok: boolean };

export interface VcenterOutcome {
  vcenter: string;
  url: string;
  ok: boolean;
  attempts: number;
  durationMs: number;
  summary?: CaptureSummary;
  error?: string;
  /** Why this vCenter was not captured although nothing failed (a snapshot younger than half the interval). */
  skipped?: string;
  /**
   * Another collector sharing the database (host:pid) had this vCenter: it captured it while this
   * run waited for its lock, or still held it when the wait ran out. Not a failure.
   */
  capturedBy?: string;
}

export type SnapshotResult =
  | { skipped: true; holder: string }
  | { skipped: false; outcomes: VcenterOutcome[]; reports: AfterJobReports | null };

export async function runSnapshot(ctx: JobContext, settings: SnapshotSettings, input: SnapshotInput): Promise<SnapshotResult> {
  assertCanSnapshot(settings);
  const logins = selectVcenters(loginsOf(settings, input), input.only);
  // Before anything is locked or collected: a future --at would block every hourly run until then.
  if (input.at !== undefined) assertSnapshotTime('--at', input.at, unixSeconds(ctx.now()));
  // A snapshot stored in a closed month would change what its final figures were computed from.
  if (input.at !== undefined) await assertOpen(ctx.store, `--at ${formatUnixTime(input.at)}`, input.at, input.at + 1);
  return withJobRun(ctx, { job: 'snapshot' }, async (run) => {
    const locked = input.at === undefined ? await capturePerVcenter(ctx, settings, input, logins) : await captureAt(ctx, settings, input, input.at, logins);
    if (!locked.acquired) {
      ctx.log.info({ holder: locked.holder }, 'another vctp snapshot has these vCenters; this run did nothing');
      run.skip(`lock held by ${locked.holder}`);
      return { skipped: true, holder: locked.holder };
    }
    const outcomes = locked.result;
    const byOthers = outcomes.filter((o) => o.capturedBy !== undefined);
    for (const o of byOthers) {
      ctx.log.info({ vcenter: o.vcenter, holder: o.capturedBy }, `not captured by this run: ${o.skipped}`);
      // A skipped part, naming the other collector (job_runs); skipped rows count in no metric and
      // are not the vCenter's "last snapshot job" in status and doctor, which stays the run that captured it.
      if (!ctx.signal?.aborted) await withJobRun(ctx, { job: 'snapshot', vcenter: o.vcenter }, async (part) => part.skip(o.skipped!));
    }
    if (outcomes.every((o) => o.skipped !== undefined)) {
      run.skip(
        byOthers.length === 0
          ? 'every vCenter has a snapshot younger than half the snapshot interval'
          : `no vCenter captured by this run: ${outcomes.map((o) => `${o.vcenter} ${o.capturedBy === undefined ? 'has a recent snapshot' : `by ${o.capturedBy}`}`).join('; ')}`,
      );
    }
    run.rows(outcomes.reduce((n, o) => n + (o.summary?.vmCount ?? 0), 0));
    const failed = outcomes.filter((o) => !o.ok);
    if (failed.length > 0) run.fail(vcenterFailures(outcomes.length, failed));
    // async_report_generation: false builds the hourly report now, after the commit (never instead of it).
    const stored = outcomes.flatMap((o) => (o.ok && o.summary ? [o.summary.snapshotTime] : []));
    return { skipped: false, outcomes, reports: await reportsAfterSnapshot(ctx, settings, stored) };
  });
}

/**
 * A plain run (no --at): each vCenter under its own lock (src/jobs/job-lock.ts), so that collectors
 * sharing the database split the vCenters. First every vCenter whose lock is free now; then, waiting
 * up to lock_wait_seconds, those another collector held. Under the lock the freshness rule
 * (recentSnapshot) is applied again, so the vCenter the other collector has just captured is
 * left alone; a snapshot stored while this run waited counts as that collector's even with --force
 * (which was meant against the snapshot before, not one seconds old). A vCenter still held when
 * the wait runs out is left to its holder. Only when every vCenter was held past the wait did the
 * run do nothing (acquired: false).
 */
async function capturePerVcenter(ctx: JobContext, settings: SnapshotSettings, input: SnapshotInput, logins: readonly VcenterLogin[]): Promise<Locked<VcenterOutcome[]>> {
  const instances = new Map<string, string>();
  const captureLocked = async (login: VcenterLogin) =>
    (await recentSnapshot(ctx, settings, input, login.url)) ?? snapshotOne(ctx, settings, input, login, instances);
  const outcomes = new Map<string, VcenterOutcome & { heldPastWait?: boolean }>();
  const deferred: { login: VcenterLogin; holder: string; stamp: number | null }[] = [];
  await mapConcurrent(logins, settings.hourly_snapshot_concurrency, async (login) => {
    const vcenter = vcenterName(login.url);
    const stamp = await latestOf(ctx, vcenter);
    const locked = await withVcenterLock(ctx, 'snapshot', vcenter, 0, () => captureLocked(login));
    if (locked.acquired) outcomes.set(login.url, locked.result);
    else deferred.push({ login, holder: locked.holder === 'unknown' ? 'another vctp' : locked.holder, stamp });
  });
  await mapConcurrent(deferred, settings.hourly_snapshot_concurrency, async ({ login, holder, stamp }) => {
    const vcenter = vcenterName(login.url);
    const locked = await withVcenterLock(ctx, 'snapshot', vcenter, settings.lock_wait_seconds, async () => {
      const latest = await latestOf(ctx, vcenter);
      const now = unixSeconds(ctx.now());
      if (latest !== null && latest !== stamp && now - latest < settings.vcenter_inventory_snapshot_seconds / 2) {
        input.onProgress?.({ kind: 'done', vcenter, ok: true });
        const half = settings.vcenter_inventory_snapshot_seconds / 2;
        return byAnother(
          login.url,
          holder,
          `captured by ${holder} (another vctp) at ${snapshotTimeText(latest)} while this run waited for its lock: younger than half the snapshot interval (${half} s); a later --force run takes another`,
        );
      }
      return captureLocked(login);
    });
    if (locked.acquired) outcomes.set(login.url, locked.result);
    else {
      input.onProgress?.({ kind: 'done', vcenter, ok: true });
      outcomes.set(login.url, byAnother(login.url, locked.holder, `${locked.holder} (another vctp) still had it when the lock wait ran out; left to it`, true));
    }
  });
  const list = logins.flatMap((login) => outcomes.get(login.url) ?? []);
  const held = list.filter((o) => o.heldPastWait);
  for (const o of list) delete o.heldPastWait;
  if (list.length > 0 && held.length === list.length) return { acquired: false, holder: [...new Set(held.map((o) => o.capturedBy))].join(', ') };
  return { acquired: true, result: list };
}

/**
 * vctp snapshot --at T: every selected vCenter at T, or none (the time is checked for all before
 * any is captured), so the run holds all their locks at once (sorted order, one wait). A vCenter
 * whose snapshot at T another collector stored while this run waited, or since this process
 * started (two collectors started together: the other may have finished before this one looked),
 * is left as it is: one snapshot per vCenter and time. One stored at T before this process started
 * is a repeated --at, refused as ever. (The registry's time is the writer's clock: a skew between
 * hosts only moves the edge of that window.)
 */
async function captureAt(ctx: JobContext, settings: SnapshotSettings, input: SnapshotInput, at: number, logins: readonly VcenterLogin[]): Promise<Locked<VcenterOutcome[]>> {
  const stamps = new Map<string, number | null>();
  for (const login of logins) stamps.set(login.url, await latestOf(ctx, vcenterName(login.url)));
  const holders = new Map<string, string>();
  const locked = await withVcenterLocks(
    ctx,
    'snapshot',
    logins.map((login) => vcenterName(login.url)),
    settings.lock_wait_seconds,
    async () => {
      // Again under the lock: a month may have been closed while this run waited for it.
      await assertOpen(ctx.store, `--at ${formatUnixTime(at)}`, at, at + 1);
      const done = new Map<string, VcenterOutcome>();
      const todo: VcenterLogin[] = [];
      for (const login of logins) {
        const vcenter = vcenterName(login.url);
        const latest = await latestOf(ctx, vcenter);
        if (latest === at && (stamps.get(login.url) !== at || (await registeredAt(ctx, vcenter, at)) >= PROCESS_STARTED)) {
          const holder = holders.get(vcenter);
          const why = holder === undefined ? 'by another vctp since this process started' : `by ${holder} while this run waited for its lock`;
          done.set(login.url, byAnother(login.url, holder ?? 'another vctp', `captured at ${snapshotTimeText(at)} ${why}`));
          continue;
        }
        await assertSnapshotTimeIsNew(ctx, vcenter, at);
        todo.push(login);
      }
      const instances = new Map<string, string>();
      const captured = await mapConcurrent(todo, settings.hourly_snapshot_concurrency, (login) => snapshotOne(ctx, settings, input, login, instances));
      todo.forEach((login, i) => done.set(login.url, captured[i]!));
      return logins.flatMap((login) => done.get(login.url) ?? []);
    },
    // 'unknown': PostgreSQL held the lock before its holder wrote its row.
    (vcenter, holder) => void (holder !== 'unknown' || !holders.has(vcenter) ? holders.set(vcenter, holder === 'unknown' ? 'another vctp' : holder) : null),
  );
  // Nothing to do for this run: every vCenter was captured at T by others.
  if (locked.acquired && locked.result.length > 0 && locked.result.every((o) => o.capturedBy !== undefined)) {
    return { acquired: false, holder: [...new Set(locked.result.map((o) => o.capturedBy))].join(', ') };
  }
  return locked;
}

function byAnother(url: string, holder: string, skipped: string, heldPastWait = false): VcenterOutcome & { heldPastWait?: boolean } {
  return { vcenter: vcenterName(url), url, ok: true, attempts: 0, durationMs: 0, skipped, capturedBy: holder, ...(heldPastWait ? { heldPastWait } : {}) };
}

/** When this process started, unix seconds: what captureAt compares the registration of a snapshot at --at with. */
const PROCESS_STARTED = Math.floor(performance.timeOrigin / 1000);

/** When the vCenter's hourly snapshot at `at` was registered (-Infinity: none). */
async function registeredAt(ctx: JobContext, vcenter: string, at: number): Promise<number> {
  const id = await findVcenterId(ctx.store, vcenter);
  if (id === null) return -Infinity;
  const [row] = await listRegistryRows(ctx.store, { vcenterIds: [id], kinds: ['hourly'], from: at, to: at, limit: 1 });
  return row?.registeredAt ?? -Infinity;
}

/** The vCenter's latest hourly snapshot time (null: none, or no such vCenter yet); reads only. */
async function latestOf(ctx: JobContext, vcenter: string): Promise<number | null> {
  const id = await findVcenterId(ctx.store, vcenter);
  return id === null ? null : latestSnapshotTime(ctx.store, id);
}

function vcenterFailures(total: number, failed: readonly VcenterOutcome[]): string {
  return `${failed.length} of ${total} vCenters failed: ${failed.map((f) => f.error).join('; ')}`;
}

/** The error a finished run ends with: some vCenters failed, or the report after it did. */
export function snapshotFailure(result: SnapshotResult): VctpError | null {
  if (result.skipped) return null;
  const failed = result.outcomes.filter((o) => !o.ok);
  return partialFailure(failed.length > 0 ? vcenterFailures(result.outcomes.length, failed) : null, result.reports);
}

/** The settings a capture cannot start without; checked before anything else (the password) is resolved. */
export function assertCanSnapshot(settings: Pick<SnapshotSettings, 'vcenter_addresses' | 'vcenter_username' | 'vcenters'>): void {
  if (configuredVcenterUrls(settings).length === 0) {
    throw new VctpError('config', 'settings.vcenter_addresses: no vCenter configured; add at least one SDK URL (https://host/sdk), or an entry to settings.vcenters');
  }
  if (settings.vcenter_addresses.length > 0 && !settings.vcenter_username) {
    throw new VctpError('config', 'settings.vcenter_username: required to log in to settings.vcenter_addresses');
  }
}

function loginsOf(settings: SnapshotSettings, input: SnapshotInput): readonly VcenterLogin[] {
  if (input.logins) return input.logins;
  if ((settings.vcenters?.length ?? 0) > 0) throw new VctpError('internal', 'settings.vcenters needs input.logins (resolveVcenterLogins)');
  return settings.vcenter_addresses.map((url) => ({ url, username: settings.vcenter_username ?? '', password: input.password ?? '' }));
}

function selectVcenters(logins: readonly VcenterLogin[], only: readonly string[] | undefined): VcenterLogin[] {
  if (!only || only.length === 0) return [...logins];
  const matches = (login: VcenterLogin, name: string) => login.url === name || vcenterName(login.url) === name;
  const chosen = logins.filter((login) => only.some((name) => matches(login, name)));
  const unknown = only.filter((name) => !logins.some((login) => matches(login, name)));
  if (unknown.length > 0) {
    throw new VctpError('usage', `--vcenter ${unknown.join(', ')}: not a configured vCenter (${logins.map((l) => vcenterName(l.url)).join(', ')})`);
  }
  return chosen;
}

/**
 * Faults of the run, not of one vCenter: a refused flag or setting, an interruption, and the
 * database (down, locked, full: no vCenter is to blame, and waiting for a retry would not help the
 * others). They end the whole run with their own exit status instead of a vCenter's failure.
 */
function isRunFault(error: unknown): boolean {
  return error instanceof VctpError && ['usage', 'closed', 'config', 'interrupted', 'database'].includes(error.code);
}

/**
 * Two plain runs started together (a timer and an operator, two timers) would capture one vCenter
 * seconds apart: an extra sample in that hour changes TotalSamples and so every average of the day.
 * So a plain run leaves a vCenter alone while its latest snapshot is younger than half the snapshot
 * interval; --at (an explicit time) and --force take one anyway.
 */
async function recentSnapshot(ctx: JobContext, settings: SnapshotSettings, input: SnapshotInput, url: string): Promise<VcenterOutcome | null> {
  if (input.at !== undefined || input.force) return null;
  const vcenter = vcenterName(url);
  const id = await findVcenterId(ctx.store, vcenter);
  const latest = id === null ? null : await latestSnapshotTime(ctx.store, id);
  const now = unixSeconds(ctx.now());
  const halfInterval = settings.vcenter_inventory_snapshot_seconds / 2;
  if (latest === null || now - latest >= halfInterval || latest > now) return null;
  const skipped = `its latest snapshot (${snapshotTimeText(latest)}) is younger than half the snapshot interval (${halfInterval} s); --force takes another`;
  ctx.log.info({ vcenter, latest }, `not captured: ${skipped}`);
  input.onProgress?.({ kind: 'done', vcenter, ok: true });
  return { vcenter, url, ok: true, attempts: 0, durationMs: 0, skipped };
}

async function snapshotOne(
  ctx: JobContext,
  settings: SnapshotSettings,
  input: SnapshotInput,
  login: VcenterLogin,
  instances: Map<string, string>,
): Promise<VcenterOutcome> {
  const url = login.url;
  const vcenter = vcenterName(url);
  const log = ctx.log.child({ vcenter });
  const startedMs = ctx.now();
  const maxAttempts = 1 + Math.max(0, settings.hourly_snapshot_max_retries);
  let attempts = 0;
  try {
    const summary = await withJobRun(ctx, { job: 'snapshot', vcenter }, async (run) => {
      for (;;) {
        attempts++;
        run.attempts(attempts);
        try {
          const captured = await captureOnce(ctx, settings, input, login, instances);
          run.rows(captured.vmCount);
          return captured;
        } catch (error) {
          // A refused --at or a bad setting will not get better by waiting; an interrupted run stops; nor
          // will a wrong password or an untrusted certificate (each retry a failed login: lockout risk).
          if (attempts >= maxAttempts || ctx.signal?.aborted || notRetriedReason(error) !== null || isRunFault(error)) throw error;
          const message = (error as Error).message;
          log.warn({ attempt: attempts, retryInSeconds: settings.hourly_snapshot_retry_seconds, err: message }, 'snapshot attempt failed; retrying');
          await sleep(settings.hourly_snapshot_retry_seconds * 1000, undefined, { signal: ctx.signal }).catch((aborted: unknown) => {
            throw ctx.signal?.reason ?? aborted;
          });
        }
      }
    });
    const durationMs = ctx.now() - startedMs;
    log.info({ ...summaryForLog(summary), attempts, durationMs }, 'snapshot stored');
    input.onProgress?.({ kind: 'done', vcenter, ok: true });
    return { vcenter, url, ok: true, attempts, durationMs, summary };
  } catch (error) {
    if (isRunFault(error)) throw error;
    const notRetried = notRetriedReason(error);
    const message = (error instanceof Error ? error.message : String(error)) + (notRetried === null ? '' : `; not retried: ${notRetried}`);
    log.error({ attempts, err: message }, 'snapshot failed; nothing stored for this vCenter');
    input.onProgress?.({ kind: 'done', vcenter, ok: false });
    return { vcenter, url, ok: false, attempts, durationMs: ctx.now() - startedMs, error: message };
  }
}

async function captureOnce(
  ctx: JobContext,
  settings: SnapshotSettings,
  input: SnapshotInput,
  login: VcenterLogin,
  instances: Map<string, string>,
): Promise<CaptureSummary> {
  const url = login.url;
  const vcenter = vcenterName(url);
  const target: VcenterTarget = {
    url,
    username: login.username,
    password: login.password,
    insecure: settings.vcenter_insecure,
    caFile: settings.vcenter_ca_file ?? null,
    ...(settings.vcenter_request_timeout_seconds === undefined ? {} : { timeoutMs: settings.vcenter_request_timeout_seconds * 1000 }),
  };
  const snapshotTime = input.at ?? (await nextSnapshotTime(ctx, vcenter));
  const collectStarted = ctx.now();
  // Held through the whole collection, so only the ids: the lifecycle rows of every vCenter of a
  // run, alive together, took about 5 MB of heap per 40,000 VMs (README "Measured", capture).
  const known = new Set((await loadLifecycle(ctx.store, await ensureVcenterId(ctx.store, vcenter))).keys());
  const session = await VimSession.login(target, ctx.log.child({ vcenter }));
  try {
    claimInstance(instances, session.serviceContent.instanceUuid, url);
    const records = await collectInventory(session, {
      pageSize: input.pageSize,
      signal: ctx.signal,
      // Creation events are looked up for VMs seen for the first time only: the lifecycle row
      // keeps what was found (or 0), so an hourly capture does not rescan the event history.
      lookupCreationEvent: (vmId) => !known.has(vmId),
      onProgress: (collected) => input.onProgress?.({ kind: 'collecting', vcenter, collected }),
    });
    return await captureInventory(ctx, settings, {
      vcenter,
      snapshotTime,
      records,
      removalTimes: (vmIds, since) => findRemovalTimes(session, vmIds, since),
      collectMs: ctx.now() - collectStarted,
    });
  } finally {
    await session.logout();
  }
}

/**
 * One vCenter reached through two entries of vcenter_addresses (two DNS names, an alias) would be
 * captured twice under two names, doubling its VMs in every total. Its instance UUID tells: the
 * entry that logs in second fails, naming both, and is not retried (no retry makes it another vCenter).
 */
function claimInstance(instances: Map<string, string>, instanceUuid: string | null, url: string): void {
  if (!instanceUuid) return;
  const first = instances.get(instanceUuid);
  if (first === undefined || first === url) {
    instances.set(instanceUuid, url);
    return;
  }
  const reason = `the same vCenter as ${first}: keep one of the two entries`;
  throw Object.assign(
    new VctpError('vcenter', `settings.vcenter_addresses: ${url} reaches the same vCenter (instance ${instanceUuid}) as ${first}; it was captured once, under ${vcenterName(first)}`),
    { retryable: false, notRetriedReason: reason },
  );
}

/**
 * Now, in unix seconds. Two runs in the same second (a run that waited for the lock behind one
 * that was fast) would share a time, so the later one waits for the next second.
 */
async function nextSnapshotTime(ctx: JobContext, vcenter: string): Promise<number> {
  const latest = await latestSnapshotTime(ctx.store, await ensureVcenterId(ctx.store, vcenter));
  let now = unixSeconds(ctx.now());
  if (latest !== null && latest >= now && latest - now <= 1) {
    await new Promise((resolve) => setTimeout(resolve, (latest + 1) * 1000 - ctx.now() + 5));
    now = unixSeconds(ctx.now());
  }
  if (latest !== null && latest >= now) {
    throw new VctpError(
      'usage',
      `vCenter ${vcenter} already has a snapshot at ${snapshotTimeText(latest)}, later than this host's clock; ` +
        `check the clock, or the --at times used before${mistakenLatestHint(ctx, vcenter, latest)}`,
    );
  }
  return now;
}

function summaryForLog(summary: CaptureSummary) {
  const { totals: _totals, ...rest } = summary;
  return rest;
}
