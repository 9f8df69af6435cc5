// The textfile exporter: after a whole run of job J, DIR/vctp_<J with _ for ->.prom holds J's own
// vctp_job_* series and the families J owns (see families.ts), every series labelled job="J", for
// node_exporter's textfile collector (--collector.textfile.directory=DIR). Each file is replaced
// atomically (src/files/atomic-write): node_exporter reads the previous file or the new one, never
// half of one. The directory is not created: a missing one is a setting to fix, named in the error.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { VctpError } from '../core/errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import type { MetricsPublisher } from './publisher.js';
import { exposition, jobRegistry } from './registry.js';

const SETTING = 'settings.metrics_textfile_dir (or --metrics-textfile-dir)';

/** `snapshot` -> `vctp_snapshot.prom`, `aggregate-daily` -> `vctp_aggregate_daily.prom`. */
export function textfileName(job: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(job)) throw new VctpError('internal', `not a job name for a metrics textfile: ${JSON.stringify(job)}`);
  return `vctp_${job.replaceAll('-', '_')}.prom`;
}

export function textfilePublisher(directory: string): MetricsPublisher {
  return {
    check: () => checkDirectory(directory),
    async publish(job, figures) {
      await checkDirectory(directory);
      const text = await exposition(jobRegistry(job, figures));
      const path = join(directory, textfileName(job));
      try {
        // The owner need not be kept: a run by hand as root must not stop the timer's account from
        // replacing the file later, and the other way round (the directory decides who may).
        await writeFileAtomic(path, text, { mode: 0o644, keepOwner: 'best-effort' });
      } catch (error) {
        throw new VctpError('config', `${SETTING}: cannot write ${path} (${reason(error)})`, { cause: error });
      }
    },
  };
}

async function checkDirectory(directory: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(directory)).isDirectory();
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new VctpError(
      'config',
      missing
        ? `${SETTING}: the metrics textfile directory ${directory} does not exist; create it (node_exporter's --collector.textfile.directory) or fix the setting`
        : `${SETTING}: cannot use the metrics textfile directory ${directory} (${reason(error)})`,
      { cause: error },
    );
  }
  if (!isDirectory) throw new VctpError('config', `${SETTING}: ${directory} is not a directory`);
}

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e?.code ? `${e.code}: ${e.message.replace(/^[A-Z]+: /, '')}` : String(e?.message ?? error);
}
