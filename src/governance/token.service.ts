import { randomUUID } from 'node:crypto';
import { badInput, conflict, DomainError, ErrorCode, notFound } from '../errors.js';
import { unknownAfter, type ListPage } from '../paging.js';
import { appendEvent, EventType } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Executor } from '../graph/executor.js';
import type { Logger } from '../logger.js';
import type { Caller } from './policy.js';
import { isRole, Role, type Principal } from './roles.js';
import { generateToken, hashToken, sameToken } from './tokens.js';

const Q = {
  find: statement('governance/find-principal-by-token'),
  create: statement('governance/create-api-token'),
  bootstrap: statement('governance/bootstrap-admin'),
  countAdmins: statement('governance/count-admins'),
  list: statement('governance/list-api-tokens'),
  revoke: statement('governance/revoke-api-tokens'),
};

/** The principal name of PEDIGREE_ADMIN_TOKEN and of the first-start admin token. */
export const ADMIN_PRINCIPAL = 'admin';
/** Names that never belong to a token: the anonymous caller and the server itself. */
const RESERVED_NAMES = new Set(['anonymous', 'system']);
/** Principal names appear in events and owner lists: short, printable, no spaces. */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/;

/**
 * The principal-name rule (tokens, owners, approvers): 1–100 characters of letters, digits, ".", "_", "@", "-",
 * starting with a letter or digit.
 */
export function isPrincipalName(name: string): boolean {
  return NAME_RE.test(name);
}
/** Live (unrevoked) tokens of one principal: what revoking by principal name returns at most. */
export const MAX_LIVE_TOKENS = 100;
/** Longest time a revoked token keeps working in another process (the lookup cache). */
export const MAX_TOKEN_CACHE_MS = 5_000;

export interface CreatedToken {
  /** The secret: shown once, never stored. */
  token: string;
  id: string;
  principal: Principal;
  createdAt: string;
}

export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  revokedBy: string | null;
}

export interface TokenServiceOptions {
  /** PEDIGREE_ADMIN_TOKEN: accepted as the `admin` principal when set. */
  adminToken?: string;
  /** How long a successful lookup is reused in this process (ms, ≤ 5 000). */
  cacheMs: number;
}

/**
 * API tokens: 256-bit random secrets shown once and stored as SHA-256 hashes
 * (`(:ApiToken {hash})-[:FOR]->(:Principal {name, role})`), and the lookup that
 * turns a bearer token into a principal.
 *
 * Successful lookups are cached per process for `cacheMs` (default 2 s, at most
 * 5 s), so a revoked token stops working everywhere within that time, and at
 * once in the process that revoked it. Failed lookups are not cached, so a new
 * token works at once.
 */
export class TokenService {
  private readonly cache = new Map<string, { principal: Principal; until: number }>();
  private readonly cacheMs: number;

  constructor(
    private readonly executor: Executor,
    private readonly opts: TokenServiceOptions,
    private readonly log?: Logger,
  ) {
    this.cacheMs = Math.max(0, Math.min(opts.cacheMs, MAX_TOKEN_CACHE_MS));
  }

  /** The principal a token speaks for, or null when it is unknown or revoked. */
  async authenticate(token: string): Promise<Principal | null> {
    if (this.opts.adminToken && sameToken(token, this.opts.adminToken)) {
      return { name: ADMIN_PRINCIPAL, role: Role.ADMIN };
    }
    const hash = hashToken(token);
    const now = Date.now();
    const hit = this.cache.get(hash);
    if (hit && hit.until > now) return hit.principal;
    const [row] = await this.executor.read<{ name: string; role: string }>(Q.find, { hash });
    if (!row || !isRole(row.role)) {
      this.cache.delete(hash);
      return null;
    }
    const principal = { name: row.name, role: row.role };
    if (this.cacheMs > 0) {
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(hash, { principal, until: now + this.cacheMs });
    }
    return principal;
  }

  /**
   * A new token for principal `name` (created with `role` on first use; a
   * second token for an existing principal must name its role). Appends
   * TOKEN_CREATED; the event holds the token id, never the secret or its hash.
   */
  async createToken(caller: Pick<Caller, 'name'>, name: string, role: string): Promise<CreatedToken> {
    assertName(name);
    if (!isRole(role))
      throw badInput(`role must be one of VIEWER, CONTRIBUTOR, REVIEWER, ADMIN; got "${role}"`, { field: 'role' });
    const token = generateToken();
    const id = randomUUID();
    const hash = hashToken(token);
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<{ id: string; name: string; role: Role; createdAt: string; full: boolean }>(Q.create, {
        name,
        role,
        id,
        hash,
        actor: caller.name,
        maxLive: MAX_LIVE_TOKENS,
      });
      if (!row) {
        throw conflict(
          `principal "${name}" already exists with another role; a principal has one role (revoke its tokens and use a new name to change it)`,
          { field: 'name' },
        );
      }
      if (row.full)
        throw badInput(`a principal has at most ${MAX_LIVE_TOKENS} live tokens; revoke one first`, {
          field: 'name',
          limit: MAX_LIVE_TOKENS,
        });
      await appendEvent(tx, {
        type: EventType.TOKEN_CREATED,
        actor: caller.name,
        subjectId: id,
        after: { tokenId: id, name, role },
      });
      return { token, id, principal: { name: row.name, role: row.role }, createdAt: row.createdAt };
    }, 'governance.createToken');
  }

  /**
   * A page of token metadata (never the secret or its hash), newest first: `first` after the token whose id is `after`.
   */
  async listTokens(page: ListPage): Promise<TokenInfo[]> {
    const [row] = await this.executor.read<{ known: boolean; tokens: TokenInfo[] }>(Q.list, {
      after: page.after,
      limit: page.first,
    });
    if (!row!.known) throw unknownAfter('token');
    return row!.tokens;
  }

  /**
   * Revokes the token with id `ref`, or every live token of the principal
   * named `ref`. NOT_FOUND when nothing live matches. Takes effect at once in
   * this process and within the cache time elsewhere.
   */
  async revokeTokens(caller: Pick<Caller, 'name'>, ref: string): Promise<{ id: string; name: string; role: Role }[]> {
    if (!ref || ref.length > 200) throw badInput('ref must be a token id or a principal name', { field: 'ref' });
    const revoked = await this.executor.writeTx(async (tx) => {
      const rows = await tx.run<{ id: string; name: string; role: Role }>(Q.revoke, { ref, actor: caller.name });
      if (rows.length === 0) throw notFound(`no live API token has id or principal name "${ref}"`);
      await appendEvent(tx, {
        type: EventType.TOKEN_REVOKED,
        actor: caller.name,
        subjectId: rows.length === 1 ? rows[0]!.id : null,
        after: { tokenIds: rows.map((r) => r.id), names: [...new Set(rows.map((r) => r.name))] },
      });
      return rows;
    }, 'governance.revokeTokens');
    // Revocation must win over this process's cache at once.
    this.cache.clear();
    return revoked;
  }

  /**
   * First start: when PEDIGREE_ADMIN_TOKEN is not set and no ADMIN principal
   * exists, creates the `admin` principal with a token and returns the token
   * (the caller prints it once). Null otherwise, including when another
   * replica won the race.
   */
  async bootstrapAdmin(): Promise<CreatedToken | null> {
    if (this.opts.adminToken) return null;
    const [count] = await this.executor.read<{ admins: number }>(Q.countAdmins);
    if ((count?.admins ?? 0) > 0) return null;
    const token = generateToken();
    const id = randomUUID();
    try {
      return await this.executor.writeTx(async (tx) => {
        const [row] = await tx.run<{ id: string; name: string; role: Role; createdAt: string }>(Q.bootstrap, {
          name: ADMIN_PRINCIPAL,
          id,
          hash: hashToken(token),
          actor: 'system',
        });
        await appendEvent(tx, {
          type: EventType.TOKEN_CREATED,
          actor: 'system',
          subjectId: id,
          after: { tokenId: id, name: ADMIN_PRINCIPAL, role: Role.ADMIN, bootstrap: true },
        });
        return { token, id, principal: { name: row!.name, role: row!.role }, createdAt: row!.createdAt };
      }, 'governance.bootstrapAdmin');
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.CONFLICT) {
        this.log?.info('another process created the first admin token');
        return null;
      }
      throw err;
    }
  }
}

function assertName(name: string): void {
  if (!isPrincipalName(name)) {
    throw badInput(
      'name must be 1-100 characters: letters, digits, ".", "_", "@", "-", starting with a letter or digit',
      { field: 'name' },
    );
  }
  if (RESERVED_NAMES.has(name.toLowerCase())) throw badInput(`name "${name}" is reserved`, { field: 'name' });
}
