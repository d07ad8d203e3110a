import type { IncomingMessage } from 'node:http';

export interface MlflowActor {
  name: string;
  role: string | null;
}

/**
 * Who is calling, for every MLflow endpoint: the one place to wire
 * authentication. MLflow clients send MLFLOW_TRACKING_TOKEN as
 * `Authorization: Bearer <token>` (and MLFLOW_TRACKING_USERNAME/PASSWORD as
 * Basic). Until the governance authenticator is on main every caller is
 * anonymous, like GraphQL's; point this at it (throw a DomainError
 * UNAUTHENTICATED / FORBIDDEN to refuse: the router maps them to MLflow's
 * UNAUTHENTICATED 401 / PERMISSION_DENIED 403).
 */
export type ActorResolver = (req: IncomingMessage) => Promise<MlflowActor>;

export const anonymousActor: ActorResolver = async () => ({ name: 'anonymous', role: null });

/** The bearer token of a request, if any (for the authenticator). */
export function bearerToken(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(.+)$/i.exec(h) : null;
  return m ? m[1]!.trim() : null;
}
