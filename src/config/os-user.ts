// Who runs vctp, as audits name them (`vctp month close|reopen`, `vctp vm set-lifecycle`): the OS
// user, and under sudo also the user who invoked it, since "root" alone names nobody. SUDO_USER is
// set by sudo itself; a user could set it by hand, but only to add a name beside their own, which
// is still the account that ran the command.
import { userInfo } from 'node:os';

type Env = Readonly<Record<string, string | undefined>>;

/** `alice`; `root (sudo by alice)` under `sudo`; `vctp (sudo by alice)` under `sudo -u vctp`. */
export function actorName(user: string, sudoUser: string | undefined): string {
  const by = sudoUser?.trim();
  return by && by !== user ? `${user} (sudo by ${by})` : user;
}

/** The OS user running this process (its uid when the system has no name for it), with its sudo invoker. */
export function osUser(env: Env = process.env, info: () => { username: string } = userInfo): string {
  let user: string;
  try {
    user = info().username;
  } catch {
    user = `uid ${process.getuid?.() ?? 'unknown'}`;
  }
  return actorName(user, env.SUDO_USER);
}
