import type { Config } from '../config.js';

/**
 * When a version that left PRODUCTION at `leftAt` may be deleted: null when
 * it may be now, else the ISO instant (or 'never' with retention 0). Deleting
 * a version and deleting its model both ask, so a rollback to it stays
 * possible (PEDIGREE_PRODUCTION_RETENTION_DAYS).
 */
export function retainedUntil(config: Pick<Config, 'productionRetentionDays'>, leftAt: string | null): string | null {
  const days = config.productionRetentionDays;
  if (days === 0) return 'never';
  const until = Date.parse(leftAt ?? '') + days * 86_400_000;
  if (!Number.isFinite(until)) return 'never';
  return until > Date.now() ? new Date(until).toISOString() : null;
}
