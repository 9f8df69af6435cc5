// Settings text -> validated Settings, pure. Every problem in the file is collected and reported
// together in one SettingsError; unknown and deprecated keys become warnings, never failures, so
// a vctp.yml written for the original Go system loads unchanged.
import { isDeepStrictEqual } from 'node:util';
import { LineCounter, parseDocument } from 'yaml';
import { findIgnoredKeys, ignoredKeyWarnings, recordIgnoredKeys } from './ignored-keys.js';
import { issueLines, SettingsError } from './problems.js';
import { assembleSettings, crossKeyRules } from './settings-rules.js';
import { DEPRECATED_KEYS, isSecretPath, pivotEntrySchema, settingsFields, vcenterEntrySchema, type SettingsFields } from './settings-schema.js';
import type { LoadedSettings } from './settings-types.js';
import { describePosition, documentToValues, isMapping, type YamlValue } from './yaml-values.js';

type Mapping = { [key: string]: YamlValue };

export interface ParseOptions {
  /**
   * Rules that read the files the settings name (setting-files.ts): loadSettings passes them; a
   * parse of text alone has none. They see the keys that passed their own validation, and their
   * problems join the others in the one SettingsError.
   */
  fileProblems?: (fields: Partial<SettingsFields>) => string[];
}

export function parseSettings(yamlText: string, path: string, options: ParseOptions = {}): LoadedSettings {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => describePosition(lineCounter, offset);
  if (doc.errors.length > 0) {
    throw new SettingsError(path, doc.errors.map((e) => `${at(e.pos[0])}: YAML syntax error: ${firstLine(e.message)}`));
  }
  const warnings = doc.warnings.map((w) => `${at(w.pos[0])}: ${firstLine(w.message)}`);

  let root: YamlValue;
  try {
    root = documentToValues(doc);
  } catch (error) {
    throw new SettingsError(path, [error instanceof Error ? error.message : String(error)]);
  }
  const settingsMap = topLevelSettings(root, path, warnings);

  const problems: string[] = [];
  const raw = withoutUnsetValues(settingsMap);
  warnings.push(...unknownKeyWarnings(settingsMap));

  const fields: Partial<Record<keyof SettingsFields, unknown>> = {};
  for (const key of Object.keys(settingsFields) as (keyof SettingsFields)[]) {
    const result = settingsFields[key].safeParse(raw[key], { reportInput: true });
    if (result.success) fields[key] = result.data;
    else for (const issue of result.error.issues) problems.push(...issueLines(['settings', key], [issue], isSecretPath(key, issue.path)));
  }

  const rules = crossKeyRules(fields as Partial<SettingsFields>);
  problems.push(...rules.problems);
  warnings.push(...rules.warnings);
  if (options.fileProblems) problems.push(...options.fileProblems(fields as Partial<SettingsFields>));
  if (problems.length > 0) throw new SettingsError(path, problems);

  const ignored = findIgnoredKeys(Object.keys(raw), (key) => isDefaultValue(key as keyof SettingsFields, fields));
  warnings.push(...ignoredKeyWarnings(ignored));
  const loaded: LoadedSettings = { path, settings: assembleSettings(fields as SettingsFields), warnings };
  recordIgnoredKeys(loaded, ignored);
  return loaded;
}

function isDefaultValue(key: keyof SettingsFields, fields: Partial<Record<keyof SettingsFields, unknown>>): boolean {
  const fallback = settingsFields[key].safeParse(undefined);
  return fallback.success && fallback.data !== undefined && isDeepStrictEqual(fallback.data, fields[key]);
}

function topLevelSettings(root: YamlValue, path: string, warnings: string[]): Mapping {
  const expected = 'expected a mapping with a top-level "settings:" key';
  if (root === null) throw new SettingsError(path, [`the file is empty; ${expected}`]);
  if (!isMapping(root)) throw new SettingsError(path, [`the document is not a mapping; ${expected}`]);
  for (const key of Object.keys(root)) {
    if (key !== 'settings') warnings.push(`${key}: unknown top-level key, ignored (all configuration lives under settings:)`);
  }
  if (!('settings' in root)) throw new SettingsError(path, [`settings: is missing; ${expected}`]);
  const settings = root.settings ?? null;
  if (settings === null) return Object.create(null) as Mapping; // `settings:` alone: all defaults
  if (!isMapping(settings)) throw new SettingsError(path, ['settings: expected a mapping of setting names to values']);
  return settings;
}

// `key:` with no value, and `key: ""`, mean "unset" (Go's zero value), so the default applies.
function withoutUnsetValues(map: Mapping): Mapping {
  const out = Object.create(null) as Mapping;
  for (const [key, value] of Object.entries(map)) {
    if (value === null || value === '') continue;
    out[key] = (key === 'report_summary_pivots' || key === 'vcenters') && Array.isArray(value)
      ? value.map((entry) => (isMapping(entry) ? withoutUnsetValues(entry) : entry))
      : value;
  }
  return out;
}

function unknownKeyWarnings(raw: Mapping): string[] {
  const warnings: string[] = [];
  const deprecated: readonly string[] = DEPRECATED_KEYS;
  for (const key of Object.keys(raw)) {
    if (deprecated.includes(key)) warnings.push(`settings.${key}: deprecated and ignored`);
    else if (!Object.hasOwn(settingsFields, key)) warnings.push(`settings.${key}: unknown key, ignored`);
  }
  const entryKeys: [string, object][] = [['report_summary_pivots', pivotEntrySchema.shape], ['vcenters', vcenterEntrySchema.shape]];
  for (const [list, shape] of entryKeys) {
    const entries = raw[list];
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry, index) => {
      if (!isMapping(entry)) return;
      for (const key of Object.keys(entry)) {
        if (!Object.hasOwn(shape, key)) warnings.push(`settings.${list}[${index}].${key}: unknown key, ignored`);
      }
    });
  }
  return warnings;
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? message;
}
