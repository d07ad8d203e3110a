import { statement } from '../graph/cypher.js';
import type { Tx } from '../graph/executor.js';

const Q = { versionApprovals: statement('governance/version-approvals') };

/** One approval of a carried-out promotion request of a version, as an attestation's predicate records it. */
export interface VersionApproval {
  approver: string;
  /** The approver's role when approving. */
  role: string;
  /** Whether the approver owned the model when approving. */
  asOwner: boolean;
  at: string;
  comment: string | null;
  requestId: string;
  /** ONE_REVIEWER or TWO_PERSON: approvers of TWO_PERSON requests co-sign the version's attestations. */
  rule: string;
  target: { stage: string | null; alias: string | null };
}

/**
 * The approvals of a version's carried-out requests (by the version node), oldest request first, in the caller's
 * transaction.
 */
export async function readVersionApprovals(tx: Tx, versionId: string): Promise<VersionApproval[]> {
  const rows = await tx.run<
    Omit<VersionApproval, 'target'> & { targetStage: string | null; targetAlias: string | null }
  >(Q.versionApprovals, { versionId });
  return rows.map(({ targetStage, targetAlias, ...a }) => ({
    ...a,
    comment: a.comment ?? null,
    target: { stage: targetStage ?? null, alias: targetAlias ?? null },
  }));
}
