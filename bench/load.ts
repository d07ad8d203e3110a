/**
 * The load client: closed-loop workers over keep-alive HTTP, latency
 * percentiles, and CPU accounting for this process (process.cpuUsage) and for
 * the processes under test (/proc/<pid>/stat, summed over a process group).
 */
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface Sample {
  ops: number;
  errors: number;
  wallMs: number;
  opsPerSec: number;
  p50: number;
  p99: number;
  max: number;
  /** This process's CPU over the window, as a share of ONE core (1.0 = a full core). */
  clientCpu: number;
  /** CPU of the watched processes over the window, share of one core each. */
  cpu: Record<string, number>;
  /** Free-form per-request observations (e.g. node counts returned). */
  extra?: Record<string, number>;
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export function median(xs: readonly number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

// ------------------------------------------------------------ CPU of other processes

const CLK_TCK = 100;

/** utime+stime in seconds of one pid, or of every process in a process group (pgid). */
export function cpuSeconds(target: { pid?: number; pgid?: number }): number {
  const read = (pid: number | string) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // after "pid (comm) ": state=0 ppid=1 pgrp=2 ... utime=11 stime=12
      return { pgrp: Number(f[2]), cpu: (Number(f[11]) + Number(f[12])) / CLK_TCK };
    } catch {
      return null;
    }
  };
  if (target.pid) return read(target.pid)?.cpu ?? 0;
  let sum = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = read(entry);
    if (s && s.pgrp === target.pgid) sum += s.cpu;
  }
  return sum;
}

export type Watched = Record<string, { pid?: number; pgid?: number }>;

// ------------------------------------------------------------ HTTP

export class HttpClient {
  readonly agent: Agent;
  constructor(maxSockets = 64) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  send(
    method: 'GET' | 'POST',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: any; text: string; headers: IncomingHttpHeaders }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: any = null;
            try {
              json = text ? JSON.parse(text) : null;
            } catch {
              json = { nonJson: text.slice(0, 200) };
            }
            resolve({ status: res.statusCode ?? 0, json, text, headers: res.headers });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

// ------------------------------------------------------------ closed-loop load

export interface LoadOptions {
  concurrency: number;
  /** Stop after this long (ms)… */
  durationMs?: number;
  /** …or after this many operations in total. */
  total?: number;
  watch?: Watched;
}

/**
 * Runs `op(worker, i)` from `concurrency` workers back to back. `op` returns
 * true on success (false or a throw counts as an error) or an object of
 * numbers to average into `extra`.
 */
export async function runLoad(
  opts: LoadOptions,
  op: (worker: number, i: number) => Promise<boolean | Record<string, number>>,
): Promise<Sample & { latencies: number[]; errorMessages: string[] }> {
  const latencies: number[] = [];
  const errorMessages: string[] = [];
  const extras: Record<string, number[]> = {};
  let errors = 0;
  let issued = 0;
  const watch = opts.watch ?? {};
  const cpu0 = Object.fromEntries(Object.entries(watch).map(([k, t]) => [k, cpuSeconds(t)]));
  const client0 = process.cpuUsage();
  const start = performance.now();
  const deadline = opts.durationMs ? start + opts.durationMs : Infinity;
  const total = opts.total ?? Infinity;

  await Promise.all(
    Array.from({ length: opts.concurrency }, async (_, w) => {
      while (performance.now() < deadline && issued < total) {
        const i = issued++;
        const t = performance.now();
        try {
          const r = await op(w, i);
          const dt = performance.now() - t;
          if (r === false) {
            errors++;
          } else {
            latencies.push(dt);
            if (typeof r === 'object') for (const [k, v] of Object.entries(r)) (extras[k] ??= []).push(v);
          }
        } catch (err) {
          errors++;
          if (errorMessages.length < 5) errorMessages.push(String((err as Error)?.message ?? err).slice(0, 300));
        }
      }
    }),
  );
  const wallMs = performance.now() - start;
  const c = process.cpuUsage(client0);
  const wallS = wallMs / 1000;
  const cpu = Object.fromEntries(Object.entries(watch).map(([k, t]) => [k, (cpuSeconds(t) - cpu0[k]!) / wallS]));
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    ops: latencies.length,
    errors,
    wallMs,
    opsPerSec: latencies.length / wallS,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? NaN,
    clientCpu: (c.user + c.system) / 1e6 / wallS,
    cpu,
    extra: Object.keys(extras).length
      ? Object.fromEntries(Object.entries(extras).map(([k, v]) => [k, median(v)]))
      : undefined,
    latencies,
    errorMessages,
  };
}
