/**
 * A minimal Prometheus text-format registry for Pedigree's own /metrics:
 * counters and gauges with labels, and histograms without labels.
 */
type Labels = Record<string, string>;

class Family {
  readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = JSON.stringify(labels);
    const cur = this.values.get(key);
    if (cur) cur.value += by;
    else this.values.set(key, { labels, value: by });
  }
  set(labels: Labels, value: number): void {
    this.values.set(JSON.stringify(labels), { labels, value });
  }
}

/**
 * A Prometheus histogram (cumulative `_bucket{le}` counts, `_sum`, `_count`):
 * operators read its quantiles with `histogram_quantile(0.99, rate(…_bucket[5m]))`.
 */
export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    /** Upper bounds, increasing; `+Inf` is implied. */
    readonly bounds: readonly number[],
  ) {
    this.counts = bounds.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.bounds.length; i++) if (value <= this.bounds[i]!) this.counts[i]!++;
  }

  render(): string[] {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} histogram`,
      ...this.bounds.map((b, i) => `${this.name}_bucket{le="${b}"} ${this.counts[i]}`),
      `${this.name}_bucket{le="+Inf"} ${this.count}`,
      `${this.name}_sum ${this.sum}`,
      `${this.name}_count ${this.count}`,
    ];
  }
}

/** Bucket bounds (seconds) for waits and transactions: 0.5 ms to 10 s. */
export const SECONDS_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10,
];

export class Metrics {
  private readonly families: Family[] = [];
  private readonly histograms: Histogram[] = [];
  private readonly gauges: (() => void)[] = [];
  readonly httpRequests = this.family('pedigree_http_requests_total', 'HTTP requests by route and status', 'counter');
  readonly graphqlOperations = this.family(
    'pedigree_graphql_operations_total',
    'GraphQL operations by type and outcome',
    'counter',
  );
  readonly graphqlErrors = this.family('pedigree_graphql_errors_total', 'GraphQL errors by code', 'counter');

  family(name: string, help: string, type: 'counter' | 'gauge'): Family {
    const f = new Family(name, help, type);
    this.families.push(f);
    return f;
  }

  histogram(name: string, help: string, bounds: readonly number[] = SECONDS_BUCKETS): Histogram {
    const h = new Histogram(name, help, bounds);
    this.histograms.push(h);
    return h;
  }

  /** A gauge (or a counter kept elsewhere) read at scrape time. */
  gauge(name: string, help: string, read: () => number, type: 'counter' | 'gauge' = 'gauge'): void {
    const f = this.family(name, help, type);
    this.gauges.push(() => f.set({}, read()));
  }

  /** A gauge family read at scrape time, one value per label set (e.g. one per cache). */
  labelledGauge(name: string, help: string, read: () => [Record<string, string>, number][]): void {
    const f = this.family(name, help, 'gauge');
    this.gauges.push(() => {
      for (const [labels, value] of read()) f.set(labels, value);
    });
  }

  render(): string {
    for (const g of this.gauges) g();
    const out: string[] = [];
    for (const f of this.families) {
      out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
      for (const { labels, value } of f.values.values()) {
        const l = Object.entries(labels)
          .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
          .join(',');
        out.push(`${f.name}${l ? `{${l}}` : ''} ${value}`);
      }
    }
    for (const h of this.histograms) out.push(...h.render());
    return `${out.join('\n')}\n`;
  }
}
