import { badInput, notFound } from '../errors.js';
import type { Caller } from '../governance/policy.js';
import { unknownAfter, type ListPage } from '../paging.js';
import { appendEvent, EventType } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Executor } from '../graph/executor.js';
import type { ProviderModelRecord } from '../provenance/types.js';

const Q = {
  record: statement('operations/record-provider-version'),
  qualify: statement('operations/set-provider-qualification'),
  deprecate: statement('operations/deprecate-provider-version'),
  log: statement('operations/provider-change-log'),
  deprecatedPins: statement('operations/deprecated-provider-pins'),
};

export const QUALIFICATION_STATUSES = ['UNDER_EVALUATION', 'QUALIFIED', 'REJECTED'] as const;
export type QualificationStatus = (typeof QUALIFICATION_STATUSES)[number];

/** A provider model node with its change-log properties. */
export interface ProviderVersionRecord extends ProviderModelRecord {
  changeDate?: string | null;
  impactAssessment?: string | null;
  qualificationStatus?: QualificationStatus | null;
  qualificationNote?: string | null;
  qualifiedBy?: string | null;
  qualificationAt?: string | null;
  deprecatedAt?: string | null;
  deprecationNote?: string | null;
}

const text = (v: string | null | undefined, field: string, max: number, required = false): string | null => {
  if (v === null || v === undefined || v === '') {
    if (required) throw badInput(`${field} is required`, { field });
    return null;
  }
  if (typeof v !== 'string' || v.length > max) throw badInput(`${field} must be at most ${max} characters`, { field });
  return v;
};

/**
 * The provider change log: each provider version with its change date,
 * impact assessment and qualification. Deployments pin only QUALIFIED
 * versions (DeploymentService checks it in its transaction).
 */
export class ProviderChangeLogService {
  constructor(private readonly executor: Executor) {}

  async recordVersion(
    caller: Pick<Caller, 'name'>,
    input: {
      provider: string;
      name: string;
      providerVersion: string;
      changeDate: string;
      impactAssessment?: string | null;
      uri?: string | null;
    },
  ): Promise<ProviderVersionRecord> {
    const provider = text(input.provider, 'provider', 200, true)!;
    const name = text(input.name, 'name', 300, true)!;
    const providerVersion = text(input.providerVersion, 'providerVersion', 200, true)!;
    const impactAssessment = text(input.impactAssessment, 'impactAssessment', 20_000);
    const uri = text(input.uri, 'uri', 2000);
    if (Number.isNaN(Date.parse(input.changeDate)))
      throw badInput('changeDate must be an instant', { field: 'changeDate' });
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<{
        providerModel: ProviderVersionRecord;
        created: boolean;
        before: Record<string, unknown>;
      }>(Q.record, {
        provider,
        name,
        providerVersion,
        changeDate: input.changeDate,
        impactAssessment,
        uri,
        actor: caller.name,
      });
      const p = row!.providerModel;
      await appendEvent(tx, {
        type: EventType.PROVIDER_VERSION_RECORDED,
        actor: caller.name,
        subjectId: p.id,
        before: row!.created ? null : row!.before,
        after: {
          provider,
          name,
          providerVersion,
          changeDate: p.changeDate,
          impactAssessment: p.impactAssessment,
          qualificationStatus: p.qualificationStatus,
          created: row!.created,
        },
      });
      return p;
    }, 'recordProviderVersion');
  }

  async setQualification(
    caller: Pick<Caller, 'name'>,
    id: string,
    status: QualificationStatus,
    note: string | null | undefined,
  ): Promise<ProviderVersionRecord> {
    if (!(QUALIFICATION_STATUSES as readonly string[]).includes(status))
      throw badInput(`status must be one of ${QUALIFICATION_STATUSES.join(', ')}`, { field: 'status' });
    const n = text(note, 'note', 5000);
    if (status === 'REJECTED' && !n)
      throw badInput('rejecting a provider version needs a note saying why', { field: 'note' });
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<{ providerModel: ProviderVersionRecord; before: string }>(Q.qualify, {
        id,
        status,
        note: n,
        actor: caller.name,
      });
      if (!row) throw notFound(`no provider model with id "${id}"`, { field: 'id' });
      await appendEvent(tx, {
        type: EventType.PROVIDER_VERSION_QUALIFICATION_SET,
        actor: caller.name,
        subjectId: id,
        before: { qualificationStatus: row.before },
        after: { qualificationStatus: status, note: n },
      });
      return row.providerModel;
    }, 'setProviderVersionQualification');
  }

  async deprecate(
    caller: Pick<Caller, 'name'>,
    id: string,
    at: string | null | undefined,
    note: string | null | undefined,
  ): Promise<ProviderVersionRecord> {
    const when = at ?? new Date().toISOString();
    if (Number.isNaN(Date.parse(when))) throw badInput('deprecatedAt must be an instant', { field: 'deprecatedAt' });
    const n = text(note, 'note', 5000);
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<{ providerModel: ProviderVersionRecord; before: string | null }>(Q.deprecate, {
        id,
        at: when,
        note: n,
      });
      if (!row) throw notFound(`no provider model with id "${id}"`, { field: 'id' });
      await appendEvent(tx, {
        type: EventType.PROVIDER_VERSION_DEPRECATED,
        actor: caller.name,
        subjectId: id,
        before: row.before ? { deprecatedAt: row.before } : null,
        after: { deprecatedAt: row.providerModel.deprecatedAt, note: n },
      });
      return row.providerModel;
    }, 'deprecateProviderVersion');
  }

  /** A page of a provider model's change log, newest change first: `first` after the version whose id is `after`. */
  async changeLog(provider: string, name: string, page: ListPage): Promise<ProviderVersionRecord[]> {
    text(provider, 'provider', 200, true);
    text(name, 'name', 300, true);
    const [row] = await this.executor.read<{ known: boolean; versions: ProviderVersionRecord[] }>(Q.log, {
      provider,
      name,
      after: page.after,
      limit: page.first,
    });
    if (!row!.known) throw unknownAfter('version of this provider model');
    return row!.versions;
  }

  /**
   * A page of the pins on deprecated provider versions, by deprecation date,
   * deployment and provider model: `first` after the pin whose `cursor` is `after`.
   */
  async deploymentsOnDeprecatedVersions(page: ListPage): Promise<DeprecatedPin[]> {
    const rows = await this.executor.read<Omit<DeprecatedPin, 'cursor'>>(Q.deprecatedPins, {
      after: page.after === null ? null : pinKey(page.after),
      limit: page.first,
    });
    return rows.map((r) => ({
      ...r,
      cursor: Buffer.from(
        JSON.stringify([r.providerModel.deprecatedAt, r.deployment.name, r.providerModel.id]),
      ).toString('base64url'),
    }));
  }
}

export interface DeprecatedPin {
  deployment: { id: string; name: string; environment: string | null; endpoint: string | null };
  providerModel: ProviderVersionRecord;
  weight: number;
  /** Names the pin: the `after` of the next page. */
  cursor: string;
}

/** The sort key a pin's cursor carries: [deprecatedAt, deploymentName, providerModelId]. */
function pinKey(cursor: string): [string, string, string] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(key) &&
      key.length === 3 &&
      key.every((k) => typeof k === 'string') &&
      !Number.isNaN(Date.parse(key[0] as string))
    )
      return key as [string, string, string];
  } catch {
    // fall through
  }
  throw badInput('after must be the cursor of the last pin of the previous page', { field: 'after' });
}
