import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkApprover,
  isSatisfied,
  MAX_APPROVALS,
  ruleFor,
  type ApprovalFacts,
} from '../../src/governance/promotion-rules.js';
import { hasRole, Role, ROLES } from '../../src/governance/roles.js';

/** PEDIGREE_PROTECTED_ALIASES' default. */
const DEFAULT_PROTECTED_ALIASES = ['production', 'champion'];

describe('promotion rules', () => {
  it('CANARY needs one reviewer, PRODUCTION and protected aliases two people, the rest no request', () => {
    expect(ruleFor({ stage: 'CANARY' }, DEFAULT_PROTECTED_ALIASES, 'STAGING')).toBe('ONE_REVIEWER');
    expect(ruleFor({ stage: 'PRODUCTION' }, DEFAULT_PROTECTED_ALIASES, 'STAGING')).toBe('TWO_PERSON');
    expect(ruleFor({ stage: 'STAGING' }, DEFAULT_PROTECTED_ALIASES, 'STAGING')).toBeNull();
    expect(ruleFor({ alias: 'production' }, DEFAULT_PROTECTED_ALIASES, 'STAGING')).toBe('TWO_PERSON');
    expect(ruleFor({ alias: 'champion' }, DEFAULT_PROTECTED_ALIASES, 'STAGING')).toBe('TWO_PERSON');
    expect(ruleFor({ alias: 'shadow' }, DEFAULT_PROTECTED_ALIASES, 'STAGING')).toBeNull();
    expect(ruleFor({ alias: 'production' }, ['gold'], 'STAGING')).toBeNull();
    // Leaving CANARY or PRODUCTION is governed: one reviewer.
    expect(ruleFor({ stage: 'STAGING' }, DEFAULT_PROTECTED_ALIASES, 'PRODUCTION')).toBe('ONE_REVIEWER');
    expect(ruleFor({ stage: 'ARCHIVED' }, DEFAULT_PROTECTED_ALIASES, 'CANARY')).toBe('ONE_REVIEWER');
    expect(ruleFor({ stage: 'ARCHIVED' }, DEFAULT_PROTECTED_ALIASES, 'STAGING')).toBeNull();
  });

  const reviewer = { name: 'rita', role: Role.REVIEWER, isOwner: false };
  const owner = { name: 'otto', role: Role.CONTRIBUTOR, isOwner: true };
  it('refuses self-approval, a second approval by the same principal, and approvers without the role', () => {
    expect(checkApprover('TWO_PERSON', 'rita', [], reviewer)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(
      checkApprover('TWO_PERSON', 'carl', [{ approver: 'rita', role: Role.REVIEWER, asOwner: false }], reviewer),
    ).toMatchObject({ ok: false, code: 'CONFLICT' });
    expect(
      checkApprover('TWO_PERSON', 'carl', [], { name: 'vic', role: Role.CONTRIBUTOR, isOwner: false }),
    ).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(checkApprover('ONE_REVIEWER', 'carl', [], owner)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(checkApprover('TWO_PERSON', 'carl', [], owner)).toEqual({ ok: true });
  });

  it(`holds at most ${MAX_APPROVALS} approvals: at the last place only an approval that satisfies the rule is taken`, () => {
    // Reviewers who are not owners pile up on a two-person request without satisfying it.
    const reviewers: ApprovalFacts[] = Array.from({ length: MAX_APPROVALS - 1 }, (_, i) => ({
      approver: `rev${i}`,
      role: Role.REVIEWER,
      asOwner: false,
    }));
    expect(
      checkApprover('TWO_PERSON', 'carl', reviewers.slice(0, -1), {
        name: 'rev-x',
        role: Role.REVIEWER,
        isOwner: false,
      }),
    ).toEqual({ ok: true });
    expect(
      checkApprover('TWO_PERSON', 'carl', reviewers, { name: 'rev-x', role: Role.REVIEWER, isOwner: false }),
    ).toMatchObject({ ok: false, code: 'CONFLICT' });
    // The owner's approval completes the request, so it is still taken.
    expect(checkApprover('TWO_PERSON', 'carl', reviewers, owner)).toEqual({ ok: true });
    expect(
      isSatisfied('TWO_PERSON', 'carl', [...reviewers, { approver: owner.name, role: owner.role, asOwner: true }]),
    ).toBe(true);
  });

  it('two-person: satisfied only by an owner and a different reviewer, neither the requester', () => {
    const a = (approver: string, role: Role, asOwner: boolean): ApprovalFacts => ({ approver, role, asOwner });
    expect(
      isSatisfied('TWO_PERSON', 'carl', [a('otto', Role.CONTRIBUTOR, true), a('rita', Role.REVIEWER, false)]),
    ).toBe(true);
    expect(isSatisfied('TWO_PERSON', 'carl', [a('rita', Role.REVIEWER, false), a('ray', Role.ADMIN, false)])).toBe(
      false,
    ); // owner missing
    expect(isSatisfied('TWO_PERSON', 'carl', [a('ozzy', Role.REVIEWER, true)])).toBe(false); // one person is not two
    expect(isSatisfied('TWO_PERSON', 'carl', [a('carl', Role.REVIEWER, true), a('rita', Role.REVIEWER, false)])).toBe(
      false,
    );
    expect(isSatisfied('ONE_REVIEWER', 'carl', [a('rita', Role.REVIEWER, false)])).toBe(true);
    expect(isSatisfied('ONE_REVIEWER', 'carl', [a('otto', Role.CONTRIBUTOR, true)])).toBe(false);
  });

  it('property: whatever the approvals, a satisfied two-person request has two distinct non-requesters, one owner, one reviewer', () => {
    const names = fc.constantFrom('carl', 'otto', 'rita', 'ray', 'vic');
    const approval = fc.record({ approver: names, role: fc.constantFrom(...ROLES), asOwner: fc.boolean() });
    fc.assert(
      fc.property(names, fc.array(approval, { maxLength: 6 }), (requester, approvals) => {
        if (!isSatisfied('TWO_PERSON', requester, approvals)) return;
        const others = approvals.filter((x) => x.approver !== requester);
        const distinct = new Set(others.map((x) => x.approver));
        expect(distinct.size).toBeGreaterThanOrEqual(2);
        expect(
          others.some(
            (o) => o.asOwner && others.some((r) => r.approver !== o.approver && hasRole(r.role, Role.REVIEWER)),
          ),
        ).toBe(true);
      }),
    );
  });

  it('property: approvals accepted one by one by checkApprover never include the requester or a repeat', () => {
    const names = fc.constantFrom('carl', 'otto', 'rita', 'ray', 'vic');
    const attempt = fc.record({ name: names, role: fc.constantFrom(...ROLES), isOwner: fc.boolean() });
    fc.assert(
      fc.property(names, fc.array(attempt, { maxLength: 10 }), (requester, attempts) => {
        const accepted: ApprovalFacts[] = [];
        for (const x of attempts) {
          if (checkApprover('TWO_PERSON', requester, accepted, x).ok)
            accepted.push({ approver: x.name, role: x.role, asOwner: x.isOwner });
        }
        expect(accepted.every((x) => x.approver !== requester)).toBe(true);
        expect(new Set(accepted.map((x) => x.approver)).size).toBe(accepted.length);
      }),
    );
  });
});
