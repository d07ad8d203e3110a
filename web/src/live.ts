import { useEffect, useRef, useState } from 'react';
import { subscribe } from './api';

/** A registry event as the subscription delivers it (details withheld below ADMIN are absent). */
export interface LiveEvent {
  sequence: string;
  type: string;
  at: string;
  actor: string;
  modelName: string | null;
  version: number | null;
  alias: string | null;
  subjectId: string | null;
}

const EVENTS = `subscription LiveEvents($types: [String!]) {
  registryEvents(types: $types) { sequence type at actor modelName version alias subjectId }
}`;

/** How often a page without the subscription (or whose websocket failed) reloads its data instead. */
export const POLL_MS = 3000;

export type LiveMode = 'connecting' | 'websocket' | 'polling';

/**
 * Calls `onEvent` for every registry event of `types` that `accept` keeps,
 * over the shared graphql-ws connection (registryEvents). If the subscription
 * is refused or the socket fails, falls back to calling `onPoll` every
 * POLL_MS and reports 'polling'. Pages refresh what an event touches from
 * here: nothing reloads the page.
 */
export function useRegistryEvents(
  types: readonly string[],
  accept: (e: LiveEvent) => boolean,
  onEvent: (e: LiveEvent) => void,
  onPoll?: () => void,
): LiveMode {
  const [mode, setMode] = useState<LiveMode>('connecting');
  const handlers = useRef({ accept, onEvent, onPoll });
  handlers.current = { accept, onEvent, onPoll };
  const key = types.join(',');
  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | null = null;
    let failed = false;
    const stop = subscribe<{ registryEvents: LiveEvent }>(
      EVENTS,
      { types: key.split(',') },
      ({ registryEvents: e }) => {
        setMode('websocket');
        if (handlers.current.accept(e)) handlers.current.onEvent(e);
      },
      () => {
        if (failed) return;
        failed = true;
        setMode('polling');
        timer = setInterval(() => handlers.current.onPoll?.(), POLL_MS);
      },
    );
    // No refusal within a moment means the subscription was accepted.
    const ok = setTimeout(() => !failed && setMode('websocket'), 1500);
    return () => {
      clearTimeout(ok);
      stop();
      if (timer) clearInterval(timer);
    };
  }, [key]);
  return mode;
}

/** Event types that change what a model's pages show. */
export const MODEL_EVENT_TYPES = [
  'VERSION_CREATED',
  'VERSION_UPDATED',
  'VERSION_DELETED',
  'VERSION_TAG_SET',
  'VERSION_TAG_DELETED',
  'MODEL_UPDATED',
  'MODEL_TAG_SET',
  'MODEL_TAG_DELETED',
  'MODEL_OWNERS_SET',
  'PROTECTED_ALIASES_SET',
  'STAGE_CHANGED',
  'STAGE_ROLLBACK',
  'EVIDENCE_ADDED',
  'ALIAS_SET',
  'ALIAS_DELETED',
  'ROLLBACK',
  'PROMOTION_REQUESTED',
  'PROMOTION_APPROVAL_ADDED',
  'PROMOTION_APPROVED',
  'PROMOTION_REJECTED',
  'PROMOTION_CANCELLED',
  'MODEL_CARD_SECTION_SET',
] as const;

export const PROMOTION_EVENT_TYPES = [
  'PROMOTION_REQUESTED',
  'PROMOTION_APPROVAL_ADDED',
  'PROMOTION_APPROVED',
  'PROMOTION_REJECTED',
  'PROMOTION_CANCELLED',
  'MODEL_OWNERS_SET',
  'EVIDENCE_ADDED',
  'MODEL_CARD_SECTION_SET',
] as const;
