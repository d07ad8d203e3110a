import 'reflect-metadata';
import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { AnalyticsResolver } from './analytics/analytics.resolver.js';
import { EventsResolver } from './events/events.resolver.js';
import { noTopicPubSub } from './events/no-pubsub.js';
import { WebhookResolver } from './events/webhook.resolver.js';
import { PromotionResolver } from './governance/promotion.resolver.js';
import { PrincipalResolver, TokenResolver } from './governance/token.resolver.js';
import {
  LineageAncestorResolver,
  ProvenanceResolver,
  RunResolver,
  TracedDataSourceResolver,
  TracedDatasetVersionResolver,
} from './provenance/provenance.resolver.js';
import { registryResolvers } from './registry/index.js';
import { openLineageResolvers } from './provenance/openlineage.resolver.js';
import { SystemResolver } from './system/system.resolver.js';
import { operationsResolvers } from './operations/index.js';

/** Every resolver class, by module. A module adds its list here. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- type-graphql's buildSchema types resolver classes as Function
const resolvers: NonEmptyArray<Function> = [
  SystemResolver,
  ...registryResolvers,
  ProvenanceResolver,
  RunResolver,
  TracedDatasetVersionResolver,
  TracedDataSourceResolver,
  LineageAncestorResolver,
  ...openLineageResolvers,
  EventsResolver,
  WebhookResolver,
  TokenResolver,
  PrincipalResolver,
  PromotionResolver,
  ...operationsResolvers,
  AnalyticsResolver,
];

/**
 * Builds the executable schema from the type-graphql classes. Decorators carry
 * explicit type functions throughout, so this works without decorator
 * metadata (esbuild in tests) as well as with it (tsc for `npm start`).
 */
export async function buildPedigreeSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers, validate: false, pubSub: noTopicPubSub });
}

/** The SDL as committed in schema/schema.graphql: sorted, so diffs are stable. */
export async function emitSdl(): Promise<string> {
  const { printSchema } = await import('graphql');
  return `${printSchema(lexicographicSortSchema(await buildPedigreeSchema())).trim()}\n`;
}
