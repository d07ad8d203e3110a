import type { EventsService } from './events/events.service.js';
import type { RetentionService } from './operations/retention.service.js';
import type { AliasViewRuntime } from './registry/view/alias-view.runtime.js';

/**
 * Everything that runs beside requests, in one place: the event runtime
 * (the tailer behind subscriptions, the webhook dispatcher), the alias view
 * (fed by the tailer, so after it; its build runs on beside the server, reads
 * going to Neo4j until it is ready) and retention. Started once the server
 * listens, in that order; stopped in reverse after the server has drained. A
 * transport never starts or stops any of it.
 */
export class BackgroundWork {
  private started = false;

  constructor(
    private readonly events: EventsService,
    private readonly aliasView: AliasViewRuntime,
    private readonly retention: RetentionService,
  ) {}

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.events.start();
    await this.aliasView.start();
    this.retention.start();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.retention.stop();
    await this.aliasView.stop();
    await this.events.stop();
  }
}
