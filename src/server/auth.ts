import type { Principal } from '../governance/roles.js';
import type { TokenService } from '../governance/token.service.js';
import { parseBearer } from '../governance/tokens.js';
import type { Caller } from '../governance/policy.js';

/** The caller when no token is presented; only PEDIGREE_ANONYMOUS_READ lets it run anything. */
export const ANONYMOUS: Caller = Object.freeze({ name: 'anonymous', role: null });

export type Authentication =
  { kind: 'ok'; actor: Caller; token: string } | { kind: 'missing' } | { kind: 'invalid'; message: string };

/**
 * Turns an `Authorization` value (HTTP header, or the `authorization` field of
 * a graphql-ws connection_init payload) into an actor. Used by both transports
 * so they cannot disagree.
 */
export async function authenticate(tokens: TokenService, authorization: unknown): Promise<Authentication> {
  const token = parseBearer(authorization);
  if (token === undefined) return { kind: 'missing' };
  if (token === null) return { kind: 'invalid', message: 'the authorization value must be "Bearer <token>"' };
  const principal: Principal | null = await tokens.authenticate(token);
  if (!principal) return { kind: 'invalid', message: 'the API token is unknown or revoked' };
  return { kind: 'ok', actor: { name: principal.name, role: principal.role }, token };
}
