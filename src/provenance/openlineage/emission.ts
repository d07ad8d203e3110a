import { createHash } from 'node:crypto';
import type { Config } from '../../config.js';
import { appendEvent, EventType } from '../../events/event-log.js';
import type { EventRecord } from '../../events/event-record.js';
import type { DeliveryFormat } from '../../events/webhooks/dispatcher.js';
import { generateWebhookSecret } from '../../events/webhooks/signature.js';
import { seal } from '../../crypto/sealed.js';
import { statement } from '../../graph/cypher.js';
import type { Executor } from '../../graph/executor.js';
import type { Logger } from '../../logger.js';
import { PEDIGREE_VERSION } from '../../version.js';
import { splitUri } from './naming.js';

const Q = {
  subjects: statement('openlineage/emission-subjects'),
  target: statement('openlineage/emission-target'),
  setTarget: statement('openlineage/set-emission-target'),
  removeTarget: statement('openlineage/remove-emission-target'),
};

/** The webhook emission delivers through: listed by `webhooks`, its attempts by `webhookDeliveries`. */
export const EMISSION_WEBHOOK_ID = 'openlineage-emission';
const PRODUCER = `urn:pedigree:${PEDIGREE_VERSION}`;
const RUN_EVENT_SCHEMA = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Subject {
  version: {
    id: string;
    modelName: string;
    version: number;
    semver: string;
    stage: string;
    source: string;
    checksum: string | null;
    fingerprint: string | null;
  } | null;
  run: {
    id: string;
    name: string | null;
    experiment: string | null;
    origin: string | null;
    jobNamespace: string | null;
    jobName: string | null;
    codeRepo: string | null;
    codeCommit: string | null;
  } | null;
  inputs: { uri: string; dataset: string; version: string | null }[];
}

/**
 * OpenLineage emission (PEDIGREE_OPENLINEAGE_URL): every model registration
 * is sent to an OpenLineage endpoint (Marquez, DataHub, …) as a RunEvent with
 * the version as an output dataset of its training run, so lineage tools
 * already in place see models too. It is a delivery format of the webhook
 * machinery, not a second sender: a system webhook (id `openlineage-emission`)
 * turns each VERSION_CREATED event into a durable delivery, retried with the
 * same backoff, leases and SSRF checks (PEDIGREE_WEBHOOK_ALLOW_PRIVATE, …) as
 * every webhook, and visible through `webhooks` and `webhookDeliveries`.
 *
 * The run is the version's training run: a run that came in through
 * OpenLineage keeps its runId and job (eventType OTHER: metadata about a run
 * that already ended); another run is sent as a COMPLETE of job
 * `<PEDIGREE_OPENLINEAGE_NAMESPACE>/<run name>`, and a version without a run
 * as one of `…/<model name>`, with a run id derived from the version's.
 */
export class OpenLineageEmission implements DeliveryFormat {
  readonly name = 'openlineage';

  constructor(
    private readonly executor: Executor,
    private readonly config: Pick<Config, 'openLineage' | 'signingSecret'>,
    private readonly log: Logger,
  ) {}

  headers(): Record<string, string> {
    return this.config.openLineage.apiKey ? { authorization: `Bearer ${this.config.openLineage.apiKey}` } : {};
  }

  /** Creates, re-points or removes the emission webhook to match PEDIGREE_OPENLINEAGE_URL (each change audited). */
  async prepare(): Promise<void> {
    const url = this.config.openLineage.url;
    const [current] = await this.executor.read<{ url: string | null }>(Q.target, { id: EMISSION_WEBHOOK_ID });
    if ((current?.url ?? null) === url) return;
    const secret = generateWebhookSecret();
    await this.executor.writeTx(async (tx) => {
      if (current?.url) {
        await tx.run(Q.removeTarget, { id: EMISSION_WEBHOOK_ID });
        await appendEvent(tx, {
          type: EventType.WEBHOOK_DELETED,
          actor: 'system',
          subjectId: EMISSION_WEBHOOK_ID,
          before: { url: origin(current.url), format: this.name },
        });
      }
      if (url) {
        const signingSecret = this.config.signingSecret;
        await tx.run(Q.setTarget, {
          id: EMISSION_WEBHOOK_ID,
          url,
          secret: signingSecret ? null : secret,
          sealedSecret: signingSecret ? seal(secret, signingSecret, EMISSION_WEBHOOK_ID) : null,
        });
        await appendEvent(tx, {
          type: EventType.WEBHOOK_CREATED,
          actor: 'system',
          subjectId: EMISSION_WEBHOOK_ID,
          after: { url: origin(url), eventTypes: ['VERSION_CREATED'], format: this.name },
        });
      }
    }, 'openlineage.emissionTarget');
    this.log.info(
      { url: url ? origin(url) : null },
      url ? 'OpenLineage emission on: model registrations are sent as OpenLineage events' : 'OpenLineage emission off',
    );
  }

  async bodies(events: readonly EventRecord[]): Promise<(string | null)[]> {
    const wanted = events.filter((e) => e.type === EventType.VERSION_CREATED && e.subjectId);
    if (wanted.length === 0) return events.map(() => null);
    const rows = await this.executor.read<Subject & { key: string }>(Q.subjects, {
      keys: wanted.map((e) => e.subjectId!),
    });
    const byId = new Map(rows.map((r) => [r.key, r]));
    return events.map((e) => {
      const s = e.type === EventType.VERSION_CREATED && e.subjectId ? byId.get(e.subjectId) : undefined;
      return s?.version
        ? JSON.stringify(this.runEvent(e, s as Subject & { version: NonNullable<Subject['version']> }))
        : null;
    });
  }

  /** The OpenLineage RunEvent for one registration. */
  runEvent(e: EventRecord, s: Subject & { version: NonNullable<Subject['version']> }): Record<string, unknown> {
    const v = s.version;
    const r = s.run;
    const fromOpenLineage = r?.origin === 'openlineage' && r.jobNamespace && r.jobName;
    const job = fromOpenLineage
      ? { namespace: r.jobNamespace!, name: r.jobName! }
      : { namespace: this.config.openLineage.namespace, name: r?.name ?? v.modelName };
    const facet = (schema: string, fields: Record<string, unknown>) => ({
      _producer: PRODUCER,
      _schemaURL: schema,
      ...fields,
    });
    const output = splitUri(v.source);
    return {
      eventType: fromOpenLineage ? 'OTHER' : 'COMPLETE',
      eventTime: e.at,
      producer: PRODUCER,
      schemaURL: RUN_EVENT_SCHEMA,
      run: { runId: asUuid(r?.id ?? `registration:${v.id}`), facets: {} },
      job: {
        ...job,
        facets:
          fromOpenLineage || !r?.codeRepo
            ? {}
            : {
                sourceCodeLocation: facet(
                  'https://openlineage.io/spec/facets/1-0-1/SourceCodeLocationJobFacet.json#/$defs/SourceCodeLocationJobFacet',
                  {
                    type: 'git',
                    url: r.codeRepo,
                    ...(r.codeCommit ? { version: r.codeCommit } : {}),
                  },
                ),
              },
      },
      inputs: s.inputs.map((i) => {
        const d = splitUri(i.uri);
        return {
          namespace: d.namespace,
          name: d.name,
          facets: i.version
            ? {
                version: facet(
                  'https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet',
                  { datasetVersion: i.version },
                ),
              }
            : {},
        };
      }),
      outputs: [
        {
          namespace: output.namespace,
          name: output.name,
          facets: {
            version: facet(
              'https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet',
              { datasetVersion: v.checksum ?? `${v.modelName}/${v.version}` },
            ),
            pedigree_modelVersion: facet('urn:pedigree:facets:ModelVersionDatasetFacet:1', {
              id: v.id,
              modelName: v.modelName,
              version: v.version,
              semver: v.semver,
              stage: v.stage,
              checksum: v.checksum,
              fingerprint: v.fingerprint,
            }),
          },
        },
      ],
    };
  }
}

/** A URL's origin only: events below ADMIN may not carry credentials a URL's path or query might hold. */
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid URL';
  }
}

/** The id itself when it is a UUID (OpenLineage runIds are), else a UUID derived from it. */
function asUuid(id: string): string {
  if (UUID.test(id)) return id.toLowerCase();
  const h = createHash('sha256').update(id).digest('hex');
  // Version 8 (custom) and the RFC 4122 variant, so receivers that check the format accept it.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
