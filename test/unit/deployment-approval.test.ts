import { describe, expect, it } from 'vitest';
import { approvedStagesFor } from '../../src/operations/deployment.service.js';
import { approvalEvidenceProblem } from '../../src/operations/attestation.service.js';

describe('approvedStagesFor: which environments serve only approved versions', () => {
  it.each([
    'production',
    'Production',
    'prod',
    'prod-eu',
    'eu_prod',
    'prd',
    'eu.prd.1',
    'preprod',
    'production2',
    'live',
    'eu-live',
    'canary',
    'canary-eu',
  ])('%s needs PRODUCTION or CANARY (closed by default for names that look like production)', (env) =>
    expect(approvedStagesFor(env)).toEqual(['PRODUCTION', 'CANARY']),
  );
  it.each(['dev', 'development', 'test', 'staging', 'qa', 'sandbox', 'delivery', 'olive'])(
    '%s needs no approval',
    (env) => expect(approvedStagesFor(env)).toBeNull(),
  );
});

describe('approvalEvidenceProblem', () => {
  const stages = ['PRODUCTION', 'CANARY'];
  const approval = (approver: string, requestId: string, rule: string, stage: string) => ({
    approver,
    requestId,
    rule,
    target: { stage },
  });

  it('accepts a two-person promotion co-signed by every approver, from approvals or the promotion record', () => {
    const approvals = [
      approval('o', 'r1', 'TWO_PERSON', 'PRODUCTION'),
      approval('v', 'r1', 'TWO_PERSON', 'PRODUCTION'),
    ];
    expect(approvalEvidenceProblem({ approvals }, new Set(['o', 'v']), stages)).toBeNull();
    expect(
      approvalEvidenceProblem(
        { promotion: { requestId: 'r1', rule: 'TWO_PERSON', target: { stage: 'PRODUCTION' }, approvers: ['o', 'v'] } },
        new Set(['o', 'v']),
        stages,
      ),
    ).toBeNull();
  });

  it('refuses a two-person promotion one approver did not co-sign, naming who', () => {
    const approvals = [
      approval('o', 'r1', 'TWO_PERSON', 'PRODUCTION'),
      approval('v', 'r1', 'TWO_PERSON', 'PRODUCTION'),
    ];
    expect(approvalEvidenceProblem({ approvals }, new Set(['v']), stages)).toMatch(
      /request r1 \(PRODUCTION\) lacks the co-signature of o/,
    );
  });

  it("accepts a one-reviewer CANARY promotion on Pedigree's signature; an unknown rule needs co-signatures", () => {
    expect(
      approvalEvidenceProblem({ approvals: [approval('v', 'r2', 'ONE_REVIEWER', 'CANARY')] }, new Set(), stages),
    ).toBeNull();
    expect(
      approvalEvidenceProblem({ approvals: [approval('v', 'r2', 'SOMETHING_NEW', 'CANARY')] }, new Set(), stages),
    ).toMatch(/lacks the co-signature of v/);
  });

  it('refuses when no carried-out promotion targets an approved stage (alias promotions and other stages do not count)', () => {
    expect(approvalEvidenceProblem({}, new Set(), stages)).toMatch(/carries no carried-out promotion/);
    expect(
      approvalEvidenceProblem(
        { approvals: [{ approver: 'o', requestId: 'r3', rule: 'TWO_PERSON', target: {} }] },
        new Set(['o']),
        stages,
      ),
    ).toMatch(/carries no/);
    expect(
      approvalEvidenceProblem({ approvals: [approval('v', 'r4', 'ONE_REVIEWER', 'STAGING')] }, new Set(), stages),
    ).toMatch(/carries no/);
  });
});
