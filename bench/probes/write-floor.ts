/**
 * Probe: the floor for write transactions on this machine. 32 concurrent
 * clients commit small write transactions straight through neo4j-driver:
 * independent nodes, then the same plus the event counter lock, then the
 * app's append-events statement (one event per transaction).
 *   npx tsx bench/probes/write-floor.ts
 */
import { startBenchDb } from '../db.js';
import { loadStatements } from '../../src/graph/cypher.js';

const db = await startBenchDb({ heapMb: 1024, pagecacheMb: 256 });
const st = loadStatements();
const append = st.get('events/append-events')!;
const variants: Record<string, string[]> = {
  create: ['CREATE (:Probe {at: datetime()})'],
  counter: ['CREATE (:Probe {at: datetime()})', "MATCH (c:Counter {name: 'events'}) SET c.value = c.value + 0"],
  append: ['CREATE (:Probe {at: datetime()})', append],
  append8: Array.from({ length: 8 }, () => ['CREATE (:Probe {at: datetime()})', append]).flat(),
};
const opsPer: Record<string, number> = { append8: 8 };
const params = {
  events: [
    {
      type: 'PROBE',
      actor: 'p',
      modelName: null,
      version: null,
      alias: null,
      subjectId: null,
      before: null,
      after: null,
    },
  ],
};
try {
  for (let round = 0; round < 2; round++) {
    for (const [name, stmts] of Object.entries(variants)) {
      const per = opsPer[name] ?? 1;
      const n = 32 * 20;
      let left = n;
      const t = Date.now();
      await Promise.all(
        Array.from({ length: Number(process.env.CLIENTS ?? 32) }, async () => {
          const s = db.driver.session({ database: 'neo4j' });
          try {
            while ((left -= per) >= 0) {
              await s.executeWrite(async (tx) => {
                for (const q of stmts) await tx.run(q, params);
              });
            }
          } finally {
            await s.close();
          }
        }),
      );
      console.log(JSON.stringify({ round, variant: name, opsPerSec: +(n / ((Date.now() - t) / 1000)).toFixed(1) }));
    }
  }
} finally {
  await db.stop();
}
