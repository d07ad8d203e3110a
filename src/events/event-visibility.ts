import { hasRole, Role } from '../governance/roles.js';
import { EventType } from './event-log.js';
import type { EventRecord } from './event-record.js';

/**
 * Who reads an event: a principal's role, `null` for an anonymous reader, or
 * WEBHOOK_RECEIVER for the body POSTed to a webhook (an outside endpoint, not
 * a principal: it gets what a VIEWER gets).
 */
export type EventReader = Role | null | typeof WEBHOOK_RECEIVER;
export const WEBHOOK_RECEIVER = 'WEBHOOK_RECEIVER' as const;

/** An event as one reader may see it; `redacted` says whether anything was withheld. */
export type VisibleEvent = EventRecord & { redacted: boolean };

/**
 * The one place that decides what of an event a reader below ADMIN sees.
 * Every reader of the log goes through it: auditLog, the registryEvents and
 * aliasChanged subscriptions (replay and live), and webhook bodies. Events
 * below ADMIN carry no secrets and no token inventory:
 *
 * - WEBHOOK_CREATED / WEBHOOK_UPDATED / WEBHOOK_DELETED: the URL (whose path and query often
 *   carry the receiver's credential) is reduced to its origin,
 *   `scheme://host[:port]`; the URL's fingerprint is dropped;
 * - TOKEN_CREATED / TOKEN_REVOKED: which principals hold which role and
 *   which token ids exist are withheld (`subjectId`, `before`, `after` null);
 *   type, time and actor stay.
 *
 * Other payloads carry what their own queries already show a VIEWER (model
 * fields, sources, evidence, deployments' endpoints, signing keys' public
 * metadata), and are passed through. An ADMIN sees what the log stores.
 */
export function eventForReader(e: EventRecord, reader: EventReader): VisibleEvent {
  if (reader !== WEBHOOK_RECEIVER && hasRole(reader, Role.ADMIN)) return { ...e, redacted: false };
  switch (e.type) {
    case EventType.WEBHOOK_CREATED:
    case EventType.WEBHOOK_UPDATED:
    case EventType.WEBHOOK_DELETED:
      return { ...e, before: webhookPayload(e.before), after: webhookPayload(e.after), redacted: true };
    case EventType.TOKEN_CREATED:
    case EventType.TOKEN_REVOKED:
      return { ...e, subjectId: null, before: null, after: null, redacted: true };
    default:
      return { ...e, redacted: false };
  }
}

/** `scheme://host[:port]` of an http(s) URL; anything else (never stored) becomes null. */
export function urlOrigin(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

/** A webhook event payload below ADMIN: its origin and event types, nothing else. */
function webhookPayload(p: unknown): unknown {
  if (p === null || typeof p !== 'object') return p;
  const { url, eventTypes } = p as { url?: unknown; eventTypes?: unknown };
  return { url: urlOrigin(url), eventTypes: Array.isArray(eventTypes) ? eventTypes : [] };
}
