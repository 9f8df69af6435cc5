// Rules that span several keys, and the assembly of the final Settings. They run on the keys that
// passed their own validation, so one bad key does not hide a problem in another.
import { ALLOCATION_ROW_FIELDS, BUILT_IN_DIMENSIONS } from '../core/cost-dimensions.js';
import { sqliteNotPersistentReason } from '../core/sqlite-url.js';
import { duplicateVcenterAddresses } from '../core/vcenter-address.js';
import { vcenterEntries } from '../core/vcenter-logins.js';
import { hasScheme } from './schema-helpers.js';
import { DEFAULT_DATABASE_URL, type SettingsFields } from './settings-schema.js';
import type { Settings } from './settings-types.js';

export interface RuleResult {
  problems: string[];
  warnings: string[];
}

const isPostgresDsn = (url: string) => /^postgres(ql)?:\/\//i.test(url) && hasScheme(url, ['postgres:', 'postgresql:']);

export function crossKeyRules(fields: Partial<SettingsFields>): RuleResult {
  const problems: string[] = [];
  const warnings: string[] = [];
  const { database_driver: driver, database_url: url } = fields;

  if (driver === 'postgres') {
    if (url === undefined) problems.push('settings.database_url: is required when database_driver is postgres (postgres://user:pass@host:5432/vctp)');
    else if (!isPostgresDsn(url)) problems.push('settings.database_url: expected a postgres:// or postgresql:// URL when database_driver is postgres');
  }
  if (driver === 'sqlite') {
    if (url !== undefined && /^postgres(ql)?:\/\//i.test(url)) {
      problems.push('settings.database_url: is a PostgreSQL URL but database_driver is sqlite; set database_driver: postgres');
    } else if (url !== undefined) {
      // Such a database starts empty on every run: a snapshot would succeed and keep nothing.
      const reason = sqliteNotPersistentReason(url);
      if (reason !== undefined) {
        problems.push(`settings.database_url: is not a persistent database file: ${reason}; every run would start empty and keep nothing. Set a file path such as ${DEFAULT_DATABASE_URL}`);
      }
    }
    if (fields.postgres_vm_hourly_partitioning_enabled === true) {
      warnings.push('settings.postgres_vm_hourly_partitioning_enabled: only applies to PostgreSQL; ignored with sqlite');
    }
  }

  if (fields.auth_enabled === true) {
    if (fields.auth_group_role_mappings !== undefined && Object.keys(fields.auth_group_role_mappings).length === 0) {
      problems.push('settings.auth_group_role_mappings: must map at least one LDAP group DN to viewer or admin when auth_enabled is true');
    }
    if (fields.ldap_bind_address === undefined) problems.push('settings.ldap_bind_address: is required when auth_enabled is true');
    if (fields.ldap_base_dn === undefined && fields.ldap_user_base_dn === undefined) {
      problems.push('settings.ldap_base_dn: is required when auth_enabled is true (or set ldap_user_base_dn)');
    }
    if (fields.auth_jwt_signing_key === undefined) problems.push('settings.auth_jwt_signing_key: is required when auth_enabled is true');
    if (fields.auth_mode === 'disabled') warnings.push('settings.auth_mode: is disabled, so auth_enabled: true has no effect on requests');
  }
  if (fields.auth_enabled === false && fields.auth_mode !== undefined && fields.auth_mode !== 'disabled') {
    warnings.push(`settings.auth_mode: is ${fields.auth_mode} but auth_enabled is false; authentication stays off`);
  }

  // One vCenter listed twice would be captured twice into one history, and every later hour would
  // fail (src/core/vcenter-address.ts says which spellings are the same vCenter).
  // The same holds across vcenter_addresses and vcenters: listed in both, it would also have two
  // passwords, and which was meant is not vctp's to guess (src/core/vcenter-logins.ts).
  const entries = vcenterEntries({ vcenter_addresses: fields.vcenter_addresses ?? [], vcenters: fields.vcenters ?? [] });
  for (const { index, first } of duplicateVcenterAddresses(entries.map((e) => e.url))) {
    const [later, earlier] = [entries[index]!, entries[first]!];
    const sameKey = later.urlKey.startsWith('settings.vcenter_addresses') && earlier.urlKey.startsWith('settings.vcenter_addresses');
    problems.push(
      sameKey
        ? `${later.urlKey}: the same vCenter as [${first}] (${withoutUserInfo(earlier.url)})`
        : `${later.urlKey}: the same vCenter as ${earlier.urlKey} (${withoutUserInfo(earlier.url)}); list each vCenter once, under vcenter_addresses (shared credentials) or vcenters (its own)`,
    );
  }

  const metrics = new Map<string, number>();
  fields.report_summary_pivots?.forEach((pivot, index) => {
    const first = metrics.get(pivot.metric);
    if (first !== undefined) problems.push(`settings.report_summary_pivots[${index}].metric: ${pivot.metric} is already overridden by entry ${first}`);
    else metrics.set(pivot.metric, index);
  });

  problems.push(...costRules(fields));

  return { problems, warnings };
}

/**
 * Rate cards follow each other (each from its valid_from until the next one's) in one currency;
 * dimension names are unique and distinct from the built-in ones; a Cost sheet names a dimension.
 */
function costRules(fields: Partial<SettingsFields>): string[] {
  const problems: string[] = [];
  const cards = fields.rate_cards ?? [];
  cards.forEach((card, index) => {
    const previous = cards[index - 1];
    if (previous === undefined) return;
    if (card.valid_from === previous.valid_from) {
      problems.push(`settings.rate_cards[${index}].valid_from: ${card.valid_from} overlaps rate_cards[${index - 1}], which starts the same day`);
    } else if (card.valid_from < previous.valid_from) {
      problems.push(
        `settings.rate_cards[${index}].valid_from: ${card.valid_from} is before rate_cards[${index - 1}] (${previous.valid_from}); list the cards in valid_from order`,
      );
    }
    if (card.currency !== cards[0]!.currency) {
      problems.push(`settings.rate_cards[${index}].currency: ${card.currency} differs from rate_cards[0] (${cards[0]!.currency}); every card must use one currency`);
    }
  });

  const builtIn: readonly string[] = BUILT_IN_DIMENSIONS;
  const names = new Map<string, number>();
  (fields.cost_dimensions ?? []).forEach((dimension, index) => {
    if (builtIn.includes(dimension.name)) {
      problems.push(`settings.cost_dimensions[${index}].name: ${dimension.name} is a built-in dimension (${BUILT_IN_DIMENSIONS.join(', ')})`);
    } else if ((ALLOCATION_ROW_FIELDS as readonly string[]).includes(dimension.name)) {
      problems.push(`settings.cost_dimensions[${index}].name: ${dimension.name} is a field of allocation rows (${ALLOCATION_ROW_FIELDS.join(', ')}); choose another name`);
    }
    const first = names.get(dimension.name);
    if (first !== undefined) problems.push(`settings.cost_dimensions[${index}].name: ${dimension.name} is already defined by entry ${first}`);
    else names.set(dimension.name, index);
  });
  (fields.report_cost_dimensions ?? []).forEach((name, index) => {
    if (name === 'vm' || (!names.has(name) && !builtIn.includes(name))) {
      problems.push(
        `settings.report_cost_dimensions[${index}]: ${name} is not a cost dimension; expected one of ${[...names.keys(), ...builtIn.filter((n) => n !== 'vm')].join(', ')}`,
      );
    }
  });
  return problems;
}

function withoutUserInfo(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url;
  }
}

/** Fills the defaults that depend on other keys and drops unset optional keys. */
export function assembleSettings(fields: SettingsFields): Settings {
  const settings: Settings = {
    ...fields,
    // The RPM layout keeps data under /var/lib/vctp; a bare db.sqlite3 in the working directory
    // (the original's default) would depend on where the timer happens to start us.
    database_url: fields.database_url ?? DEFAULT_DATABASE_URL,
    ldap_user_base_dn: fields.ldap_user_base_dn ?? fields.ldap_base_dn,
  };
  for (const key of Object.keys(settings) as (keyof Settings)[]) {
    if (settings[key] === undefined) delete settings[key];
  }
  return settings;
}
