/**
 * Probe (issue 20, the fast path): where one `GetModelVersionByAlias` request
 * spends its time once the alias view answers it from memory. Starts the app
 * in-process on a small graph, waits for the view, then at 1 client, closed loop:
 *
 *  1. by hand, each step the HTTP path runs, timed alone with performance.now():
 *     parse, validate (the rules Apollo runs), the request limits (page sizes,
 *     depth, aliases, cost) uncached and through the per-document plan cache,
 *     the policy decision, the context (loaders), execution (which includes the
 *     policy wrapper and the view lookup) and serialisation;
 *  2. Apollo's whole pipeline in-process (`executeHTTPGraphQLRequest`, no
 *     socket), with the full query text and hash-only (APQ);
 *  3. the request over HTTP on one keep-alive connection (full text and
 *     hash-only), timed by the client and by the server (request event to
 *     response finish).
 *
 *   npx tsx bench/probes/alias-pipeline.ts [--n 5000] [--models 50]
 *
 * Prints median and p99 per step in microseconds.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest, Agent } from 'node:http';
import { loadavg } from 'node:os';
import { HeaderMap } from '@apollo/server';
import { execute, NoSchemaIntrospectionCustomRule, parse, specifiedRules, validate, getOperationAST } from 'graphql';
import { benchAppSetup, startBenchDb } from '../db.js';
import { GET_BY_ALIAS } from '../ops.js';
import { createApp } from '../../src/app.js';
import { decide } from '../../src/governance/policy.js';
import { Role } from '../../src/governance/roles.js';
import { createContext } from '../../src/schema/context.js';
import { operationLimitErrors, OperationPlans } from '../../src/server/limits/index.js';

const arg = (name: string, def: string) =>
  process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1]! : def;
const N = Number(arg('n', '5000'));
const MODELS = Number(arg('models', '50'));
const TOKEN = 'pdg_bench-alias-pipeline-0123456789abcdefghijklmnopqrstuvwxyz';
const HASH = createHash('sha256').update(GET_BY_ALIAS).digest('hex');

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return {
    p50: s[Math.floor(s.length / 2)]! * 1000,
    p99: s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)]! * 1000,
  };
};
const rows: [string, { p50: number; p99: number }][] = [];
const record = (label: string, ms: number[]) => rows.push([label, stats(ms)]);

/** Times `fn` N times after N/10 warm-up calls; milliseconds per call. */
async function time(label: string, fn: (i: number) => unknown): Promise<void> {
  for (let i = 0; i < N / 10; i++) await fn(i);
  const ms: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  record(label, ms);
}

const db = await startBenchDb({ heapMb: 512, pagecacheMb: 256 });
try {
  const { config, log, driver } = benchAppSetup(db, TOKEN);
  const app = await createApp(config, driver, log);
  const server = await app.listen(0, '127.0.0.1');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const post = (body: unknown) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const data = JSON.stringify(body);
      const req = httpRequest(
        server.url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${TOKEN}`,
            'content-length': Buffer.byteLength(data),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, text }));
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  const gql = async (query: string, variables: Record<string, unknown>) => {
    const r = await post({ query, variables });
    if (r.status !== 200 || r.text.includes('"errors"')) throw new Error(`seed: ${r.text.slice(0, 300)}`);
  };
  for (let i = 0; i < MODELS; i++) {
    const name = `probe-alias-${i}`;
    await gql('mutation($n: String!) { createRegisteredModel(input: { name: $n }) { name } }', { n: name });
    await gql('mutation($i: CreateModelVersionInput!) { createModelVersion(input: $i) { version } }', {
      i: { modelName: name, source: `s3://probe/${name}`, checksum: `sha256:${'ab'.repeat(32)}` },
    });
    await gql(
      'mutation($n: String!) { setRegisteredModelAlias(modelName: $n, alias: "serving", version: 1) { sequence } }',
      { n: name },
    );
  }
  for (let i = 0; i < 600 && app.services.aliasView.status !== 'ready'; i++)
    await new Promise((r) => setTimeout(r, 100));
  const vars = (i: number) => ({ modelName: `probe-alias-${i % MODELS}`, alias: 'serving' });
  const loadBefore = loadavg();

  // 1. Each step by hand, as the HTTP path runs it.
  const { schema, services } = app;
  const rules = config.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  const document = parse(GET_BY_ALIAS);
  const operation = getOperationAST(document)!;
  const limits = {
    maxDepth: config.security.maxDepth,
    maxCost: config.security.maxCost,
    maxAliases: config.security.maxAliases,
  };
  const plans = new OperationPlans(schema, limits);
  const actor = { name: 'probe', role: Role.VIEWER };
  await time('parse', () => parse(GET_BY_ALIAS, { maxTokens: 20_000 }));
  await time('validate', () => validate(schema, document, rules));
  await time('limits, uncached (page sizes, depth, aliases, cost)', (i) =>
    operationLimitErrors(schema, document, operation, vars(i), limits),
  );
  await time('limits, per-document plan (cache hit)', (i) => plans.limitErrors(document, operation, vars(i)));
  await time('policy decision (decide)', () =>
    decide(actor, 'Query.modelVersionByAlias', 'query', { anonymousRead: false }),
  );
  await time('context (request id, 23 loaders, child logger)', () => createContext(services, log, actor));
  let result: unknown;
  await time('execute (policy wrapper + alias view)', async (i) => {
    result = await execute({
      schema,
      document,
      variableValues: vars(i),
      contextValue: createContext(services, log, actor),
    });
  });
  await time('serialise (JSON.stringify)', () => JSON.stringify(result));
  await time('sha256 of the query text (Apollo, every request)', () =>
    createHash('sha256').update(GET_BY_ALIAS).digest('hex'),
  );

  // 2. Apollo's pipeline in-process, no socket.
  const apollo = server.http.apollo;
  const headers = new HeaderMap([['content-type', 'application/json']]);
  const apolloCall = (body: Record<string, unknown>) =>
    apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: '', body },
      context: async () => createContext(services, log, actor),
    });
  await time('Apollo executeHTTPGraphQLRequest, full text', (i) =>
    apolloCall({ query: GET_BY_ALIAS, variables: vars(i) }),
  );
  await apolloCall({
    query: GET_BY_ALIAS,
    variables: vars(0),
    extensions: { persistedQuery: { version: 1, sha256Hash: HASH } },
  });
  await time('Apollo executeHTTPGraphQLRequest, hash only (APQ)', (i) =>
    apolloCall({ variables: vars(i), extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } }),
  );

  // 3. Over HTTP, one keep-alive connection: client time and server time.
  let serverMs: number[] = [];
  server.http.server.prependListener('request', (_req, res) => {
    const t = performance.now();
    res.on('finish', () => serverMs.push(performance.now() - t));
  });
  for (const [label, body] of [
    ['full text', (i: number) => ({ query: GET_BY_ALIAS, variables: vars(i) })],
    [
      'hash only (APQ)',
      (i: number) => ({ variables: vars(i), extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } }),
    ],
  ] as const) {
    await time(`HTTP round trip (client), ${label}`, async (i) => {
      const r = await post(body(i));
      if (r.status !== 200 || !r.text.includes('"version":1'))
        throw new Error(`unexpected answer: ${r.status} ${r.text.slice(0, 200)}`);
    });
    record(`  of which the server (request to finish), ${label}`, serverMs.slice(-N));
    serverMs = [];
  }

  const loadAfter = loadavg();
  console.log(
    `GetModelVersionByAlias, ${MODELS} models, n = ${N} per step, 1 client, closed loop; load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')}`,
  );
  console.log('| step | p50 µs | p99 µs |');
  console.log('| --- | --- | --- |');
  for (const [label, s] of rows) console.log(`| ${label} | ${s.p50.toFixed(1)} | ${s.p99.toFixed(1)} |`);
  agent.destroy();
  await server.close();
  await driver.close();
} finally {
  await db.stop();
}
