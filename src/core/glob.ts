// Case-insensitive glob patterns for the name lists in the settings (tenants_to_filter,
// node_charge_clusters, srm_activeactive_vms, tier_patterns): `*` any run, `?` one character,
// `[abc]` a class. A pattern without wildcards therefore matches the whole name exactly.

export type NameMatcher = (name: string | null | undefined) => boolean;

export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else if (ch === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close === -1) source += '\\[';
      else {
        const body = pattern.slice(i + 1, close).replace(/\\/g, '\\\\');
        source += body.startsWith('!') ? `[^${body.slice(1)}]` : `[${body}]`;
        i = close;
      }
    } else source += ch.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

/** A matcher that is true when any of the patterns matches the whole name. */
export function anyGlob(patterns: readonly string[]): NameMatcher {
  const regexps = patterns.map(globToRegExp);
  if (regexps.length === 0) return () => false;
  return (name) => name != null && regexps.some((re) => re.test(name));
}
