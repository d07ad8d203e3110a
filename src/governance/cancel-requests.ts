import { DomainError, ErrorCode } from '../errors.js';
import { appendEvent, EventType } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Tx } from '../graph/executor.js';
import type { Caller } from './policy.js';
import { hasRole, Role } from './roles.js';

const Q = { cancel: statement('governance/cancel-pending-requests') };

/**
 * Cancels the pending promotion requests of a model (or of one of its
 * versions) inside the caller's transaction, each with a
 * PROMOTION_CANCELLED event giving the reason. The registry calls it when it
 * renames or deletes a model or deletes a version: approvers approve a version
 * under a name, and neither may change under a pending request. Cancelling is
 * rejecting, so the caller must be one who may reject each request (its
 * requester, an owner of the model, or a REVIEWER): FORBIDDEN otherwise, and
 * the caller's transaction rolls back.
 */
export async function cancelPendingRequests(
  tx: Tx,
  caller: Caller,
  scope: { modelId: string; modelName: string; versionId?: string | null },
  reason: string,
): Promise<string[]> {
  const actor = caller.name;
  const rows = await tx.run<{
    id: string;
    requestedBy: string;
    owners: string[];
    version: number;
    targetStage: string | null;
    targetAlias: string | null;
  }>(Q.cancel, {
    modelId: scope.modelId,
    versionId: scope.versionId ?? null,
    actor,
    reason,
  });
  const mayNot = rows.filter(
    (r) => r.requestedBy !== actor && !r.owners.includes(actor) && !hasRole(caller.role, Role.REVIEWER),
  );
  if (mayNot.length) {
    throw new DomainError(
      ErrorCode.FORBIDDEN,
      `this would withdraw ${mayNot.length} pending promotion request(s) of "${scope.modelName}" made by ${[...new Set(mayNot.map((r) => r.requestedBy))].join(', ')}; only their requester, an owner of the model or a REVIEWER may withdraw them`,
      { requests: mayNot.map((r) => r.id) },
    );
  }
  for (const r of rows) {
    await appendEvent(tx, {
      type: EventType.PROMOTION_CANCELLED,
      actor,
      modelName: scope.modelName,
      version: r.version,
      alias: r.targetAlias,
      subjectId: r.id,
      after: { requestId: r.id, reason, target: { stage: r.targetStage, alias: r.targetAlias } },
    });
  }
  return rows.map((r) => r.id);
}
