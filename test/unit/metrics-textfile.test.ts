// The textfile exporter and the one atomic file writer under it: files named after the job, created
// 0644 whatever the umask, replaced keeping an operator's mode, never half-written, and a missing
// directory is an error naming it and the setting (never created behind the operator's back).
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isVctpError } from '../../src/core/errors.js';
import type { MetricFigures } from '../../src/core/metric-figures.js';
import { replaceFileAtomic, writeFileAtomic } from '../../src/files/atomic-write.js';
import { exposition, jobRegistry } from '../../src/metrics/registry.js';
import { textfilePublisher } from '../../src/metrics/textfile-publisher.js';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vctp-metrics-textfile-'));
  dirs.push(dir);
  return dir;
}

const FIGURES: MetricFigures = {
  jobs: [
    { job: 'snapshot', runs: 4, failed: 1, lastOutcome: 'ok', lastDurationSeconds: 2, lastSuccessUnix: 1776812400 },
    { job: 'aggregate-daily', runs: 1, failed: 0, lastOutcome: 'ok', lastDurationSeconds: 1, lastSuccessUnix: 1776816000 },
  ],
  hourlySnapshots: { total: 8, failed: 1, lastDurationSeconds: 2, lastUnix: 1776812400, lastRows: 20 },
  dailyAggregations: { total: 2, failed: 0, lastDurationSeconds: 1 },
  monthlyAggregations: { total: 0, failed: 0, lastDurationSeconds: null },
  vcenters: [{ vcenter: 'vc1', failedAttempts: 1, lastDurationSeconds: 2, inventorySize: 20, lastSnapshotUnix: 1776812400 }],
};

async function withUmask<T>(mask: number, fn: () => Promise<T>): Promise<T> {
  const previous = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(previous);
  }
}

describe('metrics textfile exporter', () => {
  it('writes vctp_<job>.prom with that job registry, mode 0644 whatever the umask, and no temp file', async () => {
    const dir = await tempDir();
    const publisher = textfilePublisher(dir);
    await publisher.check!();
    await withUmask(0o077, async () => {
      await publisher.publish('snapshot', FIGURES);
      await publisher.publish('aggregate-daily', FIGURES);
    });
    assert.deepEqual((await readdir(dir)).sort(), ['vctp_aggregate_daily.prom', 'vctp_snapshot.prom']);
    assert.equal(await readFile(join(dir, 'vctp_snapshot.prom'), 'utf8'), await exposition(jobRegistry('snapshot', FIGURES)));
    assert.match(await readFile(join(dir, 'vctp_aggregate_daily.prom'), 'utf8'), /^vctp_daily_aggregations_total\{job="aggregate-daily"\} 2$/m);
    assert.equal((await stat(join(dir, 'vctp_snapshot.prom'))).mode & 0o777, 0o644);
  });

  it('replaces the file of a later run, keeping the mode an operator gave it', async () => {
    const dir = await tempDir();
    const publisher = textfilePublisher(dir);
    await publisher.publish('snapshot', FIGURES);
    await chmod(join(dir, 'vctp_snapshot.prom'), 0o640);
    await publisher.publish('snapshot', { ...FIGURES, hourlySnapshots: { ...FIGURES.hourlySnapshots, total: 9 } });
    assert.match(await readFile(join(dir, 'vctp_snapshot.prom'), 'utf8'), /^vctp_hourly_snapshots_total\{job="snapshot"\} 9$/m);
    assert.equal((await stat(join(dir, 'vctp_snapshot.prom'))).mode & 0o777, 0o640);
    assert.deepEqual(await readdir(dir), ['vctp_snapshot.prom']);
  });

  it('a missing directory is a settings error naming it and the setting, and is not created', async () => {
    const dir = join(await tempDir(), 'textfile_collector');
    const publisher = textfilePublisher(dir);
    for (const attempt of [() => publisher.check!(), () => publisher.publish('snapshot', FIGURES)]) {
      const error = await attempt().catch((e: unknown) => e);
      assert.ok(isVctpError(error) && error.code === 'config', String(error));
      assert.ok(error.message.includes(dir), error.message);
      assert.match(error.message, /settings\.metrics_textfile_dir/);
      assert.match(error.message, /--metrics-textfile-dir/);
      assert.match(error.message, /does not exist/);
    }
    await assert.rejects(stat(dir), { code: 'ENOENT' });
  });

  it('a path that is not a directory, or one it cannot write, is an error naming the setting', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), '');
    const error = await textfilePublisher(join(dir, 'file')).publish('snapshot', FIGURES).catch((e: unknown) => e);
    assert.ok(isVctpError(error) && error.code === 'config');
    assert.match(error.message, /^settings\.metrics_textfile_dir .*is not a directory$/);

    if (process.getuid?.() !== 0) {
      await mkdir(join(dir, 'ro'), { mode: 0o555 });
      const denied = await textfilePublisher(join(dir, 'ro')).publish('snapshot', FIGURES).catch((e: unknown) => e);
      assert.ok(isVctpError(denied));
      assert.match(denied.message, /^settings\.metrics_textfile_dir .*cannot write .*vctp_snapshot\.prom \(EACCES/);
    }
  });
});

describe('atomic file writer (src/files)', () => {
  it('creates a file that does not exist yet, 0644 unless told otherwise', async () => {
    const dir = await tempDir();
    await withUmask(0o027, () => writeFileAtomic(join(dir, 'new.txt'), 'hello'));
    assert.equal(await readFile(join(dir, 'new.txt'), 'utf8'), 'hello');
    assert.equal((await stat(join(dir, 'new.txt'))).mode & 0o777, 0o644);
    await writeFileAtomic(join(dir, 'private.txt'), 'x', { mode: 0o600 });
    assert.equal((await stat(join(dir, 'private.txt'))).mode & 0o777, 0o600);
  });

  it('replaces the file a symlink points to, and refuses a dangling symlink', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'real.yml'), 'old', { mode: 0o600 });
    await symlink(join(dir, 'real.yml'), join(dir, 'link.yml'));
    await writeFileAtomic(join(dir, 'link.yml'), 'new');
    assert.equal(await readFile(join(dir, 'real.yml'), 'utf8'), 'new');
    assert.equal((await stat(join(dir, 'real.yml'))).mode & 0o777, 0o600);
    assert.ok((await readdir(dir)).includes('link.yml'));

    await symlink(join(dir, 'gone.yml'), join(dir, 'dangling.yml'));
    await assert.rejects(writeFileAtomic(join(dir, 'dangling.yml'), 'x'), { code: 'ENOENT' });
  });

  it('a failed rename or a failed write leaves the previous content and no temp file', async () => {
    const dir = await tempDir();
    const path = join(dir, 'f.prom');
    await writeFile(path, 'previous');
    const rename = async () => {
      throw Object.assign(new Error('simulated crash before rename'), { code: 'EIO' });
    };
    await assert.rejects(writeFileAtomic(path, 'next', { rename }), { code: 'EIO' });
    await assert.rejects(
      replaceFileAtomic(path, async (temp) => {
        await writeFile(temp, 'half');
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await readFile(path, 'utf8'), 'previous');
    assert.deepEqual(await readdir(dir), ['f.prom']);
  });

  it('does not create a missing directory', async () => {
    const dir = await tempDir();
    await assert.rejects(writeFileAtomic(join(dir, 'missing', 'f'), 'x'), { code: 'ENOENT' });
    assert.deepEqual(await readdir(dir), []);
  });
});
