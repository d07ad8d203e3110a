import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { appendEvent } from '../../src/events/event-log.js';
import { SLOW_SUBSCRIBER_CLOSE } from '../../src/server/ws-codes.js';
import { gqlOk, TEST_ADMIN_TOKEN, uniq, wsClient } from '../support/graphql.js';
import { collect } from '../support/events.js';
import { startTestServer, type TestServer } from '../support/server.js';

const BIG =
  'subscription ($after: String, $types: [String!]) { registryEvents(after: $after, types: $types) { sequence after } }';
const SMALL =
  'subscription ($after: String, $types: [String!]) { registryEvents(after: $after, types: $types) { sequence } }';

describe('events: back-pressure', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ PEDIGREE_EVENT_POLL_MS: '50', PEDIGREE_WS_MAX_QUEUED_EVENTS: '16' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it(`closes a subscriber that stops reading with ${SLOW_SUBSCRIBER_CLOSE}, slows no one else, and it resumes with after`, async () => {
    const type = `TEST_BIG_${uniq('x').slice(2).toUpperCase()}`;
    const start = (await gqlOk(t.url, '{ serverInfo { lastSequence } }')).serverInfo.lastSequence;
    const total = 300;

    // The slow one speaks graphql-transport-ws over a raw socket so the test can stop reading.
    const slow = new WebSocket(t.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const messages: any[] = [];
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      slow.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    const acked = new Promise<void>((resolve) =>
      slow.on('message', (data) => {
        const m = JSON.parse(String(data));
        if (m.type === 'connection_ack') resolve();
        else messages.push(m);
      }),
    );
    await new Promise((r) => slow.once('open', r));
    slow.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } }));
    await acked;
    slow.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: { query: BIG, variables: { after: start, types: [type] } },
      }),
    );
    (slow as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();

    const fast = wsClient(t.url);
    try {
      const others = collect(fast, SMALL, { after: start, types: [type] }, (d) => d.registryEvents.sequence);
      const blob = 'x'.repeat(64 * 1024);
      const written: string[] = [];
      for (let b = 0; b < total / 50; b++) {
        const batch = await t.app.executor.writeTx(async (tx) => {
          const out: string[] = [];
          for (let i = 0; i < 50; i++)
            out.push((await appendEvent(tx, { type, actor: 'test', after: { blob } })).sequence);
          return out;
        }, 'test:big-events');
        written.push(...batch);
      }
      // Mutations were not held up by the stuck reader, and other subscribers get everything.
      expect(await others.until(total)).toEqual(written);
      while (t.server.http.ws.slowClosures === 0) await new Promise((r) => setTimeout(r, 20));

      (slow as unknown as { _socket: { resume(): void } })._socket.resume();
      const { code, reason } = await closed;
      expect(code).toBe(SLOW_SUBSCRIBER_CLOSE);
      expect(reason).toMatch(/^subscriber too slow: .*after$/);
      expect(reason).not.toContain('\n');
      const seen = messages
        .filter((m) => m.type === 'next')
        .map((m) => m.payload.data.registryEvents.sequence as string);
      expect(seen.length).toBeLessThan(total);
      expect(seen).toEqual(written.slice(0, seen.length));

      // Resuming from the last event it saw gives exactly the rest.
      const resumed = collect(
        fast,
        SMALL,
        { after: seen.at(-1) ?? start, types: [type] },
        (d) => d.registryEvents.sequence,
      );
      expect(await resumed.until(total - seen.length)).toEqual(written.slice(seen.length));
    } finally {
      await fast.dispose();
      slow.terminate();
    }
  });
});
