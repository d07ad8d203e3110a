import type { IncomingMessage } from 'node:http';
import { DomainError, ErrorCode } from '../errors.js';
import type { Caller } from '../governance/policy.js';
import { hasRole, isRole, Role } from '../governance/roles.js';
import type { TokenService } from '../governance/token.service.js';
import { authenticate } from '../server/auth.js';

/**
 * Who is calling an MLflow endpoint, and whether they may: the one place
 * authentication and roles apply to the MLflow front door. MLflow clients send
 * MLFLOW_TRACKING_TOKEN as `Authorization: Bearer <token>`; the token is
 * checked by the same authenticator as GraphQL. Reads need VIEWER (anonymous
 * callers may read only when PEDIGREE_ANONYMOUS_READ is on), writes need
 * CONTRIBUTOR, and managing webhooks needs ADMIN, as the matching GraphQL mutations do; protected aliases and
 * stages beyond STAGING are then guarded by governance's promotion guard
 * inside the registry's transactions. Refusals are DomainErrors the router
 * maps to MLflow's UNAUTHENTICATED (401) and PERMISSION_DENIED (403).
 */
export type ActorResolver = (req: IncomingMessage, access: 'read' | 'write' | 'admin') => Promise<Caller>;

export function tokenActorResolver(tokens: TokenService, opts: { anonymousRead: boolean }): ActorResolver {
  return async (req, access) => {
    const auth = await authenticate(tokens, req.headers.authorization);
    if (auth.kind === 'invalid') throw new DomainError(ErrorCode.UNAUTHENTICATED, auth.message);
    if (auth.kind === 'missing') {
      if (access === 'read' && opts.anonymousRead) return { name: 'anonymous', role: null };
      throw new DomainError(
        ErrorCode.UNAUTHENTICATED,
        'MLflow endpoints need an API token: set MLFLOW_TRACKING_TOKEN (sent as Authorization: Bearer <token>)',
      );
    }
    const required = access === 'read' ? Role.VIEWER : access === 'write' ? Role.CONTRIBUTOR : Role.ADMIN;
    if (!hasRole(auth.actor.role as Role | null, required)) {
      const what = access === 'read' ? 'read' : access === 'write' ? 'write' : 'manage webhooks';
      throw new DomainError(
        ErrorCode.FORBIDDEN,
        `${auth.actor.name} (${auth.actor.role}) may not ${what} through MLflow: it needs ${required}`,
      );
    }
    return { name: auth.actor.name, role: isRole(auth.actor.role) ? auth.actor.role : null };
  };
}

/** Everyone is anonymous and may do everything: for tools and tests that run without governance. */
export const openActorResolver: ActorResolver = async () => ({ name: 'anonymous', role: null });
