// A real OpenLDAP slapd (Debian's `slapd`) for the login tests: a throwaway mdb database in a temp
// directory, seeded offline with slapadd, listening on free loopback ports, stopped with SIGTERM.
//
// The directory holds the three shapes of group membership vctp reads:
// - groupOfNames `member` and groupOfUniqueNames `uniqueMember` (plain slapd: no memberof overlay);
// - posixGroup `memberUid` (the user's uid, not its DN);
// - an Active Directory-shaped user (no uid; AD's sAMAccountName and memberOf attributes) found by
//   sAMAccountName, whose group comes only from its own `memberOf` value.
//
// With `tls: true` a CA and a server certificate for 127.0.0.1 are made with openssl, and slapd
// also listens on ldaps:// and offers StartTLS on ldap://.
//
// With `anonymousSearch: false` the database answers every operation of a connection that has not
// bound as a user with an error (`require authc`), as Active Directory refuses anonymous searches
// (AD answers operationsError "a successful bind must be completed"; slapd unwillingToPerform
// "authentication required").
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

export const BASE_DN = 'dc=example,dc=com';
const PEOPLE = `ou=People,${BASE_DN}`;
const GROUPS = `ou=Groups,${BASE_DN}`;

/** Group DNs as the directory spells them. */
export const GROUP_DNS = {
  viewers: `cn=vctp-viewers,${GROUPS}`, // groupOfNames: viewer1, paren(1), mail.user@example.com
  admins: `cn=vctp-admins,${GROUPS}`, // groupOfUniqueNames: admin1
  contractors: `cn=vctp-contractors,${GROUPS}`, // groupOfNames: outsider1 (mapped, not allowlisted)
  operators: `cn=platform-operators,${GROUPS}`, // groupOfNames: nogroup1, outsider1 (never mapped)
  posixViewers: `cn=vctp-posix-viewers,${GROUPS}`, // posixGroup memberUid: posix1
  adAdmins: `cn=vctp-ad-admins,${GROUPS}`, // listed only in aduser1's memberOf
} as const;

export interface SlapdUser {
  username: string;
  password: string;
  dn: string;
}

/** Every seeded user; each has its own password so a test cannot pass with the wrong one. */
export const USERS = {
  viewer1: { username: 'viewer1', password: 'viewer1-pass', dn: `uid=viewer1,${PEOPLE}` },
  admin1: { username: 'admin1', password: 'admin1-pass', dn: `uid=admin1,${PEOPLE}` },
  nogroup1: { username: 'nogroup1', password: 'nogroup1-pass', dn: `uid=nogroup1,${PEOPLE}` },
  outsider1: { username: 'outsider1', password: 'outsider1-pass', dn: `uid=outsider1,${PEOPLE}` },
  posix1: { username: 'posix1', password: 'posix1-pass', dn: `uid=posix1,${PEOPLE}` },
  aduser1: { username: 'aduser1', password: 'aduser1-pass', dn: `cn=AD User One,${PEOPLE}` },
  // A name with filter metacharacters: found only when the filter escapes them.
  paren: { username: 'paren(1)', password: 'paren-pass', dn: `uid=paren(1),${PEOPLE}` },
  // A uid shaped like a UPN: slapd refuses it as a bind name, so it logs in as a plain name.
  mailUid: { username: 'mail.user@example.com', password: 'mail-user-pass', dn: `uid=mail.user@example.com,${PEOPLE}` },
} as const satisfies Record<string, SlapdUser>;

export interface SlapdOptions {
  tls?: boolean;
  /** false: only connections bound as a user may search (`require authc`). Default true. */
  anonymousSearch?: boolean;
}

export interface Slapd {
  /** ldap://127.0.0.1:PORT */
  url: string;
  /** ldaps://127.0.0.1:PORT, with tls */
  ldapsUrl?: string;
  /** PEM of the CA that signed the server certificate, with tls */
  caFile?: string;
  baseDn: string;
  userBaseDn: string;
  groups: typeof GROUP_DNS;
  users: typeof USERS;
  stop(): Promise<void>;
}

function seedLdif(): string {
  const person = (u: SlapdUser, extra = '') =>
    `dn: ${u.dn}\nobjectClass: inetOrgPerson\nuid: ${u.username}\ncn: ${u.username}\nsn: ${u.username}\nuserPassword: ${u.password}\n${extra}`;
  const names = (dn: string, cls: 'groupOfNames' | 'groupOfUniqueNames', attr: 'member' | 'uniqueMember', members: string[]) =>
    `dn: ${dn}\nobjectClass: ${cls}\ncn: ${dn.slice(3, dn.indexOf(','))}\n${members.map((m) => `${attr}: ${m}`).join('\n')}\n`;
  return [
    `dn: ${BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n`,
    `dn: ${PEOPLE}\nobjectClass: organizationalUnit\nou: People\n`,
    `dn: ${GROUPS}\nobjectClass: organizationalUnit\nou: Groups\n`,
    person(USERS.viewer1),
    person(USERS.admin1),
    person(USERS.nogroup1),
    person(USERS.outsider1),
    person(USERS.posix1),
    person(USERS.paren),
    person(USERS.mailUid),
    `dn: ${USERS.aduser1.dn}\nobjectClass: inetOrgPerson\nobjectClass: vctpTestAdAccount\ncn: AD User One\nsn: One\n` +
      `sAMAccountName: ${USERS.aduser1.username}\nuserPassword: ${USERS.aduser1.password}\nmemberOf: ${GROUP_DNS.adAdmins}\n`,
    names(GROUP_DNS.viewers, 'groupOfNames', 'member', [USERS.viewer1.dn, USERS.paren.dn, USERS.mailUid.dn]),
    names(GROUP_DNS.admins, 'groupOfUniqueNames', 'uniqueMember', [USERS.admin1.dn]),
    names(GROUP_DNS.contractors, 'groupOfNames', 'member', [USERS.outsider1.dn]),
    names(GROUP_DNS.operators, 'groupOfNames', 'member', [USERS.nogroup1.dn, USERS.outsider1.dn]),
    `dn: ${GROUP_DNS.posixViewers}\nobjectClass: posixGroup\ncn: vctp-posix-viewers\ngidNumber: 5001\nmemberUid: ${USERS.posix1.username}\n`,
    `dn: ${GROUP_DNS.adAdmins}\nobjectClass: groupOfNames\ncn: vctp-ad-admins\nmember: ${USERS.admin1.dn}\n`,
  ].join('\n');
}

/**
 * Active Directory's sAMAccountName and memberOf (their AD OIDs and matching rules) on an auxiliary
 * class of our own: Debian's msuser.schema declares them without an EQUALITY rule, so a filter on
 * sAMAccountName would match nothing there.
 */
const AD_ACCOUNT_SCHEMA = `attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.2.102 NAME 'memberOf'
  EQUALITY distinguishedNameMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )
objectclass ( 1.3.6.1.4.1.4203.666.11.990 NAME 'vctpTestAdAccount' SUP top AUXILIARY MAY ( sAMAccountName $ memberOf ) )
`;

function slapdConf(dir: string, tls: boolean, anonymousSearch: boolean): string {
  return [
    ...['core', 'cosine', 'nis', 'inetorgperson'].map((s) => `include /etc/ldap/schema/${s}.schema`),
    `include ${join(dir, 'ad-account.schema')}`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    `pidfile ${join(dir, 'slapd.pid')}`,
    `argsfile ${join(dir, 'slapd.args')}`,
    ...(tls
      ? [`TLSCACertificateFile ${join(dir, 'ca.pem')}`, `TLSCertificateFile ${join(dir, 'server.pem')}`, `TLSCertificateKeyFile ${join(dir, 'server-key.pem')}`]
      : []),
    'database mdb',
    `suffix "${BASE_DN}"`,
    `rootdn "cn=admin,${BASE_DN}"`,
    'rootpw not-used-by-tests',
    `directory ${join(dir, 'data')}`,
    ...(anonymousSearch ? [] : ['require authc']),
    // As a production directory would: passwords usable for binds only, everything else readable.
    'access to attrs=userPassword by self write by anonymous auth by * none',
    'access to * by * read',
    '',
  ].join('\n');
}

async function makeCertificates(dir: string): Promise<void> {
  const ca = join(dir, 'ca');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=vctp test LDAP CA', '-keyout', `${ca}-key.pem`, '-out', join(dir, 'ca.pem')]);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'server-key.pem'), '-out', join(dir, 'server.csr')]);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await run('openssl', [
    'x509', '-req', '-in', join(dir, 'server.csr'), '-CA', join(dir, 'ca.pem'), '-CAkey', `${ca}-key.pem`, '-CAcreateserial',
    '-days', '2', '-extfile', join(dir, 'server.ext'), '-out', join(dir, 'server.pem'),
  ]);
}


async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startSlapd(options: SlapdOptions = {}): Promise<Slapd> {
  const tls = options.tls ?? false;
  const anonymousSearch = options.anonymousSearch ?? true;
  const dir = mkdtempSync(join(tmpdir(), 'vctp-slapd-'));
  mkdirSync(join(dir, 'data'));
  if (tls) await makeCertificates(dir);
  const conf = join(dir, 'slapd.conf');
  writeFileSync(join(dir, 'ad-account.schema'), AD_ACCOUNT_SCHEMA);
  writeFileSync(conf, slapdConf(dir, tls, anonymousSearch));
  writeFileSync(join(dir, 'seed.ldif'), seedLdif());
  await run('slapadd', ['-f', conf, '-l', join(dir, 'seed.ldif')]);

  const port = await freePort();
  const tlsPort = tls ? await freePort() : undefined;
  const listeners = [`ldap://127.0.0.1:${port}/`, ...(tlsPort ? [`ldaps://127.0.0.1:${tlsPort}/`] : [])];
  // -d 0: stay in the foreground (no fork), so the child is slapd itself and SIGTERM reaches it.
  const child: ChildProcess = spawn('slapd', ['-d', '0', '-h', listeners.join(' '), '-f', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (!exited) child.kill('SIGTERM');
    await exit;
    rmSync(dir, { recursive: true, force: true });
  };

  // Ready in about 0.1 s; 10 s allows for a loaded machine.
  for (let attempt = 0; ; attempt++) {
    if (exited) {
      await stop();
      throw new Error(`slapd exited at startup: ${stderr.trim()}`);
    }
    if ((await accepts(port)) && (tlsPort === undefined || (await accepts(tlsPort)))) break;
    if (attempt >= 200) {
      await stop();
      throw new Error(`slapd did not listen on ${listeners.join(' ')} within 10 s: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    url: `ldap://127.0.0.1:${port}`,
    ...(tlsPort ? { ldapsUrl: `ldaps://127.0.0.1:${tlsPort}`, caFile: join(dir, 'ca.pem') } : {}),
    baseDn: BASE_DN,
    userBaseDn: PEOPLE,
    groups: GROUP_DNS,
    users: USERS,
    stop,
  };
}
