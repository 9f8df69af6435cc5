// Builds the .deb and .rpm once for a test run with packaging/build.sh, into a temporary directory
// the caller removes. --no-build: the suite's set-up has built dist/ already, and rebuilding it
// here would rewrite files that other test files are running at the same moment.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from './overlay-host.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface BuiltPackages {
  dir: string;
  deb: string;
  rpm: string;
  version: string;
  /** What build.sh found the bundled binaries need: "glibc 2.34\nGLIBCXX_3.4.29 (...)". */
  floor: string;
  /** build.sh's stderr: its steps, for a failure's message. */
  log: string;
}

export async function buildPackages(): Promise<BuiltPackages> {
  assert.ok(existsSync(join(ROOT, 'dist/cli/main.js')), 'dist/ is missing: run npm run build first');
  const dir = mkdtempSync(join(tmpdir(), 'vctp-packages-'));
  const out = join(dir, 'out');
  const work = join(dir, 'work');
  const result = await runCommand('bash', [join(ROOT, 'packaging/build.sh'), '--no-build', '--out', out, '--work', work], { cwd: ROOT });
  assert.equal(result.code, 0, `packaging/build.sh failed:\n${result.stderr}`);
  const files = readdirSync(out);
  const deb = files.find((f) => f.endsWith('.deb'));
  const rpm = files.find((f) => f.endsWith('.rpm'));
  assert.ok(deb && rpm, `packaging/build.sh made ${files.join(', ')}: expected a .deb and an .rpm`);
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return { dir, deb: join(out, deb), rpm: join(out, rpm), version, floor: readFileSync(join(work, 'floor'), 'utf8'), log: result.stderr };
}
