// The whole vctp command tree, declared in one place (CONVENTIONS.md). Each action parses its
// options, lazily imports its command module and calls one function; nothing here knows SQL or SOAP.
import { Command, Option } from 'commander';
import type { GlobalOptions } from './runtime.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

function globalsOf(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(version: string): Command {
  const program = new Command('vctp')
    .description('vSphere chargeback tracker: hourly VM snapshots, daily/monthly summaries, reports and metrics')
    .version(version, '-V, --version')
    .option('-s, --settings <file>', 'settings file (default: $VCTP_SETTINGS, else /etc/dtms/vctp.yml)')
    .addOption(new Option('--log-level <level>', 'override settings.log_level').choices(LOG_LEVELS))
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nThe original system\'s flags are accepted as aliases: -settings FILE, -run-inventory (= snapshot).' +
        '\nExit status: 0 ok, 1 user or configuration error, 2 some vCenters failed, 3 internal error.',
    );

  program
    .command('snapshot')
    .description('capture every configured vCenter once into the hourly span store (alias: -run-inventory)')
    .option('--at <time>', 'record the snapshot under this time (unix seconds or ISO 8601, UTC); must be later than each vCenter\'s latest')
    .option('--vcenter <name>', 'only this vCenter (URL or host[:port]); repeatable', collect)
    .option('--retry-seconds <n>', 'override settings.hourly_snapshot_retry_seconds')
    .option('--max-retries <n>', 'override settings.hourly_snapshot_max_retries')
    .option('--lock-wait <seconds>', 'how long to wait for a running snapshot to finish (default settings.lock_wait_seconds)')
    .option('--page-size <n>', 'objects per RetrievePropertiesEx page (default 1000)')
    .option('--json', 'print the result as JSON')
    .action(async (flags, command: Command) => {
      const { snapshotCommand } = await import('./commands/snapshot.js');
      await snapshotCommand(globalsOf(command), flags);
    });

  const aggregate = program.command('aggregate').description('build daily or monthly summaries from the hourly snapshots');
  const aggregateOptions = (command: Command) =>
    command
      .option('--vcenter <name>', 'only this vCenter (host[:port]); repeatable', collect)
      .addOption(new Option('--engine <engine>', 'aggregation engine (default: $DAILY_AGG_*/$MONTHLY_AGG_* env flags, else settings.scheduled_aggregation_engine)').choices(['app', 'sql']))
      .option('--partial', 'allow a period that has not ended yet')
      .option('--lock-wait <seconds>', 'how long to wait for a running aggregation (default settings.lock_wait_seconds)')
      .option('--json', 'print the result as JSON');
  aggregateOptions(
    aggregate
      .command('daily')
      .description('per VM and UTC day: samples, time-weighted sizes, tier shares (vm_daily_rollup); re-running replaces')
      .option('--date <YYYY-MM-DD>', 'the day (default: the last complete UTC day)'),
  ).action(async (flags, command: Command) => {
    const { aggregateCommand } = await import('./commands/aggregate.js');
    await aggregateCommand('daily', globalsOf(command), flags);
  });
  aggregateOptions(
    aggregate
      .command('monthly')
      .description('per VM and month, from the daily summaries or the spans (settings.monthly_aggregation_source)')
      .option('--month <YYYY-MM>', 'the month (default: the last complete UTC month)'),
  ).action(async (flags, command: Command) => {
    const { aggregateCommand } = await import('./commands/aggregate.js');
    await aggregateCommand('monthly', globalsOf(command), flags);
  });

  program
    .command('status')
    .description('per vCenter: latest snapshot, VM count, totals and the last snapshot job\'s result')
    .option('--json', 'print the result as JSON')
    .action(async (flags, command: Command) => {
      const { statusCommand } = await import('./commands/status.js');
      await statusCommand(globalsOf(command), flags);
    });

  program
    .command('encrypt')
    .description('print an enc:v1: value for settings.vcenter_password (prompts on a terminal, else reads stdin)')
    .action(async (_flags, command: Command) => {
      const { encryptCommand } = await import('./commands/encrypt-command.js');
      await encryptCommand(globalsOf(command));
    });

  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply pending schema migrations (every job also does this before it runs)')
    .action(async (_flags, command: Command) => {
      const { dbMigrateCommand } = await import('./commands/db-migrate.js');
      await dbMigrateCommand(globalsOf(command));
    });

  return program;
}
