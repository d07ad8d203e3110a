/**
 * A minimal Prometheus text-format registry for Pedigree's own /metrics:
 * counters and gauges with labels, nothing more.
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

export class Metrics {
  private readonly families: Family[] = [];
  private readonly gauges: (() => void)[] = [];
  readonly httpRequests = this.family('pedigree_http_requests_total', 'HTTP requests by route and status', 'counter');
  readonly graphqlOperations = this.family('pedigree_graphql_operations_total', 'GraphQL operations by type and outcome', 'counter');
  readonly graphqlErrors = this.family('pedigree_graphql_errors_total', 'GraphQL errors by code', 'counter');

  family(name: string, help: string, type: 'counter' | 'gauge'): Family {
    const f = new Family(name, help, type);
    this.families.push(f);
    return f;
  }

  /** A gauge (or a counter kept elsewhere) read at scrape time. */
  gauge(name: string, help: string, read: () => number, type: 'counter' | 'gauge' = 'gauge'): void {
    const f = this.family(name, help, type);
    this.gauges.push(() => f.set({}, read()));
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
    return `${out.join('\n')}\n`;
  }
}
