import { appendEvent, EventType } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Tx } from '../graph/executor.js';

const Q = { cancel: statement('governance/cancel-pending-requests') };

/**
 * Cancels the pending promotion requests of a model (or of one of its
 * versions) inside the caller's transaction, each with a
 * PROMOTION_CANCELLED event giving the reason. The registry calls it when it
 * renames or deletes a model or deletes a version: approvers approve a version
 * under a name, and neither may change under a pending request.
 */
export async function cancelPendingRequests(
  tx: Tx,
  actor: string,
  scope: { modelId: string; modelName: string; versionId?: string | null },
  reason: string,
): Promise<string[]> {
  const rows = await tx.run<{ id: string; version: number; targetStage: string | null; targetAlias: string | null }>(Q.cancel, {
    modelId: scope.modelId,
    versionId: scope.versionId ?? null,
    actor,
    reason,
  });
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
