// The settings file `vctp init` writes: a draft of the answers rendered as a commented vctp.yml.
// Pure: the passwords arrive already encrypted (enc:v1:...), and nothing is read or written here.
// Only the keys init asks about are set; every other key keeps its default, and the file says
// where the full list lives (vctp.yml.example, README "Settings").

/** One vCenter's own account (settings.vcenters). */
export interface DraftVcenter {
  url: string;
  username: string;
  /** As stored: an enc:v1: value. */
  password: string;
}

export type DraftAuth =
  | { kind: 'none' }
  | {
      kind: 'ldap';
      /** ldap:// or ldaps:// */
      bindAddress: string;
      baseDn: string;
      /** LDAP group DN -> role; at least one. */
      groupRoles: Readonly<Record<string, 'viewer' | 'admin'>>;
      /** base64 */
      jwtSigningKey: string;
      ldapInsecure?: boolean;
    };

export interface SettingsDraft {
  /** vCenters sharing one account (the spec's vcenter_addresses + vcenter_username/password). */
  shared: { urls: readonly string[]; username: string; password: string } | null;
  /** vCenters with their own account. */
  vcenters: readonly DraftVcenter[];
  vcenterCaFile?: string;
  vcenterInsecure?: boolean;
  /** Kept from the file being replaced: the passwords were encrypted with the key it gives. */
  encryptionKey?: string;
  database: { driver: 'sqlite' | 'postgres'; url: string };
  reportsDir: string;
  metricsTextfileDir?: string;
  auth: DraftAuth;
  /** For the header: what wrote the file, and when (ISO time). */
  writtenBy: string;
  writtenAt: string;
}

/** YAML double-quoted scalar: JSON's string syntax is a subset of it, so any text round-trips. */
const q = (value: string): string => JSON.stringify(value);

export function renderSettingsFile(draft: SettingsDraft): string {
  const lines: string[] = [
    `# vctp settings, written by ${draft.writtenBy} at ${draft.writtenAt}.`,
    '# Only the keys asked about are set here; every other key keeps its default. The full list, each',
    '# with its default and meaning: vctp.yml.example beside the package docs, and README "Settings".',
    '# Check this file with `vctp doctor`.',
    'settings:',
    ...vcenterLines(draft),
    '',
    ...databaseLines(draft),
    '',
    '  # --- Reports ----------------------------------------------------------------------------',
    '  # Where the hourly, daily and monthly workbooks are written.',
    `  reports_dir: ${q(draft.reportsDir)}`,
    '',
    '  # --- Metrics ----------------------------------------------------------------------------',
    "  # node_exporter's textfile collector directory: each job writes vctp_<job>.prom there.",
    draft.metricsTextfileDir === undefined
      ? '  # Unset: no metrics files. metrics_textfile_dir: /var/lib/prometheus/node-exporter'
      : `  metrics_textfile_dir: ${q(draft.metricsTextfileDir)}`,
    '',
    ...authLines(draft.auth),
  ];
  return `${lines.join('\n')}\n`;
}

function vcenterLines(draft: SettingsDraft): string[] {
  const lines = [
    '  # --- vCenter ----------------------------------------------------------------------------',
    '  # Passwords are stored encrypted (enc:v1:...) with a key derived from this host',
    '  # (/etc/machine-id) or from encryption_key when set: copied to another host they do not',
    '  # decrypt. `vctp encrypt` prints a new value; a plaintext password is encrypted in place.',
  ];
  if (draft.encryptionKey !== undefined) {
    lines.push('  # Kept from the file this one replaced: the passwords below are encrypted with it.', `  encryption_key: ${q(draft.encryptionKey)}`);
  }
  if (draft.shared) {
    lines.push(
      '  # vCenters that share one account (read-only is enough).',
      '  vcenter_addresses:',
      ...draft.shared.urls.map((url) => `    - ${q(url)}`),
      `  vcenter_username: ${q(draft.shared.username)}`,
      `  vcenter_password: ${q(draft.shared.password)}`,
    );
  } else {
    lines.push('  vcenter_addresses: []');
  }
  if (draft.vcenters.length > 0) {
    lines.push('  # vCenters with their own account (vctp addition; each listed once, here or above).', '  vcenters:');
    for (const v of draft.vcenters) {
      lines.push(`    - url: ${q(v.url)}`, `      username: ${q(v.username)}`, `      password: ${q(v.password)}`);
    }
  }
  if (draft.vcenterCaFile !== undefined) {
    lines.push('  # PEM CA bundle trusted for the vCenters\' TLS certificates.', `  vcenter_ca_file: ${q(draft.vcenterCaFile)}`);
  }
  if (draft.vcenterInsecure) {
    lines.push('  # TLS certificates of the vCenters are NOT verified (testing only; prefer vcenter_ca_file).', '  vcenter_insecure: true');
  }
  return lines;
}

function databaseLines(draft: SettingsDraft): string[] {
  const { driver, url } = draft.database;
  return [
    '  # --- Database ---------------------------------------------------------------------------',
    driver === 'sqlite'
      ? '  # SQLite: one file on this host. `vctp import-sqlite` moves it to PostgreSQL later.'
      : '  # PostgreSQL: several collectors may share it. The URL holds its password: keep this file 0640.',
    `  database_driver: ${driver}`,
    `  database_url: ${q(url)}`,
  ];
}

function authLines(auth: DraftAuth): string[] {
  const head = '  # --- Authentication (vctp serve) -----------------------------------------------------';
  if (auth.kind === 'none') {
    return [head, '  # Off: every API and UI request is served without a login. LDAP sign-in: auth_enabled,', '  # ldap_* and auth_* keys (vctp.yml.example).', '  auth_enabled: false'];
  }
  return [
    head,
    '  # LDAP sign-in; a user\'s role comes from their groups mapped below (viewer or admin).',
    '  auth_enabled: true',
    '  auth_mode: required',
    `  ldap_bind_address: ${q(auth.bindAddress)}`,
    `  ldap_base_dn: ${q(auth.baseDn)}`,
    ...(auth.ldapInsecure ? ['  # The LDAP server\'s certificate is NOT verified (testing only).', '  ldap_insecure: true'] : []),
    '  auth_group_role_mappings:',
    ...Object.entries(auth.groupRoles).map(([dn, role]) => `    ${q(dn)}: ${role}`),
    '  # Signs the session tokens (base64, generated by vctp init); keep it secret.',
    `  auth_jwt_signing_key: ${q(auth.jwtSigningKey)}`,
  ];
}
