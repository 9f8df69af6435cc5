// From a user's LDAP group DNs to a vctp role: settings.auth_group_role_mappings names the groups
// that give a role, settings.ldap_groups (when non-empty) is a further allowlist. DNs are compared
// trimmed and case-insensitively, as the spec says; directories differ in how they spell `CN=`.
import type { Role } from './user.js';

export interface RolePolicy {
  /** Normalised group DN -> role. */
  mappings: ReadonlyMap<string, Role>;
  /** Normalised group DNs; empty = no allowlist. */
  allowlist: ReadonlySet<string>;
}

export type RoleDecision =
  | { ok: true; role: Role; mappedGroups: string[] }
  | { ok: false; reason: 'not-in-allowed-group' | 'no-mapped-role' };

/** The form in which group DNs are compared. */
export function normaliseDn(dn: string): string {
  return dn.trim().toLowerCase();
}

export function rolePolicy(mappings: Record<string, Role>, allowlist: readonly string[]): RolePolicy {
  const map = new Map<string, Role>();
  for (const [dn, role] of Object.entries(mappings)) {
    // Two spellings of one DN mapped to different roles: the stronger one wins, as it would for a
    // user in two mapped groups.
    const key = normaliseDn(dn);
    if (map.get(key) !== 'admin') map.set(key, role);
  }
  return { mappings: map, allowlist: new Set(allowlist.map(normaliseDn)) };
}

/** The role for a user in these groups: admin if any mapped group says admin, else viewer. */
export function decideRole(policy: RolePolicy, groupDns: readonly string[]): RoleDecision {
  // No role first: the message that helps most (ask for a mapped group) wins over the allowlist's.
  const mappedGroups = groupDns.filter((dn) => policy.mappings.has(normaliseDn(dn)));
  if (mappedGroups.length === 0) return { ok: false, reason: 'no-mapped-role' };
  if (policy.allowlist.size > 0 && !groupDns.some((dn) => policy.allowlist.has(normaliseDn(dn)))) {
    return { ok: false, reason: 'not-in-allowed-group' };
  }
  const role: Role = mappedGroups.some((dn) => policy.mappings.get(normaliseDn(dn)) === 'admin') ? 'admin' : 'viewer';
  return { ok: true, role, mappedGroups };
}

/** Admin implies viewer. */
export function roleSatisfies(role: Role, needed: 'viewer' | 'admin'): boolean {
  return needed === 'viewer' || role === 'admin';
}
