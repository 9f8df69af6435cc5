// Doctor's database checks: reachable, migrated (no pending migration), writable by vctp, and on
// PostgreSQL its settings beside the tuning baseline. The database is opened read-only and never
// migrated: an unmigrated or unreachable database is a finding.
import { doctorCheck, type DoctorCheck } from '../../core/doctor-check.js';
import { partitionCheck } from '../../core/doctor-partitions.js';
import { compareTuning, PG_TUNING_SETTING_NAMES } from '../../core/doctor-pg-tuning.js';
import { postgresFacts, readPostgresSettings, sqliteVersion, sqliteWriteAccess } from '../../store/database-health.js';
import { readMigrationStatus } from '../../store/migration-status.js';
import { partitionFacts } from '../../store/pg-partitions.js';
import { openReadOnlyStore, type ReadOnlyStore } from '../../store/read-only-store.js';
import { withDeadline, type DoctorSettings } from './types.js';

export interface DatabaseOutcome {
  checks: DoctorCheck[];
  /** Open and migrated: the freshness checks may read it. The caller closes it. */
  store: ReadOnlyStore | null;
  /** Why the freshness checks cannot read it, when store is null. */
  unusable: string | null;
}

const MIGRATE = 'run `vctp db migrate` (every job also migrates before it runs)';

export async function databaseChecks(settings: DoctorSettings, timeoutMs: number): Promise<DatabaseOutcome> {
  let store: ReadOnlyStore;
  const opening = openReadOnlyStore(settings, { timeoutMs });
  try {
    store = await withDeadline(opening, timeoutMs, 'settings.database_url');
  } catch (error) {
    // Opened after the deadline: closed as soon as it is.
    opening.then((late) => late.close()).catch(() => undefined);
    const message = (error as Error).message;
    return { checks: [doctorCheck('database', 'fail', message, { driver: settings.database_driver })], store: null, unusable: 'the database could not be opened' };
  }
  try {
    return await withDeadline(inspect(store, settings), timeoutMs, store.description);
  } catch (error) {
    await store.close().catch(() => undefined);
    return {
      checks: [doctorCheck('database', 'fail', (error as Error).message, { driver: settings.database_driver })],
      store: null,
      unusable: 'the database did not answer',
    };
  }
}

async function inspect(store: ReadOnlyStore, settings: DoctorSettings): Promise<DatabaseOutcome> {
  const checks: DoctorCheck[] = [];
  const pg = store.dialect === 'postgres' ? await postgresFacts(store) : null;
  if (pg) {
    checks.push(doctorCheck('database', 'ok', `${store.description}: PostgreSQL ${pg.version}, database ${pg.database} as role ${pg.role}`, { driver: 'postgres', version: pg.version }));
  } else {
    const version = await sqliteVersion(store);
    checks.push(doctorCheck('database', 'ok', `${store.description}: SQLite ${version ?? '?'}`, { driver: 'sqlite', path: store.sqlitePath }));
  }

  const migrations = await readMigrationStatus(store);
  const schemaFacts = { applied: migrations.applied, known: migrations.known.length, pending: migrations.pending };
  let usable = true;
  if (!migrations.tracked) {
    usable = false;
    checks.push(doctorCheck('database: schema', 'fail', `never migrated (no migrations table): ${MIGRATE}`, schemaFacts));
  } else if (migrations.pending.length > 0) {
    usable = false;
    checks.push(doctorCheck('database: schema', 'fail', `${migrations.pending.length} pending migration(s): ${migrations.pending.join(', ')}; ${MIGRATE}`, schemaFacts));
  } else if (migrations.newerThanThisVersion) {
    checks.push(doctorCheck('database: schema', 'warn', 'migrated by a newer vctp than this one: upgrade this host\'s vctp', schemaFacts));
  } else {
    checks.push(doctorCheck('database: schema', 'ok', `up to date (${migrations.known.length} migrations applied)`, schemaFacts));
  }

  if (pg) {
    const problems: string[] = [];
    if (pg.inRecovery) problems.push('the server is a standby in recovery: it refuses every write; point database_url at the primary');
    if (pg.notWritable.length > 0) problems.push(`role ${pg.role} may not write ${pg.notWritable.join(', ')}: GRANT INSERT, UPDATE, DELETE (and USAGE on sequences)`);
    const warnCreate = !pg.canCreate ? `role ${pg.role} may not create tables in schema ${pg.schema ?? '(none)'}: the next migration will fail unless run by an owner` : null;
    const status = problems.length > 0 ? 'fail' : warnCreate ? 'warn' : 'ok';
    const detail = problems.length > 0 || warnCreate ? [...problems, ...(warnCreate ? [warnCreate] : [])].join('\n') : `role ${pg.role} may write every vctp table and create tables in schema ${pg.schema}`;
    checks.push(doctorCheck('database: writable', status, detail, { inRecovery: pg.inRecovery, notWritable: pg.notWritable, canCreate: pg.canCreate }));

    const tuning = compareTuning(await readPostgresSettings(store, PG_TUNING_SETTING_NAMES));
    const below = tuning.filter((t) => t.meets === false);
    const head = below.length > 0
      ? `${below.length} of ${tuning.length} settings short of vctp's baseline (20 vCPU / 64 GB host; scale to yours):`
      : `every setting meets vctp's baseline (20 vCPU / 64 GB host)`;
    const lines = below.map((t) => `${t.name} = ${t.current} (baseline ${t.recommended})`);
    if (usable) checks.push(partitionCheck(settings.postgres_vm_hourly_partitioning_enabled ?? false, await partitionFacts(store), Date.now()));
    checks.push(doctorCheck('database: postgresql tuning', below.length > 0 ? 'warn' : 'ok', [head, ...lines].join('\n'), { settings: tuning }));
  } else {
    const access = await sqliteWriteAccess(store.sqlitePath!);
    const owner = `owner uid ${access.owner.uid}, gid ${access.owner.gid}, mode ${access.owner.mode}`;
    const ok = access.file && access.directory;
    checks.push(
      doctorCheck(
        'database: writable',
        ok ? 'ok' : 'fail',
        ok ? `the file and its directory are writable by this user (${owner})` : `not writable by this user: ${access.problems.join('; ')} (${owner}); run doctor as the account the timers use`,
        { file: access.file, directory: access.directory, ...access.owner },
      ),
    );
  }
  if (usable) return { checks, store, unusable: null };
  await store.close();
  return { checks, store: null, unusable: 'the schema is not migrated' };
}
