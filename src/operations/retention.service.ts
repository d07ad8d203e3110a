import { statement } from '../graph/cypher.js';
import type { Executor } from '../graph/executor.js';
import type { Logger } from '../logger.js';

const Q = {
  healthSamples: statement('operations/prune-health-samples'),
  deliveries: statement('operations/prune-webhook-deliveries'),
};

const BATCH = 5_000;
const DAY_MS = 86_400_000;

export interface RetentionOptions {
  /** Days of health samples kept; 0 keeps them forever. */
  healthSampleDays: number;
  /** Days of finished webhook deliveries kept; 0 keeps them forever. */
  deliveryDays: number;
  intervalMs: number;
}

/**
 * Keeps the data that only grows from growing forever: health samples (a
 * time series ingested per deployment) and the log of finished webhook
 * deliveries. Every serving replica runs it; deletes are idempotent, in
 * batches, each its own transaction. The event log, the audit trail, is never
 * pruned.
 */
export class RetentionService {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly executor: Executor,
    private readonly opts: RetentionOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.timer || (this.opts.healthSampleDays === 0 && this.opts.deliveryDays === 0)) return;
    const tick = () => {
      this.running ??= this.runOnce()
        .catch((err) => this.log.warn({ err }, 'retention pass failed; retrying at the next interval'))
        .finally(() => (this.running = null));
    };
    this.timer = setInterval(tick, this.opts.intervalMs);
    this.timer.unref();
    tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass at `now`: what it removed of each kind. */
  async runOnce(now = Date.now()): Promise<{ healthSamples: number; deliveries: number }> {
    const prune = async (q: typeof Q.healthSamples, days: number) => {
      if (days === 0) return 0;
      const before = new Date(now - days * DAY_MS).toISOString();
      let total = 0;
      for (;;) {
        const [row] = await this.executor.write<{ removed: number }>(q, { before, limit: BATCH });
        total += row?.removed ?? 0;
        if ((row?.removed ?? 0) < BATCH) return total;
      }
    };
    const removed = {
      healthSamples: await prune(Q.healthSamples, this.opts.healthSampleDays),
      deliveries: await prune(Q.deliveries, this.opts.deliveryDays),
    };
    if (removed.healthSamples || removed.deliveries)
      this.log.info(removed, 'retention removed old health samples and finished webhook deliveries');
    return removed;
  }
}
