// The vCenters vctp captures, and the credentials each logs in with. The settings name them two
// ways, which combine:
//   - the spec's `vcenter_addresses` (a list of URLs) sharing one `vcenter_username` and
//     `vcenter_password`;
//   - vctp's `vcenters: [{url, username, password}]`, one credential per vCenter.
// Both may be set at once; the list is vcenter_addresses first, then vcenters, in file order. A
// vCenter named in both is a settings error naming both keys (settings-rules.ts), not an override:
// which of two passwords was meant is not something to guess. Pure; the passwords here are
// whatever the caller gives (as stored in the file, or decrypted).

/** One vCenter and how to log in to it. */
export interface VcenterLogin {
  url: string;
  username: string;
  password: string;
}

/** Where one vCenter's entry comes from, as the settings keys name it (for messages). */
export interface VcenterEntry {
  url: string;
  /** `settings.vcenter_addresses[0]` or `settings.vcenters[1].url`. */
  urlKey: string;
  /** As stored; undefined when the key is unset. */
  username: string | undefined;
  usernameKey: string;
  password: string | undefined;
  passwordKey: string;
}

export interface VcenterListSettings {
  vcenter_addresses: readonly string[];
  vcenter_username?: string;
  vcenter_password?: string;
  /** Optional so that narrow settings built in code (tests, the demo) may leave it out. */
  vcenters?: readonly { url: string; username: string; password: string }[];
}

export function vcenterEntries(settings: VcenterListSettings): VcenterEntry[] {
  const shared = settings.vcenter_addresses.map((url, index) => ({
    url,
    urlKey: `settings.vcenter_addresses[${index}]`,
    username: settings.vcenter_username,
    usernameKey: 'settings.vcenter_username',
    password: settings.vcenter_password,
    passwordKey: 'settings.vcenter_password',
  }));
  const own = (settings.vcenters ?? []).map((entry, index) => ({
    url: entry.url,
    urlKey: `settings.vcenters[${index}].url`,
    username: entry.username,
    usernameKey: `settings.vcenters[${index}].username`,
    password: entry.password,
    passwordKey: `settings.vcenters[${index}].password`,
  }));
  return [...shared, ...own];
}

/** Every configured vCenter URL, in the order vcenterEntries lists them. */
export function configuredVcenterUrls(settings: { vcenter_addresses: readonly string[]; vcenters?: readonly { url: string }[] }): string[] {
  return [...settings.vcenter_addresses, ...(settings.vcenters ?? []).map((entry) => entry.url)];
}
