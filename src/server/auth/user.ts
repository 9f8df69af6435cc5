// Who a verified token or a login says the caller is. The same shape as RequestUser in
// ../operation.ts, declared here without imports: operation.ts reaches this directory through
// deps.ts (ServerDeps.auth), so the auth services may not import it back (the architecture test
// forbids the cycle, type-only imports included).
export type Role = 'viewer' | 'admin';

export interface AuthenticatedUser {
  username: string;
  role: Role;
  groups: string[];
}
