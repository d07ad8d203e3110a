/**
 * For probes: a pino destination that collects the executor's debug lines
 * ("cypher", with `statement` and `ms`) into times per statement name.
 */
import { Writable } from 'node:stream';

export function cypherTimes(): { sink: Writable; times: Map<string, number[]> } {
  const times = new Map<string, number[]>();
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        const e = JSON.parse(line) as { msg?: string; statement?: string; ms?: number };
        if (e.msg === 'cypher' && e.statement && e.ms !== undefined)
          times.set(e.statement, [...(times.get(e.statement) ?? []), e.ms]);
      }
      done();
    },
  });
  return { sink, times };
}
