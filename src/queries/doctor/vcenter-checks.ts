// Doctor's vCenter checks, one per configured vCenter (vcenter_addresses and vcenters): reachable, TLS trusted (and by
// what), login accepted; each bounded so that a frozen vCenter cannot hang doctor.
import { doctorCheck, worstStatus, type CheckStatus, type DoctorCheck } from '../../core/doctor-check.js';
import { sdkHint } from '../../core/doctor-rules.js';
import type { Logger } from '../../log/logger.js';
import { VimSession, vcenterName } from '../../vcenter/index.js';
import { CaFileError, probeTls, type TlsFacts } from './tls-probe.js';
import { withDeadline, type DoctorLogin, type DoctorSettings } from './types.js';

/** A certificate expiring this soon is worth a warning. */
export const CERT_WARN_DAYS = 30;

type Line = { status: CheckStatus; text: string };

export async function vcenterChecks(
  settings: DoctorSettings,
  logins: readonly DoctorLogin[],
  log: Logger,
  timeoutMs: number,
  nowMs: number,
): Promise<DoctorCheck[]> {
  if (logins.length === 0) {
    return [doctorCheck('vcenters', 'fail', 'settings.vcenter_addresses: no vCenter configured; add its SDK URL (https://host/sdk), or an entry to settings.vcenters')];
  }
  const names = logins.map(({ url }) => {
    try {
      return vcenterName(url);
    } catch {
      return null;
    }
  });
  return Promise.all(
    logins.map(async (login, index) => {
      const url = login.url;
      const host = names[index];
      if (host == null) return doctorCheck(`vcenter ${url}`, 'fail', `invalid vCenter URL ${JSON.stringify(url)} (expected https://host[:port]/sdk)`, { url });
      // Check names stay unique when two URLs share host:port (http and https, say).
      const name = names.indexOf(host) === index ? host : url;
      const lines: Line[] = [];
      const facts: Record<string, unknown> = { url };
      try {
        await withDeadline(probe(login, settings, log, timeoutMs, nowMs, lines, facts), timeoutMs, `vCenter ${name}`);
      } catch (error) {
        lines.push({ status: 'fail', text: `${(error as Error).message} (a frozen vCenter, or a firewall dropping packets)` });
      }
      const status = worstStatus(lines.map((l) => l.status));
      const hint = status === 'fail' ? sdkHint(url) : null;
      if (hint) lines.push({ status: 'fail', text: `hint: ${hint}` });
      return doctorCheck(`vcenter ${name}`, status, lines.map((l) => l.text).join('\n'), facts);
    }),
  );
}

async function probe(
  { url, username, password }: DoctorLogin,
  settings: DoctorSettings,
  log: Logger,
  timeoutMs: number,
  nowMs: number,
  lines: Line[],
  facts: Record<string, unknown>,
): Promise<void> {
  const parsed = new URL(url);
  if (parsed.protocol === 'https:') {
    let tls: TlsFacts;
    try {
      tls = await probeTls(parsed, settings.vcenter_ca_file, Math.max(1000, Math.floor(timeoutMs / 3)), nowMs);
    } catch (error) {
      if (error instanceof CaFileError) lines.push({ status: 'fail', text: error.message });
      else {
        facts.reachable = false;
        lines.push({ status: 'fail', text: `unreachable: ${reason(error)}` });
      }
      return;
    }
    facts.reachable = true;
    facts.tls = tls;
    lines.push(tlsLine(tls, settings));
    if (!tls.verified && !settings.vcenter_insecure) return; // the login would fail the same way
  } else {
    facts.reachable = null;
    lines.push({ status: 'warn', text: 'plain http: no TLS, so the password crosses the network readable (use https://host/sdk)' });
  }

  if (typeof username !== 'string') {
    lines.push({ status: 'fail', text: `login not tried: ${username.error}` });
    return;
  }
  if ('error' in password) {
    lines.push({ status: 'fail', text: `login not tried: ${password.error}` });
    return;
  }
  const login = VimSession.login(
    {
      url,
      username,
      password: password.password,
      insecure: settings.vcenter_insecure,
      caFile: settings.vcenter_ca_file ?? null,
      timeoutMs: Math.max(1000, Math.floor(timeoutMs / 3)),
    },
    log,
  );
  // Past the deadline doctor has moved on; a session that opens late is still closed.
  const session = await login.catch((error: unknown) => {
    facts.login = 'failed';
    lines.push({ status: 'fail', text: (error as Error).message });
    return null;
  });
  if (!session) return;
  try {
    const about = session.serviceContent;
    facts.login = 'ok';
    facts.apiVersion = about.apiVersion;
    lines.push({ status: 'ok', text: `login ok as ${username} (${about.fullName || 'vCenter'}, API ${about.apiVersion})` });
  } finally {
    await session.logout();
  }
}

function tlsLine(tls: TlsFacts, settings: DoctorSettings): Line {
  const root = tls.root !== tls.issuer && tls.root !== tls.subject ? ` (root ${tls.root})` : '';
  const cert = `certificate ${tls.subject} from ${tls.issuer}${root}, valid until ${tls.validTo.slice(0, 10)}`;
  if (tls.verified) {
    const by = tls.trustedBy === 'vcenter_ca_file' ? `settings.vcenter_ca_file ${settings.vcenter_ca_file}` : "Node's bundled CAs";
    if (tls.daysLeft < CERT_WARN_DAYS) return { status: 'warn', text: `TLS trusted through ${by}, but the ${cert}: ${tls.daysLeft} days left; renew it` };
    return { status: 'ok', text: `TLS trusted through ${by}; ${cert}` };
  }
  const why = `certificate not trusted (${tls.error ?? 'unverified'}); ${cert}`;
  if (settings.vcenter_insecure) return { status: 'warn', text: `TLS not verified (settings.vcenter_insecure: true): ${why}` };
  return {
    status: 'fail',
    text:
      `TLS ${why}; trust its CA with settings.vcenter_ca_file (a PEM bundle)` +
      (settings.vcenter_ca_file ? ` (${settings.vcenter_ca_file} does not anchor it)` : '') +
      ', or set settings.vcenter_insecure: true (testing only)',
  };
}

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e?.code ? `${e.code}: ${e.message}` : String(e?.message ?? error);
}
