import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { gql } from '../api';
import { href, useTitle } from '../router';
import { ErrorBox, StageBadge, useAsync } from '../ui';

const Q = `query Analytics($period: AnalyticsPeriod!, $from: DateTime, $modelName: String) {
  versionCountsByStage(modelName: $modelName) { stage count }
  versionsRegistered(period: $period, from: $from, modelName: $modelName, first: 500) {
    totalCount edges { node { periodStart modelName count } } pageInfo { hasNextPage }
  }
  aliasActivity(period: $period, from: $from, modelName: $modelName, first: 500) {
    edges { node { periodStart moves rollbacks } }
  }
  predictionVolume(from: $from, modelName: $modelName, first: 500) {
    totalCount edges { node { periodStart modelName version count } } pageInfo { hasNextPage }
  }
  promotionLeadTime(from: $from, modelName: $modelName) { count p50Seconds p90Seconds p95Seconds maxSeconds }
  timeInStage(from: $from, modelName: $modelName) { stage count p50Seconds p90Seconds p95Seconds maxSeconds }
}`;
const STALE = `query Stale($days: Int!, $first: Int, $after: String) {
  staleProductionModels(olderThanDays: $days, first: $first, after: $after) {
    totalCount edges { node { modelName version stage newestDataAt dataAgeDays datasets } } pageInfo { hasNextPage endCursor }
  }
}`;

interface Pct {
  count: number;
  p50Seconds: number | null;
  p90Seconds: number | null;
  p95Seconds: number | null;
  maxSeconds: number | null;
}
interface Data {
  versionCountsByStage: { stage: string; count: number }[];
  versionsRegistered: {
    totalCount: number;
    edges: { node: { periodStart: string; modelName: string; count: number } }[];
    pageInfo: { hasNextPage: boolean };
  };
  aliasActivity: { edges: { node: { periodStart: string; moves: number; rollbacks: number } }[] };
  predictionVolume: {
    totalCount: number;
    edges: { node: { periodStart: string; modelName: string; version: number; count: number } }[];
    pageInfo: { hasNextPage: boolean };
  };
  promotionLeadTime: Pct;
  timeInStage: (Pct & { stage: string })[];
}

const COLORS = ['#2563eb', '#c026d3', '#ea580c', '#0d9488', '#ca8a04', '#dc2626', '#4f46e5', '#16a34a'];
const day = (iso: string) => iso.slice(0, 10);

export function duration(s: number | null): string {
  if (s === null) return '—';
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

/** Buckets × series → rows for a stacked bar chart; at most `top` series, the rest summed as "other". */
function pivot<T extends { periodStart: string; count: number }>(rows: T[], series: (r: T) => string, top = 8) {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(series(r), (totals.get(series(r)) ?? 0) + r.count);
  const keep = new Set(
    [...totals]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k]) => k),
  );
  const byDay = new Map<string, Record<string, number | string>>();
  for (const r of rows) {
    const k = keep.has(series(r)) ? series(r) : 'other';
    const row = byDay.get(day(r.periodStart)) ?? { period: day(r.periodStart) };
    row[k] = ((row[k] as number | undefined) ?? 0) + r.count;
    byDay.set(day(r.periodStart), row);
  }
  const names = [...keep, ...(totals.size > keep.size ? ['other'] : [])];
  return { data: [...byDay.values()], names };
}

export function Analytics() {
  useTitle('Analytics');
  const [period, setPeriod] = useState<'DAY' | 'WEEK'>('DAY');
  const [days, setDays] = useState(30);
  const [modelName, setModelName] = useState('');
  const [model, setModel] = useState('');
  const from = new Date(Date.now() - days * 86_400_000).toISOString();
  const { data, error } = useAsync(
    () => gql<Data>(Q, { period, from, modelName: model || null }),
    [period, days, model],
  );
  const registered = data
    ? pivot(
        data.versionsRegistered.edges.map((e) => e.node),
        (r) => r.modelName,
      )
    : null;
  const predictions = data
    ? pivot(
        data.predictionVolume.edges.map((e) => e.node),
        (r) => `${r.modelName} v${r.version}`,
      )
    : null;
  const activity = data?.aliasActivity.edges.map((e) => ({
    period: day(e.node.periodStart),
    moves: e.node.moves - e.node.rollbacks,
    rollbacks: e.node.rollbacks,
  }));

  return (
    <section>
      <h1>Analytics</h1>
      <form
        className="controls"
        onSubmit={(e) => {
          e.preventDefault();
          setModel(modelName.trim());
        }}
      >
        <label>
          window{' '}
          <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {[7, 30, 90, 365].map((d) => (
              <option key={d} value={d}>
                last {d} days
              </option>
            ))}
          </select>
        </label>
        <label>
          per{' '}
          <select value={period} onChange={(e) => setPeriod(e.target.value as 'DAY' | 'WEEK')}>
            <option value="DAY">day</option>
            <option value="WEEK">week</option>
          </select>
        </label>
        <input
          placeholder="all models (or one model's name)"
          value={modelName}
          onChange={(e) => setModelName(e.target.value)}
          aria-label="model filter"
        />
        <button type="submit">apply</button>
      </form>
      <ErrorBox error={error} />
      {data && (
        <div className="charts">
          <div className="panel">
            <h2>Versions by stage</h2>
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={data.versionCountsByStage}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="stage" fontSize={11} />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Bar dataKey="count" fill="#2563eb" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <div className="panel">
            <h2>Versions registered per {period.toLowerCase()}</h2>
            {data.versionsRegistered.pageInfo.hasNextPage && (
              <p className="muted small">showing the first 500 buckets</p>
            )}
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={registered!.data}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="period" fontSize={11} />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Legend />
                {registered!.names.map((n, i) => (
                  <Bar key={n} dataKey={n} stackId="a" fill={COLORS[i % COLORS.length]} isAnimationActive={false} />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </div>
          <div className="panel">
            <h2>Alias moves per {period.toLowerCase()}</h2>
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={activity}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="period" fontSize={11} />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Legend />
                <Bar dataKey="moves" stackId="a" fill="#0d9488" isAnimationActive={false} />
                <Bar dataKey="rollbacks" stackId="a" fill="#dc2626" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <div className="panel">
            <h2>Predictions logged per day</h2>
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={predictions!.data}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="period" fontSize={11} />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Legend />
                {predictions!.names.map((n, i) => (
                  <Bar key={n} dataKey={n} stackId="a" fill={COLORS[i % COLORS.length]} isAnimationActive={false} />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </div>
          <div className="panel">
            <h2>
              Promotion lead time <span className="muted small">first STAGING → PRODUCTION</span>
            </h2>
            <PctTable rows={[{ label: `${data.promotionLeadTime.count} promotions`, ...data.promotionLeadTime }]} />
            <h2>
              Time in stage <span className="muted small">completed stays</span>
            </h2>
            <PctTable rows={data.timeInStage.map((s) => ({ label: <StageBadge stage={s.stage} />, ...s }))} />
            <ResponsiveContainer width="100%" height={180}>
              <BarChart
                data={data.timeInStage.map((s) => ({
                  stage: s.stage,
                  p50: (s.p50Seconds ?? 0) / 3600,
                  p90: (s.p90Seconds ?? 0) / 3600,
                }))}
              >
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="stage" fontSize={11} />
                <YAxis unit=" h" fontSize={11} />
                <Tooltip formatter={(v) => `${Number(v).toFixed(2)} h`} />
                <Legend />
                <Bar dataKey="p50" fill="#4f46e5" isAnimationActive={false} />
                <Bar dataKey="p90" fill="#a5b4fc" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <Stale />
        </div>
      )}
    </section>
  );
}

function PctTable({ rows }: { rows: (Pct & { label: React.ReactNode })[] }) {
  return (
    <table>
      <thead>
        <tr>
          <th></th>
          <th>n</th>
          <th>p50</th>
          <th>p90</th>
          <th>p95</th>
          <th>max</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            <td>{r.label}</td>
            <td>{r.count}</td>
            <td>{duration(r.p50Seconds)}</td>
            <td>{duration(r.p90Seconds)}</td>
            <td>{duration(r.p95Seconds)}</td>
            <td>{duration(r.maxSeconds)}</td>
          </tr>
        ))}
        {rows.length === 0 && (
          <tr>
            <td colSpan={6} className="muted">
              nothing in this window
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

function Stale() {
  const [days, setDays] = useState(90);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors.at(-1) ?? null;
  const { data, error } = useAsync(
    () =>
      gql<{
        staleProductionModels: {
          totalCount: number;
          edges: {
            node: {
              modelName: string;
              version: number;
              stage: string;
              newestDataAt: string;
              dataAgeDays: number;
              datasets: string[];
            };
          }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      }>(STALE, { days, first: 20, after }),
    [days, after],
  );
  const page = data?.staleProductionModels;
  return (
    <div className="panel">
      <h2>
        Production trained on data older than{' '}
        <input
          type="number"
          min={0}
          value={days}
          onChange={(e) => {
            setDays(Number(e.target.value) || 0);
            setCursors([null]);
          }}
          style={{ width: '5em' }}
          aria-label="days"
        />{' '}
        days
      </h2>
      <ErrorBox error={error} />
      {page && (
        <table>
          <thead>
            <tr>
              <th>model</th>
              <th>version</th>
              <th>newest training data</th>
              <th>age</th>
              <th>datasets</th>
            </tr>
          </thead>
          <tbody>
            {page.edges.map(({ node: r }) => (
              <tr key={`${r.modelName}/${r.version}`}>
                <td>
                  <a href={href.model(r.modelName)}>{r.modelName}</a>
                </td>
                <td>v{r.version}</td>
                <td>{day(r.newestDataAt)}</td>
                <td>{r.dataAgeDays.toFixed(0)} d</td>
                <td className="small">{r.datasets.join(', ')}</td>
              </tr>
            ))}
            {page.edges.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  none
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {page?.pageInfo.hasNextPage && (
        <button onClick={() => setCursors((c) => [...c, page.pageInfo.endCursor])}>next →</button>
      )}
      {cursors.length > 1 && <button onClick={() => setCursors((c) => c.slice(0, -1))}>← previous</button>}
    </div>
  );
}
