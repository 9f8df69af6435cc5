// Who a verified token or a login says the caller is; operation.ts calls it RequestUser. Declared
// here, importing nothing: operation.ts reaches this directory through deps.ts (ServerDeps.auth),
// so the auth services may not import operation.ts's types back (the architecture test forbids
// the cycle, type-only imports included).
export type Role = 'viewer' | 'admin';

export interface AuthenticatedUser {
  username: string;
  role: Role;
  groups: string[];
}
