import { describe, expect, it } from 'vitest';
import { EventType } from '../../src/events/event-log.js';
import type { EventRecord } from '../../src/events/event-record.js';
import { eventForReader, urlOrigin, WEBHOOK_RECEIVER } from '../../src/events/event-visibility.js';

const event = (type: string, before: unknown, after: unknown): EventRecord => ({
  sequence: '7',
  type,
  at: '2025-01-01T00:00:00.000Z',
  actor: 'admin',
  modelName: null,
  version: null,
  alias: null,
  subjectId: 'subject-1',
  before,
  after,
});

const BELOW_ADMIN = ['VIEWER', 'CONTRIBUTOR', 'REVIEWER', null, WEBHOOK_RECEIVER] as const;

describe('eventForReader', () => {
  const hook = event(EventType.WEBHOOK_CREATED, null, {
    url: 'https://u:p@hooks.example.com:8443/T1/B2/secret?sig=s3',
    urlSha256: 'ab',
    eventTypes: ['ALIAS_SET'],
  });
  const token = event(EventType.TOKEN_CREATED, null, { tokenId: 't1', name: 'ci', role: 'ADMIN' });

  it('shows an ADMIN what the log stores', () => {
    expect(eventForReader(hook, 'ADMIN')).toEqual({ ...hook, redacted: false });
    expect(eventForReader(token, 'ADMIN')).toEqual({ ...token, redacted: false });
  });

  it.each(BELOW_ADMIN)('reduces webhook URLs to their origin and hides token details for %s', (reader) => {
    expect(eventForReader(hook, reader)).toEqual({
      ...hook,
      after: { url: 'https://hooks.example.com:8443', eventTypes: ['ALIAS_SET'] },
      redacted: true,
    });
    const deleted = event(EventType.WEBHOOK_DELETED, { url: 'http://10.0.0.1/x?y=1', eventTypes: [] }, null);
    expect(eventForReader(deleted, reader)).toMatchObject({
      before: { url: 'http://10.0.0.1', eventTypes: [] },
      after: null,
      redacted: true,
    });
    // An MLflow webhook's update (its URL may have moved): origins only, before and after.
    const updated = event(
      EventType.WEBHOOK_UPDATED,
      { url: 'https://a.example/h?k=1', eventTypes: ['model_version.created'], name: 'n' },
      { url: 'https://b.example/h?k=2', eventTypes: [], secretChanged: true },
    );
    expect(eventForReader(updated, reader)).toMatchObject({
      before: { url: 'https://a.example', eventTypes: ['model_version.created'] },
      after: { url: 'https://b.example', eventTypes: [] },
      redacted: true,
    });
    for (const e of [token, event(EventType.TOKEN_REVOKED, null, { tokenIds: ['t1'], names: ['ci'] })]) {
      expect(eventForReader(e, reader)).toEqual({ ...e, subjectId: null, before: null, after: null, redacted: true });
    }
  });

  it('passes every other event type through unchanged', () => {
    const hidden: string[] = [
      EventType.WEBHOOK_CREATED,
      EventType.WEBHOOK_UPDATED,
      EventType.WEBHOOK_DELETED,
      EventType.TOKEN_CREATED,
      EventType.TOKEN_REVOKED,
    ];
    for (const type of Object.values(EventType).filter((t) => !hidden.includes(t))) {
      const e = event(type, { a: 1 }, { b: 'https://x.example/y?z=1' });
      expect(eventForReader(e, 'VIEWER')).toEqual({ ...e, redacted: false });
    }
  });

  it('urlOrigin keeps scheme, host and port only, and nothing of a non-http value', () => {
    expect(urlOrigin('https://user:pw@h.example.com/p?q=1#f')).toBe('https://h.example.com');
    expect(urlOrigin('http://[::1]:9000/p')).toBe('http://[::1]:9000');
    expect(urlOrigin('ftp://h.example.com/x')).toBeNull();
    expect(urlOrigin('not a url')).toBeNull();
    expect(urlOrigin(42)).toBeNull();
  });
});
