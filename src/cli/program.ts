// The whole vctp command tree, declared in one place. Each action parses its
// options, lazily imports its command module and calls one function; nothing here knows SQL or SOAP.
import { Command, Option } from 'commander';
import type { RuntimeOptions } from '../app/runtime.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

function globalsOf(command: Command): RuntimeOptions {
  return command.optsWithGlobals() as RuntimeOptions;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(version: string): Command {
  const program = new Command('vctp')
    .description('vSphere chargeback tracker: hourly VM snapshots, daily/monthly summaries and XLSX reports')
    .version(version, '-V, --version')
    .option('-s, --settings <file>', 'settings file (default: $VCTP_SETTINGS, else /etc/dtms/vctp.yml)')
    .addOption(new Option('--log-level <level>', 'override settings.log_level').choices(LOG_LEVELS))
    .option('-q, --quiet', 'print only errors: no log lines below error, no tables on success')
    .option('--metrics-textfile-dir <dir>', 'write each job\'s metrics as vctp_<job>.prom here for node_exporter (overrides settings.metrics_textfile_dir)')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nThe original system\'s flags are accepted as aliases: -settings FILE, -run-inventory (= snapshot), -db-cleanup,' +
        '\n-backfill-vcenter-cache, -benchmark-aggregations [-benchmark-runs N], -import-sqlite FILE.' +
        '\nExit status: 0 ok, 1 user or configuration error, 2 some vCenters failed, 3 internal error, 4 database unavailable or refused, 130/143 interrupted (SIGINT/SIGTERM).',
    );

  const snapshot = program
    .command('snapshot')
    .description('capture every configured vCenter once into the hourly span store (alias: -run-inventory)')
    .option('--at <time>', 'record the snapshot under this time (unix seconds or ISO 8601, UTC); must be later than each vCenter\'s latest (one stored at this time by another collector since this process started is left as it is), and not in the future')
    .option('--vcenter <name>', 'only this vCenter (URL or host[:port]); repeatable', collect)
    .option('--retry-seconds <n>', 'override settings.hourly_snapshot_retry_seconds')
    .option('--max-retries <n>', 'override settings.hourly_snapshot_max_retries')
    .option('--lock-wait <seconds>', 'how long to wait for a vCenter another run is capturing, before leaving it to that run (default settings.lock_wait_seconds)')
    .option('--page-size <n>', 'objects per RetrievePropertiesEx page (default 1000)')
    .option('--force', 'capture a vCenter even when its latest snapshot is younger than half of settings.vcenter_inventory_snapshot_seconds')
    .option('--wide', 'also show the new, changed and gone VMs and each vCenter\'s vCPU, RAM and disk totals')
    .option('--json', 'print the result as JSON')
    .action(async (flags, command: Command) => {
      const { snapshotCommand } = await import('./commands/snapshot.js');
      await snapshotCommand(globalsOf(command), flags);
    });
  // `snapshot` keeps its own action: `vctp snapshot [flags]` captures, `vctp snapshot delete` removes.
  // Options named like snapshot's (--vcenter, --at, --lock-wait, --json) are parsed by snapshot
  // wherever they stand, so the action reads the options of the whole chain.
  snapshot
    .command('delete')
    .description('take one hourly snapshot back (a mistaken --at), leaving the store as if it had never been taken; summaries of its day become stale for `vctp repair`')
    .option('--vcenter <name>', 'the vCenter (host[:port] as stored, or its SDK URL)')
    .option('--at <time>', 'the snapshot\'s time as registered (unix seconds or ISO 8601, UTC)')
    .option('--lock-wait <seconds>', 'how long to wait for a running snapshot to finish (default settings.lock_wait_seconds)')
    .option('--json', 'print the result as JSON')
    .action(async (_flags, command: Command) => {
      const { snapshotDeleteCommand } = await import('./commands/snapshot-delete.js');
      await snapshotDeleteCommand(globalsOf(command), command.optsWithGlobals());
    });

  const aggregate = program.command('aggregate').description('build daily or monthly summaries from the hourly snapshots');
  const aggregateOptions = (command: Command) =>
    command
      .option('--vcenter <name>', 'only this vCenter (host[:port]); repeatable', collect)
      .addOption(new Option('--engine <engine>', 'aggregation engine (default: $DAILY_AGG_*/$MONTHLY_AGG_* env flags, else settings.scheduled_aggregation_engine)').choices(['app', 'sql']))
      .option('--partial', 'allow a period that has not ended yet')
      .option('--lock-wait <seconds>', 'how long to wait for a vCenter another run is aggregating, before leaving it to that run (default settings.lock_wait_seconds)')
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
    .command('backfill')
    .description('rebuild the totals caches: latest and hourly vcenter totals from the spans, daily/monthly from the summaries (alias: -backfill-vcenter-cache)')
    .option('--wide', 'also show the latest snapshot each vCenter\'s totals were rebuilt up to')
    .option('--json', 'print the result as JSON')
    .action(async (flags, command: Command) => {
      const { backfillCommand } = await import('./commands/backfill.js');
      await backfillCommand(globalsOf(command), flags);
    });

  program
    .command('repair')
    .description('aggregate the days and months that have snapshots but no, or stale, summaries')
    .option('--all', 'look at every day with snapshots (default: the last 45 days)')
    .option('--from <YYYY-MM-DD>', 'first day to look at')
    .option('--to <YYYY-MM-DD>', 'last day to look at')
    .option('--vcenter <name>', 'only this vCenter (host[:port]); repeatable', collect)
    .addOption(new Option('--engine <engine>', 'aggregation engine (default settings.scheduled_aggregation_engine)').choices(['app', 'sql']))
    .option('--json', 'print the result as JSON')
    .action(async (flags, command: Command) => {
      const { repairCommand } = await import('./commands/repair.js');
      await repairCommand(globalsOf(command), flags);
    });

  program
    .command('retention')
    .description('drop hourly history older than hourly_snapshot_max_age_days and daily summaries older than daily_snapshot_max_age_months')
    .option('--dry-run', 'say what would be removed, remove nothing')
    .option('--json', 'print the result as JSON')
    .action(async (flags, command: Command) => {
      const { retentionCommand } = await import('./commands/retention.js');
      await retentionCommand(globalsOf(command), flags);
    });

  program
    .command('trace')
    .description('one VM over time, by name, managed object id or uuid')
    .argument('<vm>', 'VM name, managed object id (vm-42) or uuid')
    .addOption(new Option('--view <view>', 'hourly snapshots or daily summaries').choices(['hourly', 'daily']).default('hourly'))
    .option('--from <time>', 'from this day or time (default: 7 days ago for hourly, 45 for daily)')
    .option('--to <time>', 'up to this day or time (default: now)')
    .option('--vcenter <name>', 'only this vCenter (host[:port])')
    .option('--wide', 'hourly: also name, pool, cluster and folder; daily: also presence and prorated tier counts')
    .option('--json', 'print the result as JSON')
    .action(async (vm: string, flags, command: Command) => {
      const { traceCommand } = await import('./commands/trace.js');
      await traceCommand(globalsOf(command), vm, flags);
    });

  program
    .command('totals')
    .description('vCenter totals over time from the totals cache')
    .option('--vcenter <name>', 'only this vCenter (host[:port]); repeatable', collect)
    .addOption(new Option('--view <view>', 'granularity').choices(['hourly', 'daily', 'monthly']).default('daily'))
    .option('--days <n>', 'how many days back', '45')
    .option('--wide', 'also show tier counts, templates, SRM placeholders and node-charged VMs')
    .option('--json', 'print the result as JSON')
    .action(async (flags, command: Command) => {
      const { totalsCommand } = await import('./commands/totals.js');
      await totalsCommand(globalsOf(command), flags);
    });

  program
    .command('allocation')
    .description('cost and prorated size of the VMs of a window, grouped by any dimensions (a VM counts where its latest sample in the window was)')
    .option('--window <window>', 'today, yesterday, lastweek, month (so far), lastmonth, Nd (the N whole days before today), YYYY-MM or YYYY-MM-DD..YYYY-MM-DD (inclusive)')
    .option('--by <dimensions>', 'comma-separated: vcenter, datacenter, cluster, folder, pool, tier, vm, or a name from settings.cost_dimensions')
    .option('--vcenter <name>', 'only this vCenter (host[:port]); repeatable', collect)
    .option('--wide', 'also show the cost of vCPU, RAM, disk and per VM apart')
    .option('--json', 'print the result as JSON')
    .option('--csv', 'print the rows as CSV with a header line')
    .action(async (flags, command: Command) => {
      const { allocationCommand } = await import('./commands/allocation.js');
      await allocationCommand(globalsOf(command), flags);
    });

  program
    .command('explain')
    .description('how one VM\'s figures of a day or month were derived: its spans and samples, the integer sums, the charge class, every formula with its numbers and the rate card entries behind each cost, beside the stored summary')
    .argument('<vm>', 'VM name, managed object id (vm-42) or uuid')
    .option('--day <YYYY-MM-DD>', 'the day (its daily summary)')
    .option('--month <YYYY-MM>', 'the month (its monthly summary)')
    .option('--vcenter <name>', 'only this vCenter (host[:port])')
    .option('--json', 'print the result as JSON')
    .action(async (vm: string, flags, command: Command) => {
      const { explainCommand } = await import('./commands/explain.js');
      await explainCommand(globalsOf(command), vm, flags);
    });

  const report = program.command('report').description('XLSX reports with totals, pivots and native charts, written into settings.reports_dir');
  const reportOptions = (command: Command) =>
    command
      .option('--vcenter <name>', 'only this vCenter (host[:port]); repeatable', collect)
      .option('--out <file>', 'write here instead of reports_dir/<kind>/<period>.xlsx')
      .option('--json', 'print the result as JSON');
  reportOptions(
    report
      .command('hourly')
      .description('one hourly snapshot: every VM and the totals (default: the latest snapshot)')
      .option('--at <time>', 'the snapshot at or before this time (unix seconds or ISO 8601)'),
  ).action(async (flags, command: Command) => {
    const { reportCommand } = await import('./commands/report.js');
    await reportCommand('hourly', globalsOf(command), flags);
  });
  reportOptions(
    report
      .command('daily')
      .description('one day: the daily summaries, 24 prorated hourly interval totals, pivots and charts')
      .option('--date <YYYY-MM-DD>', 'the day (default: the last complete UTC day)'),
  ).action(async (flags, command: Command) => {
    const { reportCommand } = await import('./commands/report.js');
    await reportCommand('daily', globalsOf(command), flags);
  });
  reportOptions(
    report
      .command('monthly')
      .description('one month: the monthly summaries, a Daily Totals sheet, pivots and charts')
      .option('--month <YYYY-MM>', 'the month (default: the last complete UTC month)'),
  ).action(async (flags, command: Command) => {
    const { reportCommand } = await import('./commands/report.js');
    await reportCommand('monthly', globalsOf(command), flags);
  });
  report
    .command('pending')
    .description('write every report whose data exists and whose file is missing or older than its data')
    .option('--json', 'print the result as JSON')
    .action(async (flags, command: Command) => {
      const { reportPendingCommand } = await import('./commands/report.js');
      await reportPendingCommand(globalsOf(command), flags);
    });
  report
    .command('regenerate-hourly')
    .description('rewrite the hourly reports of a time range (the spec\'s regenerate-hourly-reports)')
    .option('--from <time>', 'first snapshot time (default: 24 hours ago)')
    .option('--to <time>', 'last snapshot time (default: now)')
    .option('--json', 'print the result as JSON')
    .action(async (flags, command: Command) => {
      const { reportRegenerateHourlyCommand } = await import('./commands/report.js');
      await reportRegenerateHourlyCommand(globalsOf(command), flags);
    });

  const benchmark = program.command('benchmark').description('measure vctp on this machine and database');
  benchmark
    .command('aggregations')
    .description('time both aggregation engines on the latest daily and monthly windows, each beside its floor (reading the engine\'s rows + bulk-writing as many summary rows, measured in the same run) as `x floor`; without --synthetic on the configured database, rolling every run back (alias: -benchmark-aggregations -benchmark-runs N)')
    .option('--runs <n>', 'runs per engine and window', '3')
    .addOption(new Option('--synthetic <fleet>', 'generate a reference fleet into a scratch database first (README "Measured")').choices(['fleet-S', 'fleet-L', 'fleet-XL']))
    .option('--db <path-or-url>', 'empty scratch database for --synthetic: a SQLite file path or a postgres:// URL (default: a temporary SQLite file); emptied or deleted afterwards unless --keep')
    .option('--keep', 'keep the scratch database')
    .option('--wide', 'also show the warm-up, fastest and slowest run')
    .option('--json', 'print the result as JSON')
    .action(async (flags, command: Command) => {
      const { benchmarkAggregationsCommand } = await import('./commands/benchmark.js');
      await benchmarkAggregationsCommand(globalsOf(command), flags);
    });
  benchmark
    .command('capture')
    .description('start K simulated vCenters (VMware\'s simulator, from a checkout), capture N VMs twice (first, then the next hour) into a scratch database with `vctp snapshot` in a child process, and print wall, CPU and peak RSS beside the floor: the same pages fetched as raw bytes')
    .option('--vms <n>', 'VMs across all vCenters', '10000')
    .option('--vcenters <k>', 'simulated vCenters', '1')
    .option('--runs <n>', 'first + next-hour pairs, each on a fresh database (the table shows medians)', '1')
    .option('--vcsim <path>', 'the simulator binary (default: test/vcsim/vcsim of the checkout vctp runs from; built by scripts/build-vcsim.sh)')
    .option('--db <path-or-url>', 'empty scratch database: a SQLite file path or a postgres:// URL (default: a temporary SQLite file); deleted or emptied afterwards')
    .option('--json', 'print the result as JSON')
    .action(async (flags, command: Command) => {
      const { benchmarkCaptureCommand } = await import('./commands/benchmark-capture.js');
      await benchmarkCaptureCommand(globalsOf(command), flags);
    });

  program
    .command('demo')
    .description('from a checkout: build and start VMware\'s vCenter simulator, capture N days of hourly history with changes and one missed hour, aggregate, write the workbooks, print the totals')
    .option('--dir <dir>', 'settings, SQLite database, metrics textfiles and the simulator\'s files (default: demo/ in the checkout; its demo files are recreated)')
    .option('--days <n>', 'complete UTC days of history, ending yesterday (1-31)', '3')
    .option('--reports-dir <dir>', 'where the workbooks go (default: reports/ in the checkout)')
    .option('--seed <n>', 'seed of the inventory changes', '1')
    .action(async (flags, command: Command) => {
      const { demoCommand } = await import('./commands/demo.js');
      await demoCommand(globalsOf(command), flags);
    });

  program
    .command('status')
    .description('per vCenter: latest snapshot, VM count, totals, the last snapshot job\'s result and missed snapshots of the last 7 days')
    .option('--wide', 'also show the latest snapshot\'s chargeable VMs, vCPU, RAM, disk and tier counts')
    .option('--json', 'print the result as JSON')
    .action(async (flags, command: Command) => {
      const { statusCommand } = await import('./commands/status.js');
      await statusCommand(globalsOf(command), flags);
    });

  program
    .command('serve')
    .description('the HTTP API, UI pages, Swagger UI and /metrics on settings.bind_ip:bind_port (TLS unless bind_disable_tls; LDAP/JWT auth per settings.auth_*); stops gracefully on SIGTERM')
    .option('--bind-ip <ip>', 'override settings.bind_ip')
    .option('--port <port>', 'override settings.bind_port (0: any free port, printed at start)')
    .option('--no-tls', 'serve plain HTTP (overrides settings.bind_disable_tls)')
    .action(async (flags, command: Command) => {
      const { serveCommand } = await import('./commands/serve.js');
      await serveCommand(globalsOf(command), flags);
    });

  program
    .command('init')
    .description(
      'write a first settings file (-s FILE, else $VCTP_SETTINGS, else /etc/dtms/vctp.yml): on a terminal a wizard asks for the vCenters, database, ' +
        'reports directory, sign-in and metrics directory, trying each vCenter login and the database as it goes; passwords are stored as enc:v1: values',
    )
    .option('--non-interactive', 'take every value from the flags below (for scripts); a failed check ends the run with nothing written')
    .option('--force', 'replace an existing settings file (its encryption_key and auth_jwt_signing_key are kept)')
    .option('--skip-checks', 'write the file without trying the vCenter logins and the database')
    .option('--vcenter <url>', 'a vCenter SDK URL (https://host/sdk), repeatable; https://user:password@host/sdk (percent-encoded) gives it its own account, written under settings.vcenters', collect)
    .option('--vcenter-username <name>', 'the account of the --vcenter URLs without one (settings.vcenter_username)')
    .option('--vcenter-password <password>', 'its password (settings.vcenter_password, stored as an enc:v1: value); - reads it from the first line of stdin, off the command line')
    .option('--vcenter-ca-file <file>', 'PEM CA bundle trusted for the vCenters\' TLS (settings.vcenter_ca_file)')
    .option('--vcenter-insecure', 'do not verify the vCenters\' TLS certificates (testing only)')
    .addOption(new Option('--database-driver <driver>', 'settings.database_driver (default sqlite)').choices(['sqlite', 'postgres']))
    .option('--database-url <url>', 'SQLite file path (default /var/lib/vctp/db.sqlite3), or the postgres:// URL with --database-driver postgres')
    .option('--reports-dir <dir>', 'settings.reports_dir (default /var/lib/vctp/reports); the global --metrics-textfile-dir sets settings.metrics_textfile_dir')
    .addOption(new Option('--auth <kind>', 'sign-in to vctp serve: none (default) or ldap').choices(['none', 'ldap']))
    .option('--ldap-bind-address <url>', 'with --auth ldap: ldap:// or ldaps:// URL of the directory')
    .option('--ldap-base-dn <dn>', 'with --auth ldap: the DN users are found under')
    .option('--ldap-admin-group <dn>', 'with --auth ldap: a group whose members are admins; repeatable', collect)
    .option('--ldap-viewer-group <dn>', 'with --auth ldap: a group whose members are viewers; repeatable', collect)
    .action(async (flags, command: Command) => {
      const { initCommand } = await import('./commands/init.js');
      await initCommand(globalsOf(command), flags);
    });

  program
    .command('encrypt')
    .description('print an enc:v1: value for settings.vcenter_password or a settings.vcenters[].password (prompts on a terminal, else reads stdin)')
    .action(async (_flags, command: Command) => {
      const { encryptCommand } = await import('./commands/encrypt-command.js');
      await encryptCommand(globalsOf(command));
    });

  program
    .command('doctor')
    .description('read-only health check: settings, vCenters (TLS, login), database (schema, writable, tuning), disk, freshness of snapshots, summaries and reports, systemd timers; exit 1 when a check fails')
    .option('--timeout <seconds>', 'bound of each probe: one vCenter, the database, systemctl', '15')
    .option('--json', 'print the checks as JSON')
    .action(async (flags, command: Command) => {
      const { doctorCommand } = await import('./commands/doctor.js');
      await doctorCommand(globalsOf(command), flags);
    });

  const db = program.command('db').description('database maintenance');
  db.command('cleanup')
    .description('database maintenance: ANALYZE/VACUUM or PRAGMA optimize, and drop indexes hourly_index_max_age_days no longer justifies (alias: -db-cleanup)')
    .option('--json', 'print the result as JSON')
    .action(async (flags, command: Command) => {
      const { dbCleanupCommand } = await import('./commands/db-cleanup.js');
      await dbCleanupCommand(globalsOf(command), flags);
    });
  db.command('migrate')
    .description('apply pending schema migrations (every job also does this before it runs); refuses a database a newer vctp migrated')
    .option('--adopt', 'take over a non-empty database that has no vctp migrations table (refused without it)')
    .action(async (flags, command: Command) => {
      const { dbMigrateCommand } = await import('./commands/db-migrate.js');
      await dbMigrateCommand(globalsOf(command), flags);
    });

  program
    .command('import-sqlite')
    .description(
      'copy every table of a vctp SQLite database into the configured PostgreSQL database (settings.database_driver: postgres), ' +
        'replacing those tables\' rows in one transaction; row counts and checksums are verified before the commit (alias: -import-sqlite FILE)',
    )
    .argument('<file>', 'the SQLite database file (a vctp database_url file, with every migration of this vctp applied; it is only read)')
    .option('--lock-wait <seconds>', 'how long to wait for the snapshots and aggregations running on any vCenter to finish; past it nothing is imported (default settings.lock_wait_seconds)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, flags, command: Command) => {
      const { importSqliteCommand } = await import('./commands/import-sqlite.js');
      await importSqliteCommand(globalsOf(command), file, flags);
    });

  const month = program.command('month').description('closed months: a closed month\'s monthly summaries, totals and cost are final until it is reopened');
  month
    .command('close')
    .description('close an ended month whose monthly summaries are up to date: re-aggregating, repairing, retention-trimming or changing its data is refused until `vctp month reopen`; recorded with the OS user, the currency and the rate cards that priced it')
    .argument('<YYYY-MM>', 'the month (UTC)')
    .option('--reason <text>', 'why (kept with the month\'s history)')
    .option('--lock-wait <seconds>', 'how long to wait for a running aggregation (default settings.lock_wait_seconds)')
    .option('--json', 'print the result as JSON')
    .action(async (label: string, flags, command: Command) => {
      const { monthCloseCommand } = await import('./commands/month.js');
      await monthCloseCommand(globalsOf(command), label, flags);
    });
  month
    .command('reopen')
    .description('reopen a closed month so that its summaries may be rebuilt; recorded with the OS user and the reason')
    .argument('<YYYY-MM>', 'the month (UTC)')
    .option('--reason <text>', 'why (required; kept with the month\'s history)')
    .option('--lock-wait <seconds>', 'how long to wait for a running aggregation (default settings.lock_wait_seconds)')
    .option('--json', 'print the result as JSON')
    .action(async (label: string, flags, command: Command) => {
      const { monthReopenCommand } = await import('./commands/month.js');
      await monthReopenCommand(globalsOf(command), label, flags);
    });
  month
    .command('list')
    .description('the closed months (who, when, why, currency) and every close and reopen')
    .option('--json', 'print the result as JSON, with the rate cards of each closed month')
    .action(async (flags, command: Command) => {
      const { monthListCommand } = await import('./commands/month.js');
      await monthListCommand(globalsOf(command), flags);
    });

  const vmGroup = program.command('vm').description('one VM\'s facts set by hand');
  vmGroup
    .command('set-lifecycle')
    .description('set or correct one VM\'s creation or deletion time (as POST /api/import/vm), audited with the OS user; summaries that carried the old value become stale for `vctp repair`')
    .option('--vcenter <name>', 'the vCenter (host[:port] as stored)')
    .option('--vm <id>', 'the VM\'s managed object id (vm-42)')
    .option('--created <time>', 'its creation time (unix seconds or ISO 8601, UTC unless it says): at or before its first snapshot')
    .option('--deleted <time>', 'its deletion time: only for a VM a snapshot has missed, between its last snapshot and the first without it')
    .option('--reason <text>', 'why (required; kept in the audit)')
    .option('--lock-wait <seconds>', 'how long to wait for a running aggregation (default settings.lock_wait_seconds)')
    .option('--json', 'print the result as JSON')
    .action(async (flags, command: Command) => {
      const { vmSetLifecycleCommand } = await import('./commands/vm-set-lifecycle.js');
      await vmSetLifecycleCommand(globalsOf(command), flags);
    });

  return program;
}
