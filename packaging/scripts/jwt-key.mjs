// Post-install (packaging/scripts/configure.sh), run by the package's own Node:
//   node jwt-key.mjs /etc/dtms/vctp.yml
// Gives the settings file an auth_jwt_signing_key (48 random bytes, base64: HS256 wants at least
// 32) when it has none, so that turning auth_enabled on later needs no key-making step. A file that
// has a key, or that is not the single YAML document vctp reads, is left exactly as it is. Only
// the one line changes (the example's commented-out `# auth_jwt_signing_key: ""`, an empty value,
// or a new line right under `settings:`); the result is parsed again and must differ from the
// original in that key alone, else nothing is written. The file is replaced atomically with its
// owner and mode kept. Exit 0 also when nothing was done (it says why); 1 on an unexpected error.
// Resolves `yaml` from /usr/lib/vctp/node_modules (the app's own dependency).
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, fchmodSync, fsyncSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';

const KEY = 'auth_jwt_signing_key';
const path = process.argv[2];
if (!path) {
  console.error('usage: node jwt-key.mjs SETTINGS_FILE');
  process.exit(2);
}

function settingsOf(text) {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return { error: doc.errors[0].message };
  const value = doc.toJS();
  if (value === null || typeof value !== 'object' || typeof value.settings !== 'object' || value.settings === null) {
    return { error: 'it has no settings: mapping' };
  }
  return { settings: value.settings };
}

// A linked settings file (a packager's or operator's symlink) is edited where it lives, link kept.
const target = realpathSync(path);
const text = readFileSync(target, 'utf8');
const before = settingsOf(text);
if (before.error) {
  console.log(`vctp: ${path}: ${KEY} not added (${before.error})`);
  process.exit(0);
}
const current = before.settings[KEY];
if (current !== undefined && current !== null && current !== '') process.exit(0);

const key = randomBytes(48).toString('base64');
const line = (indent) => `${indent}${KEY}: "${key}"`;
let updated;
const empty = new RegExp(`^([ \\t]+)${KEY}:[ \\t]*(""|''|~|null)?[ \\t]*(#.*)?$`, 'm');
const commented = new RegExp(`^([ \\t]+)#[ \\t]*${KEY}:.*$`, 'm');
if (current !== undefined && empty.test(text)) {
  updated = text.replace(empty, (_m, indent) => line(indent));
} else if (current === undefined && commented.test(text)) {
  updated = text.replace(commented, (_m, indent) => line(indent));
} else {
  // A new line under `settings:`, indented like the first key below it.
  const header = /^settings:[ \t]*(#.*)?\r?\n/m.exec(text);
  const indent = header ? (/^([ \t]+)[^\s#]/m.exec(text.slice(header.index + header[0].length))?.[1] ?? '  ') : undefined;
  if (header && indent !== undefined) {
    const at = header.index + header[0].length;
    updated = `${text.slice(0, at)}${line(indent)}\n${text.slice(at)}`;
  }
}

const after = updated === undefined ? { error: 'no place for it' } : settingsOf(updated);
if (after.error || !isDeepStrictEqual(after.settings, { ...before.settings, [KEY]: key })) {
  console.log(`vctp: ${path}: ${KEY} not added (the file's layout is not one this script edits); add one with: openssl rand -base64 48`);
  process.exit(0);
}

const { mode, uid, gid } = statSync(target);
const temp = join(dirname(target), `.vctp.yml.${process.pid}.tmp`);
try {
  const fd = openSync(temp, 'wx', mode & 0o7777);
  try {
    fchmodSync(fd, mode & 0o7777); // the umask does not narrow it
    writeSync(fd, updated);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chownSync(temp, uid, gid);
  renameSync(temp, target);
} catch (error) {
  try {
    unlinkSync(temp);
  } catch {
    // Already gone.
  }
  throw error;
}
console.log(`vctp: ${path}: generated ${KEY}`);
