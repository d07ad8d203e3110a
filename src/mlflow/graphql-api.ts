import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildSchema, GraphQLScalarType, graphql, type GraphQLSchema } from 'graphql';
import type { Logger } from '../logger.js';
import { readBody } from '../server/read-body.js';
import type { Services } from '../services.js';
import type { Caller } from '../governance/policy.js';
import { openActorResolver, type ActorResolver } from './actor.js';
import { toMlflowError } from './errors.js';
import { MlflowRegistryApi } from './registry-api.js';
import type { Body, Handler } from './request.js';
import { MlflowTrackingApi } from './tracking-api.js';

/**
 * The few GraphQL operations MLflow's UI sends to its server's `/graphql`
 * (run page, experiment header, charts): MLflow's field names (the REST
 * messages' fields in camelCase, 64-bit numbers as strings), answered by the
 * same handlers as the REST API. Errors come back as MLflow does, in each
 * response's `apiError`. Served only under the MLflow UI's mount
 * (/mlflow/graphql): Pedigree's own /graphql is Pedigree's API. Nothing here
 * nests or repeats, so an operation costs a bounded number of handler calls.
 */
const SDL = /* GraphQL */ `
  directive @component(name: String!) on QUERY | MUTATION
  scalar LongString

  type ApiError {
    code: String
    message: String
    helpUrl: String
    traceId: String
  }
  type KeyValue {
    key: String
    value: String
  }

  type MlflowExperiment {
    experimentId: String
    name: String
    artifactLocation: String
    lifecycleStage: String
    lastUpdateTime: LongString
    creationTime: LongString
    tags: [KeyValue!]
    effectiveTraceArchivalRetention: String
    workspace: String
  }
  type MlflowGetExperimentResponse {
    experiment: MlflowExperiment
    apiError: ApiError
  }

  enum MlflowRunStatus {
    RUNNING
    SCHEDULED
    FINISHED
    FAILED
    KILLED
  }
  enum MlflowViewType {
    ACTIVE_ONLY
    DELETED_ONLY
    ALL
  }
  enum MlflowModelVersionStatus {
    PENDING_REGISTRATION
    FAILED_REGISTRATION
    READY
  }

  type MlflowRunInfo {
    runId: String
    runUuid: String
    runName: String
    experimentId: String
    userId: String
    status: MlflowRunStatus
    startTime: LongString
    endTime: LongString
    artifactUri: String
    lifecycleStage: String
  }
  type MlflowMetric {
    key: String
    value: Float
    timestamp: LongString
    step: LongString
    datasetName: String
    datasetDigest: String
    modelId: String
    runId: String
  }
  type MlflowRunData {
    metrics: [MlflowMetric!]
    params: [KeyValue!]
    tags: [KeyValue!]
  }
  type MlflowDataset {
    name: String
    digest: String
    sourceType: String
    source: String
    schema: String
    profile: String
  }
  type MlflowDatasetInput {
    tags: [KeyValue!]
    dataset: MlflowDataset
  }
  type MlflowModelInput {
    modelId: String
  }
  type MlflowRunInputs {
    datasetInputs: [MlflowDatasetInput!]
    modelInputs: [MlflowModelInput!]
  }
  type MlflowModelOutput {
    modelId: String
    step: LongString
  }
  type MlflowRunOutputs {
    modelOutputs: [MlflowModelOutput!]
  }
  type MlflowModelVersion {
    name: String
    version: String
    creationTimestamp: LongString
    lastUpdatedTimestamp: LongString
    userId: String
    currentStage: String
    description: String
    source: String
    runId: String
    status: MlflowModelVersionStatus
    statusMessage: String
    tags: [KeyValue!]
    runLink: String
    aliases: [String]
    modelId: String
  }
  type MlflowRun {
    info: MlflowRunInfo
    data: MlflowRunData
    inputs: MlflowRunInputs
    outputs: MlflowRunOutputs
    experiment: MlflowExperiment
    modelVersions: [MlflowModelVersion!]
  }
  type MlflowGetRunResponse {
    run: MlflowRun
    apiError: ApiError
  }
  type MlflowSearchRunsResponse {
    runs: [MlflowRun!]
    nextPageToken: String
    apiError: ApiError
  }
  type MlflowMetricWithRunId {
    key: String
    value: Float
    timestamp: LongString
    step: LongString
    runId: String
  }
  type MlflowGetMetricHistoryBulkIntervalResponse {
    metrics: [MlflowMetricWithRunId!]
    apiError: ApiError
  }

  input MlflowGetExperimentInput {
    experimentId: String
  }
  input MlflowGetRunInput {
    runId: String
    runUuid: String
  }
  input MlflowSearchRunsInput {
    experimentIds: [String]
    filter: String
    runViewType: MlflowViewType
    maxResults: Int
    orderBy: [String]
    pageToken: String
  }
  input MlflowGetMetricHistoryBulkIntervalInput {
    runIds: [String]
    metricKey: String
    startStep: Int
    endStep: Int
    maxResults: Int
  }

  type Query {
    mlflowGetExperiment(input: MlflowGetExperimentInput): MlflowGetExperimentResponse
    mlflowGetRun(input: MlflowGetRunInput): MlflowGetRunResponse
    mlflowSearchRuns(input: MlflowSearchRunsInput): MlflowSearchRunsResponse
    mlflowGetMetricHistoryBulkInterval(
      input: MlflowGetMetricHistoryBulkIntervalInput
    ): MlflowGetMetricHistoryBulkIntervalResponse
  }
  type Mutation {
    mlflowSearchRuns(input: MlflowSearchRunsInput): MlflowSearchRunsResponse
  }
`;

const camel = (k: string) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * REST JSON → MLflow's GraphQL field names; a NaN metric value (which GraphQL's Float refuses) becomes null, as in
 * MLflow.
 */
function camelize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelize);
  if (typeof v === 'number' && Number.isNaN(v)) return null;
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [camel(k), camelize(x)]));
}

function snakeBody(input: Record<string, unknown> | null | undefined): Body {
  return Object.fromEntries(
    Object.entries(input ?? {})
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [snake(k), v]),
  );
}

interface GqlContext {
  req: IncomingMessage;
  actor: Caller;
}

function buildMlflowSchema(
  registry: MlflowRegistryApi,
  tracking: MlflowTrackingApi,
): { schema: GraphQLSchema; root: Record<string, unknown> } {
  const schema = buildSchema(SDL);
  // 64-bit numbers travel as strings, as MLflow's UI expects them.
  (schema.getType('LongString') as GraphQLScalarType).serialize = (v: unknown) => String(v);
  // Each root field calls one REST handler; a refusal is the response's apiError, as MLflow answers.
  const call =
    (handler: Handler, wrap: (out: Record<string, unknown>) => Record<string, unknown>) =>
    async ({ input }: { input?: Record<string, unknown> }, ctx: GqlContext) => {
      try {
        return wrap(
          camelize(await handler({ req: ctx.req, body: snakeBody(input), params: {}, actor: ctx.actor })) as Record<
            string,
            unknown
          >,
        );
      } catch (err) {
        const e = toMlflowError(err);
        if (!e) throw err;
        return { apiError: { code: e.errorCode, message: e.message } };
      }
    };
  const withRunExtras = (ctx: GqlContext) => (run: Record<string, unknown>) => {
    const info = run.info as { runId: string; experimentId: string };
    return {
      ...run,
      experiment: async () =>
        (
          camelize(
            await tracking.getExperiment({
              req: ctx.req,
              body: { experiment_id: info.experimentId },
              params: {},
              actor: ctx.actor,
            }),
          ) as { experiment: unknown }
        ).experiment,
      modelVersions: async () =>
        (
          camelize(
            await registry.searchModelVersions({
              req: ctx.req,
              body: { filter: `run_id = '${info.runId.replace(/'/g, '')}'` },
              params: {},
              actor: ctx.actor,
            }),
          ) as { modelVersions?: unknown[] }
        ).modelVersions ?? [],
    };
  };
  const searchRuns = async (args: { input?: Record<string, unknown> }, ctx: GqlContext) => {
    const out = (await call(tracking.searchRuns, (o) => o)(args, ctx)) as { runs?: Record<string, unknown>[] };
    return out.runs ? { ...out, runs: out.runs.map(withRunExtras(ctx)) } : out;
  };
  const root = {
    mlflowGetExperiment: call(tracking.getExperiment, (o) => o),
    mlflowGetRun: async (args: { input?: Record<string, unknown> }, ctx: GqlContext) => {
      const out = (await call(tracking.getRun, (o) => o)(args, ctx)) as { run?: Record<string, unknown> };
      return out.run ? { ...out, run: withRunExtras(ctx)(out.run) } : out;
    },
    mlflowSearchRuns: searchRuns,
    mlflowGetMetricHistoryBulkInterval: call(tracking.getMetricHistoryBulkInterval, (o) => o),
  };
  return { schema, root };
}

/** POST (or GET) /mlflow/graphql: MLflow's UI GraphQL, read access (VIEWER), checked before the body is read. */
export function createMlflowGraphql(opts: {
  services: Services;
  log: Logger;
  maxBodyBytes: number;
  resolveActor?: ActorResolver;
}): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { schema, root } = buildMlflowSchema(
    new MlflowRegistryApi(opts.services),
    new MlflowTrackingApi(opts.services),
  );
  const resolveActor = opts.resolveActor ?? openActorResolver;
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  return async (req, res) => {
    let actor: Caller;
    try {
      actor = await resolveActor(req, 'read');
    } catch (err) {
      const e = toMlflowError(err);
      if (!e) throw err;
      res.setHeader('connection', 'close');
      return send(res, e.status, { errors: [{ message: e.message, extensions: { code: e.errorCode } }] });
    }
    let query: unknown;
    let variables: unknown;
    let operationName: unknown;
    if (req.method === 'POST') {
      const raw = await readBody(req, opts.maxBodyBytes);
      if (raw === null)
        return send(res, 413, { errors: [{ message: `request body is limited to ${opts.maxBodyBytes} bytes` }] });
      try {
        ({ query, variables, operationName } = JSON.parse(raw.toString('utf8')) as Record<string, unknown>);
      } catch {
        return send(res, 400, {
          errors: [{ message: 'the body must be one JSON GraphQL request (batches are not served)' }],
        });
      }
    } else if (req.method === 'GET') {
      const url = new URL(req.url ?? '/', 'http://localhost');
      query = url.searchParams.get('query');
      operationName = url.searchParams.get('operationName');
      try {
        variables = JSON.parse(url.searchParams.get('variables') ?? 'null');
      } catch {
        return send(res, 400, { errors: [{ message: 'variables must be JSON' }] });
      }
    } else {
      res.setHeader('allow', 'GET, POST');
      return send(res, 405, {
        errors: [{ message: 'only GET and POST are served on the MLflow UI GraphQL endpoint' }],
      });
    }
    if (typeof query !== 'string' || query.length > 100_000)
      return send(res, 400, {
        errors: [{ message: 'query must be a GraphQL document of at most 100,000 characters' }],
      });
    const result = await graphql({
      schema,
      source: query,
      rootValue: root,
      contextValue: { req, actor } satisfies GqlContext,
      variableValues: variables && typeof variables === 'object' ? (variables as Record<string, unknown>) : undefined,
      operationName: typeof operationName === 'string' ? operationName : undefined,
    });
    if (result.errors?.length)
      opts.log.debug({ errors: result.errors.map((e) => e.message) }, 'MLflow UI GraphQL errors');
    // Unexpected failures are masked: no stack or internals reach the page.
    const errors = result.errors?.map((e) =>
      e.originalError && !toMlflowError(e.originalError)
        ? { message: 'internal error (see the server log)' }
        : { message: e.message },
    );
    for (const e of result.errors ?? [])
      if (e.originalError && !toMlflowError(e.originalError))
        opts.log.error({ err: e.originalError }, 'MLflow UI GraphQL failed');
    return send(res, 200, {
      ...(result.data !== undefined ? { data: result.data } : {}),
      ...(errors ? { errors } : {}),
    });
  };
}
