import { Arg, Root, Subscription, Resolver } from 'type-graphql';
import { ALIAS_EVENT_TYPES } from '../../events/event-log.js';
import type { EventRecord } from '../../events/event-record.js';
import type { VisibleEvent } from '../../events/event-visibility.js';
import type { Context } from '../context.js';
import { SLOW_SUBSCRIBER_CLOSE } from '../../server/ws-codes.js';
import { AliasChange, RegistryEvent } from './event.types.js';

interface ResolverData<A> {
  args: A;
  context: Context;
}

/** Ends the socket of a subscriber that fell too far behind; it resumes with `after`. */
const tooSlow = (ctx: Context) => (queued: number) =>
  ctx.socket?.close(SLOW_SUBSCRIBER_CLOSE, `subscriber too slow: ${queued} events queued; reconnect with after`);

@Resolver()
export class EventsResolver {
  @Subscription(() => AliasChange, {
    description:
      'Alias moves of a model (one alias, or all), exactly once and in sequence order. With `after`, first replays the moves after that sequence, then goes live.',
    subscribe: ({ args, context }: ResolverData<{ modelName: string; alias?: string | null; after?: string | null }>) =>
      context.services.events.subscribe(
        { modelName: args.modelName, alias: args.alias ?? null, types: ALIAS_EVENT_TYPES },
        { reader: context.actor.role, after: args.after, onOverflow: tooSlow(context) },
      ),
  })
  aliasChanged(
    @Root() event: EventRecord,
    @Arg('modelName', () => String) _modelName: string,
    @Arg('alias', () => String, { nullable: true }) _alias?: string,
    @Arg('after', () => String, { nullable: true, description: 'Last sequence seen: replay from there.' })
    _after?: string,
  ): AliasChange {
    return toAliasChange(event);
  }

  @Subscription(() => RegistryEvent, {
    description:
      'Every registry event (or those of `types`), exactly once and in sequence order. With `after`, replays first.',
    subscribe: ({ args, context }: ResolverData<{ after?: string | null; types?: string[] | null }>) =>
      context.services.events.subscribe(
        { types: args.types?.length ? args.types : null },
        { reader: context.actor.role, after: args.after, onOverflow: tooSlow(context) },
      ),
  })
  registryEvents(
    @Root() event: VisibleEvent,
    @Arg('after', () => String, { nullable: true, description: 'Last sequence seen: replay from there.' })
    _after?: string,
    @Arg('types', () => [String], { nullable: true, description: 'Event types to receive; absent: all.' })
    _types?: string[],
  ): RegistryEvent {
    return event;
  }
}

/** Alias events keep `{ version }` in before/after; the row's `version` is the new one. */
export function toAliasChange(e: EventRecord): AliasChange {
  return {
    sequence: e.sequence,
    type: e.type,
    modelName: e.modelName ?? '',
    alias: e.alias ?? '',
    previousVersion: versionOf(e.before),
    version: e.after === null ? null : (versionOf(e.after) ?? e.version),
    at: e.at,
    actor: e.actor,
  };
}

function versionOf(v: unknown): number | null {
  if (v && typeof v === 'object' && typeof (v as { version?: unknown }).version === 'number')
    return (v as { version: number }).version;
  return null;
}
