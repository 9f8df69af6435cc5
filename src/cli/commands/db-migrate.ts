import { type RuntimeOptions, withRuntime } from '../../app/runtime.js';
import { runDbMigrate } from '../../jobs/db-migrate.js';
import { stdoutOutput } from '../output.js';

export async function dbMigrateCommand(globals: RuntimeOptions, flags: { adopt?: boolean } = {}): Promise<void> {
  // The job migrates; opening the database for it must not do so first.
  const { database } = await withRuntime(globals, ({ ctx }) => runDbMigrate(ctx, { adopt: flags.adopt }), { migrate: false });
  stdoutOutput({ quiet: globals.quiet }).write(`schema of ${database} is up to date`);
}
