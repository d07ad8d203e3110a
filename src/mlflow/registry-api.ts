import type { IncomingMessage } from 'node:http';
import { DomainError, ErrorCode } from '../errors.js';
import type { ModelRecord, Stage, Tag, VersionRecord } from '../registry/types.js';
import type { Services } from '../services.js';
import { MlflowError } from './errors.js';
import { applyFilter, page, parseFilter, parseOrderBy, sortBy, type Clause, type OrderKey } from './search.js';
import { SEARCH_SCAN_LIMIT } from '../tracking/tracking.service.js';
import { PROMPT_TAG, PROMPT_TEXT_TAG } from '../registry/prompts.js';
import { bool, int, list, optStr, str, type Handler } from './request.js';

/** MLflow's stage names ↔ Pedigree's lifecycle (CANARY shows as Staging: MLflow has no canary). */
export const STAGE_TO_MLFLOW: Record<Stage, string> = {
  DEVELOPMENT: 'None',
  STAGING: 'Staging',
  CANARY: 'Staging',
  PRODUCTION: 'Production',
  ARCHIVED: 'Archived',
};
const MLFLOW_TO_STAGE: Record<string, Stage> = {
  none: 'DEVELOPMENT',
  staging: 'STAGING',
  production: 'PRODUCTION',
  archived: 'ARCHIVED',
};

/** A version tag through which MLflow clients give (or later attach, once) the checksum of an external source. */
export const CHECKSUM_TAG = 'pedigree.checksum';

export function toStage(mlflow: string): Stage {
  const s = MLFLOW_TO_STAGE[String(mlflow).toLowerCase()];
  if (!s)
    throw new MlflowError(
      'INVALID_PARAMETER_VALUE',
      `Invalid Model Version stage: ${mlflow}. Value must be one of None, Staging, Production, Archived.`,
    );
  return s;
}

const ms = (iso: string) => Date.parse(iso);

/**
 * The model registry half of MLflow's REST API (model_registry.proto), as
 * thin handlers over services.registry / lifecycle / provenance: request
 * fields in, one service call, MLflow JSON out.
 */
export class MlflowRegistryApi {
  constructor(private readonly services: Services) {}

  // ------------------------------------------------------------ JSON shapes

  private async modelsJson(models: ModelRecord[]): Promise<Record<string, unknown>[]> {
    if (models.length === 0) return [];
    const { registry } = this.services;
    const [tags, aliases, latest] = await Promise.all([
      registry.reads.tagsOf(models.map((m) => m.id)),
      registry.reads.aliasesOfModels(models.map((m) => m.name)),
      registry.reads.latestPerStage(models.map((m) => m.name)),
    ]);
    const latestJson = await this.versionsJson(latest.flat());
    let k = 0;
    return models.map((m, i) => ({
      name: m.name,
      creation_timestamp: ms(m.createdAt),
      last_updated_timestamp: ms(m.updatedAt),
      ...(m.owner ? { user_id: m.owner } : {}),
      ...(m.description ? { description: m.description } : {}),
      latest_versions: latest[i]!.map(() => latestJson[k++]),
      tags: tagsJson(tags[i]!),
      aliases: aliases[i]!.map((a) => ({ alias: a.alias, version: String(a.version.version) })),
    }));
  }

  async versionsJson(versions: VersionRecord[]): Promise<Record<string, unknown>[]> {
    if (versions.length === 0) return [];
    const { registry, provenance } = this.services;
    const ids = versions.map((v) => v.id);
    // Versions the alias view answered carry their tags, aliases and run: no round trip for them.
    const [tags, aliases, runs] = versions.every((v) => v.held)
      ? [
          versions.map((v) => v.held!.tags),
          versions.map((v) => v.held!.aliases),
          versions.map((v) => (v.held!.runId ? { id: v.held!.runId } : null)),
        ]
      : await Promise.all([
          registry.reads.tagsOf(ids),
          registry.reads.aliasNamesOfVersions(ids),
          provenance.runs.runsOfVersions(ids),
        ]);
    return versions.map((v, i) => {
      const modelId = /^models:\/(m-[0-9a-f]+)$/.exec(v.source)?.[1];
      return {
        name: v.modelName,
        version: String(v.version),
        creation_timestamp: ms(v.createdAt),
        last_updated_timestamp: ms(v.updatedAt),
        user_id: v.createdBy,
        current_stage: STAGE_TO_MLFLOW[v.stage],
        ...(v.description ? { description: v.description } : {}),
        source: v.source,
        ...(runs[i] ? { run_id: runs[i]!.id } : {}),
        status: 'READY',
        ...(v.checksum
          ? {}
          : {
              status_message: 'unverified: no checksum; set the tag pedigree.checksum to sha256:<hex> before → Staging',
            }),
        tags: tagsJson(tags[i]!),
        aliases: aliases[i]!,
        ...(modelId ? { model_id: modelId } : {}),
      };
    });
  }

  private async modelJson(name: string): Promise<Record<string, unknown>> {
    const m = await this.services.registry.lookup.getModel(name);
    if (!m) throw new MlflowError('RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`);
    return (await this.modelsJson([m]))[0]!;
  }

  private async versionJson(v: VersionRecord): Promise<Record<string, unknown>> {
    return (await this.versionsJson([v]))[0]!;
  }

  private async version(name: string, version: string): Promise<VersionRecord> {
    return this.services.registry.lookup.getVersion({ modelName: name, version: versionNumber(version) });
  }

  // ------------------------------------------------------------ registered models

  createRegisteredModel: Handler = async ({ body, actor }) => {
    const name = str(body, 'name');
    const tags = kvList(body.tags);
    // MLflow's prompt registry creates a prompt as a registered model tagged mlflow.prompt.is_prompt: Pedigree's kind
    // PROMPT.
    const kind = tags.some((t) => t.key === PROMPT_TAG && t.value.toLowerCase() === 'true') ? 'PROMPT' : 'MODEL';
    await this.services.registry.models.createModel(actor, {
      name,
      description: optStr(body, 'description'),
      tags: tags.filter((t) => t.key !== PROMPT_TAG || kind === 'PROMPT'),
      kind,
    });
    return { registered_model: await this.modelJson(name) };
  };

  getRegisteredModel: Handler = async ({ body }) => ({ registered_model: await this.modelJson(str(body, 'name')) });

  renameRegisteredModel: Handler = async ({ body, actor }) => {
    const m = await this.services.registry.models.renameModel(actor, str(body, 'name'), str(body, 'new_name'));
    return { registered_model: await this.modelJson(m.name) };
  };

  updateRegisteredModel: Handler = async ({ body, actor }) => {
    const name = str(body, 'name');
    if ('description' in body)
      await this.services.registry.models.updateModel(actor, name, { description: optStr(body, 'description') ?? '' });
    return { registered_model: await this.modelJson(name) };
  };

  deleteRegisteredModel: Handler = async ({ body, actor }) => {
    await this.services.registry.models.deleteModel(actor, str(body, 'name'), { force: false });
    return {};
  };

  searchRegisteredModels: Handler = async ({ body }) => {
    const clauses = parseFilter(optStr(body, 'filter'));
    for (const c of clauses) {
      if (!(c.kind === 'tags' || (c.kind === 'attributes' && c.key === 'name'))) {
        throw new MlflowError(
          'INVALID_PARAMETER_VALUE',
          `Invalid attribute key '${c.key}' specified. Valid keys are '{'name'}'`,
        );
      }
    }
    const order = parseOrderBy(list(body, 'order_by'));
    for (const o of order) {
      if (
        o.kind !== 'attributes' ||
        !['name', 'timestamp', 'last_updated_timestamp', 'creation_timestamp'].includes(o.key)
      ) {
        throw new MlflowError(
          'INVALID_PARAMETER_VALUE',
          `Invalid order by key '${o.key}' specified. Valid keys are 'name', 'timestamp', 'last_updated_timestamp', 'creation_timestamp'`,
        );
      }
    }
    const max = maxResults(body, 100, 1000);
    // The graph narrows the candidates (a case-insensitive substring every
    // match of name =, LIKE or ILIKE must contain; one tags.k = 'v'); the
    // whole filter is then applied exactly to what it returns.
    const nameFragment = longest(clauses.filter((c) => c.kind === 'attributes').map(literalFragment));
    const tagEq = clauses.find((c) => c.kind === 'tags' && c.op === '=');
    const { models } = await this.services.registry.models.listModels(
      { nameContains: nameFragment, tag: tagEq ? { key: tagEq.key, value: String(tagEq.value) } : null },
      { first: SEARCH_SCAN_LIMIT, after: null },
    );
    if (models.length > SEARCH_SCAN_LIMIT) {
      throw new MlflowError(
        'INVALID_PARAMETER_VALUE',
        `more than ${SEARCH_SCAN_LIMIT} registered models match the part of the filter Pedigree applies in the graph (name =, LIKE or ILIKE; tags.\`key\` = 'value'); narrow it with those`,
      );
    }
    const tags = clauses.some((c) => c.kind === 'tags' && c.key !== PROMPT_TAG)
      ? await this.services.registry.reads.tagsOf(models.map((m) => m.id))
      : [];
    const tagMap = new Map(models.map((m, i) => [m.id, tags[i] ?? []]));
    // Whether a model is a prompt is its kind (MLflow's clients exclude prompts with tags.`mlflow.prompt.is_prompt` !=
    // 'true').
    const read = (m: ModelRecord, c: Clause) =>
      c.kind !== 'tags'
        ? m.name
        : c.key === PROMPT_TAG
          ? String(m.kind === 'PROMPT')
          : tagMap.get(m.id)!.find((t) => t.key === c.key)?.value;
    const filtered = applyFilter(models, clauses, read);
    const sorted = sortBy(
      filtered,
      order.length
        ? [...order, { kind: 'attributes', key: 'name', desc: false }]
        : [{ kind: 'attributes', key: 'name', desc: false }],
      (m, o) => (o.key === 'name' ? m.name : o.key === 'creation_timestamp' ? ms(m.createdAt) : ms(m.updatedAt)),
    );
    const p = page(sorted, max, optStr(body, 'page_token'));
    return {
      registered_models: await this.modelsJson(p.items),
      ...(p.nextPageToken ? { next_page_token: p.nextPageToken } : {}),
    };
  };

  setRegisteredModelTag: Handler = async ({ body, actor }) => {
    await this.services.registry.models.setModelTag(
      actor,
      str(body, 'name'),
      str(body, 'key'),
      String(body.value ?? ''),
    );
    return {};
  };

  deleteRegisteredModelTag: Handler = async ({ body, actor }) => {
    await this.services.registry.models.deleteModelTag(actor, str(body, 'name'), str(body, 'key'));
    return {};
  };

  /** The newest version per stage, however many versions the model has (one bounded statement: at most four). */
  getLatestVersions: Handler = async ({ body }) => {
    const name = str(body, 'name');
    const stages = (list(body, 'stages') ?? []).map((s) => STAGE_TO_MLFLOW[toStage(s)]);
    if (!(await this.services.registry.lookup.getModel(name)))
      throw new MlflowError('RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`);
    const [latest] = await this.services.registry.reads.latestPerStage([name]);
    return {
      model_versions: await this.versionsJson(
        latest!.filter((v) => stages.length === 0 || stages.includes(STAGE_TO_MLFLOW[v.stage])),
      ),
    };
  };

  /**
   * A protected alias refused by governance's promotion guard is
   * PERMISSION_DENIED (403), with the guard's reason, which names the
   * promotion to request, and where: this server's GraphQL endpoint and the
   * model's page on its dashboard.
   */
  setRegisteredModelAlias: Handler = async ({ req, body, actor }) => {
    try {
      await this.services.registry.aliases.setAlias(
        actor,
        str(body, 'name'),
        str(body, 'alias'),
        versionNumber(str(body, 'version')),
      );
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.GATE_FAILED)
        throw new MlflowError('PERMISSION_DENIED', withPromotionLinks(req, err));
      throw err;
    }
    return {};
  };

  deleteRegisteredModelAlias: Handler = async ({ body, actor }) => {
    await this.services.registry.aliases.deleteAlias(actor, str(body, 'name'), str(body, 'alias'));
    return {};
  };

  getModelVersionByAlias: Handler = async ({ body }) => {
    const v = await this.services.registry.lookup.getVersion({
      modelName: str(body, 'name'),
      alias: str(body, 'alias'),
    });
    return { model_version: await this.versionJson(v) };
  };

  // ------------------------------------------------------------ model versions

  /**
   * Registers a version. Its checksum: the registry computes it when the
   * source's files are in Pedigree's store (and refuses a `pedigree.checksum`
   * tag that disagrees); else the tag if given; else the version is
   * unverified (no checksum, refused at → STAGING until one is attached by
   * setting that tag).
   */
  createModelVersion: Handler = async ({ body, actor }) => {
    const name = str(body, 'name');
    const source = str(body, 'source');
    const tags = kvList(body.tags);
    const checksum = tags.find((t) => t.key === CHECKSUM_TAG)?.value ?? null;
    const description = optStr(body, 'description');
    const own = tags.filter((t) => t.key !== CHECKSUM_TAG);
    // copy_model_version: the source names another registered version (models:/NAME/VERSION or models:/NAME@ALIAS).
    const copy = /^models:\/(?!m-[0-9a-f]+\/?$)(.+?)(?:\/(\d+)|@([A-Za-z0-9_.-]+))\/?$/.exec(source);
    if (copy) {
      const from = { modelName: copy[1]!, ...(copy[2] ? { version: Number(copy[2]) } : { alias: copy[3]! }) };
      const v = await this.services.registry.versions.copyVersion(actor, from, name, { tags: own, description });
      return { model_version: await this.versionJson(v) };
    }
    // A prompt version (MLflow's register_prompt): its template is the mlflow.prompt.text tag.
    const template = tags.some((t) => t.key === PROMPT_TAG && t.value.toLowerCase() === 'true')
      ? (tags.find((t) => t.key === PROMPT_TEXT_TAG)?.value ?? '')
      : null;
    // An MLflow 3 logged model carries its run: register the version as produced by it (as MLflow's server does).
    let runId = optStr(body, 'run_id');
    const logged = /^models:\/(m-[0-9a-f]+)\/?$/.exec(source);
    const loggedModel = logged ? await this.services.mlflow.findLoggedModel(logged[1]!) : null;
    if (!runId && loggedModel) runId = loggedModel.sourceRunId;
    // Prompts the logged model (or the run) was linked to (mlflow.linkedPrompts): the version uses them.
    const linked =
      linkedPrompts(loggedModel?.tags.find((t) => t.key === LINKED_PROMPTS_TAG)?.value) ??
      (runId ? linkedPrompts(await this.runTag(runId, LINKED_PROMPTS_TAG)) : null) ??
      [];
    const v = await this.services.registry.versions.createVersion(
      actor,
      {
        modelName: name,
        source,
        checksum,
        runId,
        description,
        tags: own,
        promptTemplate: template,
        promptVersions: linked,
      },
      { allowUnverified: template === null },
    );
    return { model_version: await this.versionJson(v) };
  };

  private async runTag(runId: string, key: string): Promise<string | undefined> {
    const [run] = await this.services.mlflow.runsByIds([runId]);
    return run?.tags.find((t) => t.key === key)?.value;
  }

  getModelVersion: Handler = async ({ body }) => ({
    model_version: await this.versionJson(await this.version(str(body, 'name'), str(body, 'version'))),
  });

  updateModelVersion: Handler = async ({ body, actor }) => {
    const ref = { modelName: str(body, 'name'), version: versionNumber(str(body, 'version')) };
    const v =
      'description' in body
        ? await this.services.registry.versions.updateVersion(actor, ref, {
            description: optStr(body, 'description') ?? '',
          })
        : await this.services.registry.lookup.getVersion(ref);
    return { model_version: await this.versionJson(v) };
  };

  deleteModelVersion: Handler = async ({ body, actor }) => {
    await this.services.registry.versions.deleteVersion(actor, {
      modelName: str(body, 'name'),
      version: versionNumber(str(body, 'version')),
    });
    return {};
  };

  getModelVersionDownloadUri: Handler = async ({ body }) => {
    const v = await this.version(str(body, 'name'), str(body, 'version'));
    return { artifact_uri: (await this.services.artifacts.locate(v.source)).uri };
  };

  searchModelVersions: Handler = async ({ body }) => {
    const clauses = parseFilter(optStr(body, 'filter'));
    const known = ['name', 'version_number', 'run_id', 'source_path', 'current_stage', 'user_id'];
    for (const c of clauses) {
      if (!(c.kind === 'tags' || (c.kind === 'attributes' && known.includes(c.key)))) {
        throw new MlflowError(
          'INVALID_PARAMETER_VALUE',
          `Invalid attribute key '${c.key}' specified. Valid keys are ${known.map((k) => `'${k}'`).join(', ')} and tags.<key>`,
        );
      }
    }
    const order = parseOrderBy(list(body, 'order_by'));
    const orderKeys = ['name', 'version_number', 'creation_timestamp', 'last_updated_timestamp', 'timestamp'];
    for (const o of order)
      if (o.kind !== 'attributes' || !orderKeys.includes(o.key))
        throw new MlflowError('INVALID_PARAMETER_VALUE', `Invalid order by key '${o.key}'`);
    const max = maxResults(body, 10_000, 200_000);
    // The graph narrows the candidates (the versions of one run for run_id =;
    // else one model's versions for name =, and one tags.k = 'v'); the whole
    // filter is then applied exactly to what it returns.
    const nameEq = clauses.find((c) => c.kind === 'attributes' && c.key === 'name' && c.op === '=');
    const tagEq = clauses.find((c) => c.kind === 'tags' && c.op === '=');
    const runEq = clauses.find((c) => c.kind === 'attributes' && c.key === 'run_id' && c.op === '=');
    // source_path = 'x' and LIKE 'prefix%' narrow in the graph too.
    const sourceEq = clauses.find((c) => c.kind === 'attributes' && c.key === 'source_path' && c.op === '=');
    const sourceLike = clauses.find(
      (c) => c.kind === 'attributes' && c.key === 'source_path' && c.op === 'LIKE' && /^[^%_]+%$/.test(String(c.value)),
    );
    const versions = runEq
      ? await this.services.mlflow.versionsOfRun(String(runEq.value), SEARCH_SCAN_LIMIT + 1)
      : (
          await this.services.registry.search.search(
            {
              modelName: nameEq ? String(nameEq.value) : null,
              tag: tagEq ? { key: tagEq.key, value: String(tagEq.value) } : null,
              source: sourceEq ? String(sourceEq.value) : null,
              sourcePrefix: sourceLike ? String(sourceLike.value).slice(0, -1) : null,
            },
            [],
            { first: SEARCH_SCAN_LIMIT, after: null },
            // MLflow's answer carries no count: none is made.
            { withTotal: false },
          )
        ).page.map((p) => p.version);
    if (versions.length > SEARCH_SCAN_LIMIT) {
      throw new MlflowError(
        'INVALID_PARAMETER_VALUE',
        `more than ${SEARCH_SCAN_LIMIT} model versions match the part of the filter Pedigree applies in the graph (run_id =, name =, source_path = or LIKE 'prefix%', tags.\`key\` = 'value'); narrow it with those`,
      );
    }
    const needsExtra = clauses.some((c) => c.kind === 'tags' || c.key === 'run_id');
    const ids = versions.map((v) => v.id);
    const [tags, runs] = needsExtra
      ? await Promise.all([this.services.registry.reads.tagsOf(ids), this.services.provenance.runs.runsOfVersions(ids)])
      : [[], []];
    const extra = new Map(
      versions.map((v, i) => [v.id, { tags: (tags as Tag[][])[i] ?? [], runId: runs[i]?.id ?? null }]),
    );
    const read = (v: VersionRecord, c: Clause | OrderKey) => {
      if (c.kind === 'tags')
        return c.key === PROMPT_TAG
          ? String(v.kind === 'PROMPT')
          : extra.get(v.id)!.tags.find((t) => t.key === c.key)?.value;
      switch (c.key) {
        case 'name':
          return v.modelName;
        case 'version_number':
          return v.version;
        case 'run_id':
          return extra.get(v.id)!.runId;
        case 'source_path':
          return v.source;
        case 'current_stage':
          return STAGE_TO_MLFLOW[v.stage];
        case 'user_id':
          return v.createdBy;
        case 'creation_timestamp':
          return ms(v.createdAt);
        default:
          return ms(v.updatedAt);
      }
    };
    const filtered = applyFilter(versions, clauses, read);
    const sorted = sortBy(
      filtered,
      [
        ...order,
        { kind: 'attributes', key: 'name', desc: false },
        { kind: 'attributes', key: 'version_number', desc: true },
      ],
      read,
    );
    const p = page(sorted, max, optStr(body, 'page_token'));
    return {
      model_versions: await this.versionsJson(p.items),
      ...(p.nextPageToken ? { next_page_token: p.nextPageToken } : {}),
    };
  };

  /** set-tag; the tag pedigree.checksum attaches the checksum of an unverified version (once). */
  setModelVersionTag: Handler = async ({ body, actor }) => {
    const ref = { modelName: str(body, 'name'), version: versionNumber(str(body, 'version')) };
    const key = str(body, 'key');
    const value = String(body.value ?? '');
    if (key === CHECKSUM_TAG) await this.services.registry.versions.attachChecksum(actor, ref, value);
    else await this.services.registry.versionTags.setVersionTag(actor, ref, key, value);
    return {};
  };

  deleteModelVersionTag: Handler = async ({ body, actor }) => {
    await this.services.registry.versionTags.deleteVersionTag(
      actor,
      { modelName: str(body, 'name'), version: versionNumber(str(body, 'version')) },
      str(body, 'key'),
    );
    return {};
  };

  /**
   * A stage governance refuses names the promotion to request (for Production from Staging: the missing CANARY step)
   * and where.
   */
  transitionModelVersionStage: Handler = async ({ req, body, actor }) => {
    const ref = { modelName: str(body, 'name'), version: versionNumber(str(body, 'version')) };
    const stage = toStage(str(body, 'stage'));
    try {
      const v = await this.services.lifecycle.transition(actor, ref, {
        stage,
        archiveExisting: bool(body, 'archive_existing_versions'),
        comment: optStr(body, 'comment'),
      });
      return { model_version: await this.versionJson(v) };
    } catch (err) {
      if (
        err instanceof DomainError &&
        err.code === ErrorCode.GATE_FAILED &&
        err.details.requires === 'requestPromotion'
      )
        throw new MlflowError('PERMISSION_DENIED', withPromotionLinks(req, err));
      throw err;
    }
  };
}

/**
 * A governance refusal's message with where to act on it: the GraphQL
 * endpoint and the model's dashboard page of the server the client called
 * (from the request's Host; behind a proxy, the proxy's Host when it passes it).
 */
function withPromotionLinks(req: IncomingMessage, err: DomainError): string {
  const modelName = typeof err.details.modelName === 'string' ? err.details.modelName : null;
  if (err.details.requires !== 'requestPromotion' || !modelName) return err.message;
  const host = req.headers['x-forwarded-host'] ?? req.headers.host;
  const proto = req.headers['x-forwarded-proto'] ?? 'http';
  const base =
    typeof host === 'string' && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? `${String(proto).split(',')[0]}://${host}` : '';
  const page = `${base}/#/models/${modelName.split('/').map(encodeURIComponent).join('/')}`;
  return `${err.message}. GraphQL: ${base}/graphql (requestPromotion, then approvePromotion by the approvers); dashboard: ${page}`;
}

function tagsJson(tags: Tag[]): { key: string; value: string }[] {
  return tags.map((t) => ({ key: t.key, value: t.value }));
}

/** MLflow's tag on a logged model or run naming the prompt versions it uses: JSON [{"name", "version"}]. */
export const LINKED_PROMPTS_TAG = 'mlflow.linkedPrompts';

function linkedPrompts(json: string | undefined): { modelName: string; version: number }[] | null {
  if (!json) return null;
  try {
    const list = JSON.parse(json) as { name?: unknown; version?: unknown }[];
    if (!Array.isArray(list)) return null;
    return list
      .filter((p) => typeof p?.name === 'string' && /^\d+$/.test(String(p.version)))
      .map((p) => ({ modelName: p.name as string, version: Number(p.version) }));
  } catch {
    return null;
  }
}

export function kvList(raw: unknown): { key: string; value: string }[] {
  if (raw == null) return [];
  if (!Array.isArray(raw)) throw new MlflowError('INVALID_PARAMETER_VALUE', 'tags must be a list of {key, value}');
  return raw.map((t: { key?: unknown; value?: unknown }) => {
    if (typeof t?.key !== 'string') throw new MlflowError('INVALID_PARAMETER_VALUE', 'every tag needs a string key');
    return { key: t.key, value: t.value == null ? '' : String(t.value) };
  });
}

export function versionNumber(v: string): number {
  if (!/^\d+$/.test(v))
    throw new MlflowError(
      'INVALID_PARAMETER_VALUE',
      `Model version must be a positive integer; got ${JSON.stringify(v)}`,
    );
  return Number(v);
}

/**
 * A substring (compared case-insensitively) that every name matching the
 * clause contains: the value of name =, the longest run of literal characters
 * of a LIKE / ILIKE pattern; null when there is none.
 */
function literalFragment(c: Clause): string | null {
  if (c.key !== 'name') return null;
  if (c.op === '=') return String(c.value);
  if (c.op !== 'LIKE' && c.op !== 'ILIKE') return null;
  return longest(String(c.value).split(/[%_]/));
}

function longest(xs: (string | null)[]): string | null {
  let best: string | null = null;
  for (const x of xs) if (x && (best === null || x.length > best.length)) best = x;
  return best;
}

function maxResults(body: Record<string, unknown>, def: number, max: number): number {
  const n = int(body, 'max_results') ?? def;
  if (n < 1 || n > max)
    throw new MlflowError('INVALID_PARAMETER_VALUE', `max_results must be between 1 and ${max}; got ${n}`);
  return n;
}
