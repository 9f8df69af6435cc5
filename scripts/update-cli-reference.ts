// npm run docs:cli: rewrites the CLI reference section of README.md from the command tree.
import { readFileSync, writeFileSync } from 'node:fs';
import { cliReference, withReference } from '../src/cli/cli-reference.js';
import { buildProgram } from '../src/cli/program.js';

const readmePath = new URL('../README.md', import.meta.url);
const readme = readFileSync(readmePath, 'utf8');
writeFileSync(readmePath, withReference(readme, cliReference(buildProgram('0'))));
