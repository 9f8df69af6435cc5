// The house rules of src/, kept by a test since no linter here does: which layer may import which,
// no import cycles, drizzle and the database drivers only in src/store, process.env only in
// src/config. Imports are read from the source text (static, re-exports and dynamic import()),
// type-only ones included: a type is a dependency too.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/**
 * Arrows point down. Beyond the layers every entry point, job and query knows, two leaf utilities
 * serve every layer but core: `log` (the logger every context carries) and `files` (the one atomic
 * file writer). The CLI may use `core`'s pure vocabulary (its error type, period and time parsing):
 * pure code carries no I/O, so it bypasses no layer. `vctp serve` is a command: the CLI starts the
 * server, which is an entry point beside it (never below it: server imports nothing of cli).
 */
const ALLOWED: Record<string, readonly string[]> = {
  cli: ['app', 'jobs', 'queries', 'server', 'core'],
  server: ['app', 'jobs', 'queries', 'core', 'log', 'metrics'],
  app: ['config', 'store', 'metrics', 'log', 'core'],
  jobs: ['core', 'store', 'vcenter', 'reports', 'metrics', 'log', 'files'],
  queries: ['core', 'store', 'vcenter', 'reports', 'metrics', 'log', 'files'],
  store: ['core', 'files'],
  reports: ['core', 'files'],
  vcenter: ['core', 'log'],
  config: ['core', 'log', 'files'],
  metrics: ['core', 'log', 'files'],
  log: [],
  files: ['core'],
  core: [],
};

/** Named exceptions, each with its reason. */
const EXCEPTIONS: Record<string, string> = {
  // The composition root builds the context that every job takes; it names that type, nothing more.
  'app/runtime.ts -> jobs/context.ts': 'type only',
  'app/serve-runtime.ts -> jobs/context.ts': 'type only',
};

const DATABASE_PACKAGES = /^(drizzle-orm|drizzle-kit|postgres|better-sqlite3)(\/|$)/;

interface Import {
  specifier: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(text: string): Import[] {
  const found: Import[] = [];
  // import x from '...'; import type { X } from '...'; export { x } from '...'; export * from '...'
  const statement = /^\s*(import|export)\s+(type\s+)?([^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(statement)) {
    if (m[1] === 'export' && !m[3]) continue; // `export const x = '...'` is no import
    found.push({ specifier: m[4]!, typeOnly: Boolean(m[2]) });
  }
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push({ specifier: m[1]!, typeOnly: false });
  return found;
}

const rel = (path: string) => relative(SRC, path).split('\\').join('/');
const layerOf = (relPath: string) => relPath.split('/')[0]!;

/** A relative specifier resolved to the .ts file it names under src/, or null for a package. */
function resolveLocal(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  return rel(resolve(dirname(from), specifier.replace(/\.js$/, '.ts')));
}

const files = sourceFiles(SRC);
const graph = new Map<string, { target: string; typeOnly: boolean }[]>();
const packages = new Map<string, string[]>();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const edges: { target: string; typeOnly: boolean }[] = [];
  const pkgs: string[] = [];
  for (const imp of importsOf(text)) {
    const target = resolveLocal(file, imp.specifier);
    if (target === null) pkgs.push(imp.specifier);
    else edges.push({ target, typeOnly: imp.typeOnly });
  }
  graph.set(rel(file), edges);
  packages.set(rel(file), pkgs);
}

describe('architecture of src/', () => {
  it('reads a plausible import graph', () => {
    assert.ok(graph.size > 100, `only ${graph.size} source files found under ${SRC}`);
    for (const [file, edges] of graph) {
      for (const edge of edges) assert.ok(graph.has(edge.target), `${file} imports ${edge.target}, which does not exist`);
    }
  });

  it('imports only along the allowed arrows between layers', () => {
    const wrong: string[] = [];
    for (const [file, edges] of graph) {
      const from = layerOf(file);
      const allowed = ALLOWED[from];
      if (!allowed) {
        wrong.push(`${file}: layer src/${from} is not in the architecture (add it to ALLOWED with its arrows)`);
        continue;
      }
      for (const edge of edges) {
        const to = layerOf(edge.target);
        if (to === from || allowed.includes(to)) continue;
        const exception = EXCEPTIONS[`${file} -> ${edge.target}`];
        if (exception === 'type only' && edge.typeOnly) continue;
        wrong.push(`${file} -> ${edge.target} (${from} -> ${to})`);
      }
    }
    assert.deepEqual(wrong, [], `imports against the layer arrows:\n${wrong.join('\n')}`);
  });

  it('has no import cycle', () => {
    // Tarjan's strongly connected components over the file graph.
    let index = 0;
    const indexOf = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (node: string) => {
      indexOf.set(node, index);
      low.set(node, index++);
      stack.push(node);
      onStack.add(node);
      for (const { target } of graph.get(node) ?? []) {
        if (!indexOf.has(target)) {
          visit(target);
          low.set(node, Math.min(low.get(node)!, low.get(target)!));
        } else if (onStack.has(target)) {
          low.set(node, Math.min(low.get(node)!, indexOf.get(target)!));
        }
      }
      if (low.get(node) === indexOf.get(node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        const selfLoop = (graph.get(node) ?? []).some((e) => e.target === node);
        if (component.length > 1 || selfLoop) cycles.push(component.sort());
      }
    };
    for (const node of graph.keys()) if (!indexOf.has(node)) visit(node);
    assert.deepEqual(cycles, [], `import cycles:\n${cycles.map((c) => c.join(' <-> ')).join('\n')}`);
  });

  it('imports drizzle and the database drivers only in src/store', () => {
    const wrong = [...packages].flatMap(([file, pkgs]) =>
      layerOf(file) === 'store' ? [] : pkgs.filter((p) => DATABASE_PACKAGES.test(p)).map((p) => `${file} imports ${p}`),
    );
    assert.deepEqual(wrong, []);
  });

  it('reads process.env only in src/config', () => {
    const wrong = files
      .filter((file) => layerOf(rel(file)) !== 'config')
      .filter((file) => /\bprocess\.env\b/.test(readFileSync(file, 'utf8')))
      .map(rel);
    assert.deepEqual(wrong, []);
  });
});
