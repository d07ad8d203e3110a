import type { PubSub } from 'type-graphql';

/**
 * type-graphql refuses to build subscriptions without a PubSub, even when
 * every one has its own `subscribe`. Ours read the event log through
 * EventsService, so topics are never used: this one fails loudly if they are.
 */
export const noTopicPubSub: PubSub = {
  publish(topic: string) {
    throw new Error(`topic pub/sub is not used (publish to ${topic}); subscriptions read the event log`);
  },
  subscribe(topic: string) {
    throw new Error(`topic pub/sub is not used (subscribe to ${topic}); subscriptions read the event log`);
  },
};
