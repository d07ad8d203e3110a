import { describe, expect, it } from 'vitest';
import { decide, POLICY } from '../../src/governance/policy.js';
import { hasRole, Role, ROLES } from '../../src/governance/roles.js';
import { generateToken, hashToken, parseBearer } from '../../src/governance/tokens.js';
import { buildPedigreeSchema } from '../../src/schema/index.js';
import { rootFields } from '../../src/server/authorize.js';
import { hostAllowed, originAllowed } from '../../src/server/origin.js';
import { withoutSuggestions } from '../../src/server/errors.js';

describe('authorisation policy', () => {
  it('has a decision for every Query, Mutation and Subscription field of the built schema', async () => {
    const fields = rootFields(await buildPedigreeSchema());
    expect(fields.length).toBeGreaterThan(0);
    expect(fields.filter((f) => f.startsWith('Subscription.')).length, 'subscriptions are checked too').toBeGreaterThan(
      0,
    );
    const undecided = fields.filter((f) => !(f in POLICY));
    expect(undecided, 'add these to src/governance/policy.ts').toEqual([]);
  });

  it('denies by default: a field missing from the table is refused even to ADMIN', () => {
    const d = decide({ name: 'root', role: Role.ADMIN }, 'Mutation.somethingNew', 'mutation', { anonymousRead: true });
    expect(d).toMatchObject({ allowed: false, code: 'FORBIDDEN' });
    expect(
      decide({ name: 'root', role: Role.ADMIN }, 'Mutation.constructor', 'mutation', { anonymousRead: false }).allowed,
    ).toBe(false);
  });

  it('every role × every policy entry: allowed exactly when the role reaches the required one', () => {
    for (const [field, required] of Object.entries(POLICY)) {
      const kind = field.startsWith('Mutation.')
        ? 'mutation'
        : field.startsWith('Subscription.')
          ? 'subscription'
          : 'query';
      for (const role of ROLES) {
        const d = decide({ name: 'p', role }, field, kind, { anonymousRead: false });
        expect(d.allowed, `${role} on ${field}`).toBe(ROLES.indexOf(role) >= ROLES.indexOf(required));
        if (!d.allowed) expect(d.code).toBe('FORBIDDEN');
      }
    }
  });

  it('anonymous callers: UNAUTHENTICATED, except VIEWER queries when anonymous reads are on', () => {
    const anon = { name: 'anonymous', role: null };
    for (const [field, required] of Object.entries(POLICY)) {
      const kind = field.startsWith('Mutation.')
        ? 'mutation'
        : field.startsWith('Subscription.')
          ? 'subscription'
          : 'query';
      expect(decide(anon, field, kind, { anonymousRead: false })).toMatchObject({
        allowed: false,
        code: 'UNAUTHENTICATED',
      });
      expect(decide(anon, field, kind, { anonymousRead: true }).allowed).toBe(
        kind === 'query' && required === Role.VIEWER,
      );
    }
  });

  it('subscriptions are explicit VIEWER reads: every role may subscribe, an anonymous caller never (not even with anonymous reads on)', async () => {
    const subscriptions = rootFields(await buildPedigreeSchema()).filter((f) => f.startsWith('Subscription.'));
    for (const field of subscriptions) {
      expect(Object.prototype.hasOwnProperty.call(POLICY, field), `${field} has its own policy entry`).toBe(true);
      expect(POLICY[field], field).toBe(Role.VIEWER);
      for (const role of ROLES)
        expect(
          decide({ name: 'p', role }, field, 'subscription', { anonymousRead: false }).allowed,
          `${role} on ${field}`,
        ).toBe(true);
      expect(decide({ name: 'anonymous', role: null }, field, 'subscription', { anonymousRead: true })).toMatchObject({
        allowed: false,
        code: 'UNAUTHENTICATED',
      });
    }
  });

  it('roles are cumulative', () => {
    expect(hasRole(Role.ADMIN, Role.REVIEWER)).toBe(true);
    expect(hasRole(Role.CONTRIBUTOR, Role.REVIEWER)).toBe(false);
    expect(hasRole(null, Role.VIEWER)).toBe(false);
  });
});

describe('tokens', () => {
  it('are 256-bit random, prefixed, and hashed with SHA-256', () => {
    const a = generateToken();
    const b = generateToken();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^pdg_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice(4), 'base64url')).toHaveLength(32);
    expect(hashToken(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('parses Bearer values strictly', () => {
    expect(parseBearer(undefined)).toBeUndefined();
    expect(parseBearer('')).toBeUndefined();
    expect(parseBearer('Bearer pdg_abcdefghijklmnopqrstuvwxyz')).toBe('pdg_abcdefghijklmnopqrstuvwxyz');
    expect(parseBearer('bearer pdg_abcdefghijklmnopqrstuvwxyz')).toBe('pdg_abcdefghijklmnopqrstuvwxyz');
    expect(parseBearer('Basic dXNlcjpwYXNz')).toBeNull();
    expect(parseBearer('Bearer short')).toBeNull();
    expect(parseBearer("Bearer abc'}) DETACH DELETE n //")).toBeNull();
    expect(parseBearer(42)).toBeNull();
  });
});

describe('websocket upgrade checks', () => {
  const policy = {
    allowedOrigins: ['http://localhost', 'https://app.example.com:8443'],
    allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
  };
  it('allows listed hosts on any port and refuses others', () => {
    expect(hostAllowed('localhost:4000', policy)).toBe(true);
    expect(hostAllowed('127.0.0.1', policy)).toBe(true);
    expect(hostAllowed('[::1]:4000', policy)).toBe(true);
    expect(hostAllowed('evil.example:4000', policy)).toBe(false);
    expect(hostAllowed(undefined, policy)).toBe(false);
    expect(hostAllowed('anything', { ...policy, allowedHosts: ['*'] })).toBe(true);
  });
  it('allows listed origins (any port unless one is given) and requests without Origin', () => {
    expect(originAllowed(undefined, policy)).toBe(true);
    expect(originAllowed('http://localhost:3000', policy)).toBe(true);
    expect(originAllowed('https://localhost:3000', policy)).toBe(false);
    expect(originAllowed('https://app.example.com:8443', policy)).toBe(true);
    expect(originAllowed('https://app.example.com', policy)).toBe(false);
    expect(originAllowed('http://localhost.evil.example', policy)).toBe(false);
    expect(originAllowed('null', policy)).toBe(false);
  });
});

describe('error masking', () => {
  it('drops field suggestions', () => {
    expect(withoutSuggestions('Cannot query field "serverInf" on type "Query". Did you mean "serverInfo"?')).toBe(
      'Cannot query field "serverInf" on type "Query".',
    );
  });
});
