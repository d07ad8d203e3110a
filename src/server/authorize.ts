import { defaultFieldResolver, type GraphQLFieldConfig, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { DomainError, ErrorCode } from '../errors.js';
import { decide, POLICY, type OperationKind } from '../governance/policy.js';
import type { Role } from '../governance/roles.js';
import type { Context } from '../schema/context.js';
import { checkInputSizes, DEFAULT_INPUT_LIMITS, type InputLimits } from './input-limits.js';

export interface EnforceOptions {
  anonymousRead: boolean;
  policy?: Readonly<Record<string, Role>>;
  inputLimits?: InputLimits;
}

/**
 * The one place authorisation happens: every root field of the built schema
 * (Query, Mutation, Subscription) is wrapped so that, before its resolver (or,
 * for a subscription, before it subscribes), the caller is checked against
 * src/governance/policy.ts (default deny) and every argument against the
 * input size limits. Wrapping the built schema rather than decorating
 * resolvers means a field added by any module is covered without anyone
 * remembering to.
 */
export function enforcePolicy(schema: GraphQLSchema, opts: EnforceOptions): GraphQLSchema {
  const policy = opts.policy ?? POLICY;
  const limits = opts.inputLimits ?? DEFAULT_INPUT_LIMITS;
  const roots: [OperationKind, GraphQLObjectType | null | undefined][] = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ];
  for (const [kind, type] of roots) {
    if (!type) continue;
    for (const field of Object.values(type.getFields())) {
      const key = `${type.name}.${field.name}`;
      const guard = (ctx: Context, args: { [argument: string]: unknown }): void => {
        const d = decide(ctx.actor, key, kind, { anonymousRead: opts.anonymousRead }, policy);
        if (!d.allowed) throw new DomainError(ErrorCode[d.code], d.message);
        checkInputSizes(key, field.args, args, limits);
      };
      if (kind === 'subscription' && field.subscribe) {
        const subscribe = field.subscribe;
        field.subscribe = (src, args: Record<string, unknown>, ctx: Context, info) => {
          guard(ctx, args);
          return subscribe(src, args, ctx, info);
        };
      } else {
        const resolve = (field.resolve ?? defaultFieldResolver) as NonNullable<
          GraphQLFieldConfig<unknown, Context>['resolve']
        >;
        field.resolve = (src, args: Record<string, unknown>, ctx: Context, info) => {
          guard(ctx, args);
          return resolve(src, args, ctx, info);
        };
      }
    }
  }
  return schema;
}

/** Every root field of the schema, as `Type.field` (for the policy coverage test). */
export function rootFields(schema: GraphQLSchema): string[] {
  return [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((t) =>
    t ? Object.keys(t.getFields()).map((f) => `${t.name}.${f}`) : [],
  );
}
