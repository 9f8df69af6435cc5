import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';
import { runDbMigrate } from '../../jobs/db-migrate.js';
import { stdoutOutput } from '../output.js';

export async function dbMigrateCommand(globals: RuntimeOptions, flags: { adopt?: boolean } = {}): Promise<void> {
  // The job migrates; opening the database for it must not do so first.
  const { database } = await withRuntime(
    globals,
    ({ ctx, settings }) => runDbMigrate(ctx, { adopt: flags.adopt, partitioning: settings.postgres_vm_hourly_partitioning_enabled }),
    { migrate: false },
  );
  stdoutOutput({ quiet: globals.quiet }).write(`schema of ${database} is up to date`);
}
