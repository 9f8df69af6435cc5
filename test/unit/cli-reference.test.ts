import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { cliReference, withReference } from '../../src/cli/cli-reference.js';
import { buildProgram } from '../../src/cli/program.js';

it('the README CLI reference matches the command tree (run `npm run docs:cli` to update it)', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  assert.equal(withReference(readme, cliReference(buildProgram('0'))), readme);
});
