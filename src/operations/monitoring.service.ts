import { badInput, notFound } from '../errors.js';
import type { Caller } from '../governance/policy.js';
import { unknownAfter, type ListPage } from '../paging.js';
import { ALIAS_EVENT_TYPES, appendEvent, EventType } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Executor } from '../graph/executor.js';
import type { Registry } from '../registry/registry.js';
import type { VersionRecord, VersionRef } from '../registry/types.js';

const Q = {
  setRule: statement('operations/set-monitoring-rule'),
  rules: statement('operations/monitoring-rules'),
  insert: statement('operations/insert-health-samples'),
  windows: statement('operations/rule-windows'),
  openAlert: statement('operations/open-alert'),
  resolveAlert: statement('operations/resolve-alert'),
  alerts: statement('operations/alerts'),
  rollbackTarget: statement('operations/rollback-target'),
};

export const RULE_OPS = ['GT', 'GTE', 'LT', 'LTE'] as const;
export type RuleOp = (typeof RULE_OPS)[number];
export const RULE_ACTIONS = ['ALERT', 'PROPOSE_ROLLBACK', 'ROLLBACK'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];
export const MAX_SIGNALS_PER_CALL = 5000;
/**
 * Rules per model (a new one past it is refused): bounds `monitoringRules`,
 * the alerts one ingest raises or resolves, and the work of evaluating them.
 */
export const MAX_RULES_PER_MODEL = 100;

export interface MonitoringRule {
  id: string;
  modelName: string;
  name: string;
  metric: string;
  op: RuleOp;
  threshold: number;
  forMinutes: number;
  action: RuleAction;
  /** The alias a rollback moves (e.g. "production"). */
  alias: string | null;
}

export interface AlertRecord {
  id: string;
  ruleId: string;
  ruleName: string;
  deployment: string;
  modelName: string;
  version: number;
  metric: string;
  value: number;
  state: 'OPEN' | 'RESOLVED';
  since: string;
  openedAt: string;
  resolvedAt?: string | null;
  action: RuleAction;
  rolledBackTo: number | null;
}

export interface IngestResult {
  count: number;
  raised: AlertRecord[];
  resolved: AlertRecord[];
}

export function breaches(op: RuleOp, value: number, threshold: number): boolean {
  switch (op) {
    case 'GT':
      return value > threshold;
    case 'GTE':
      return value >= threshold;
    case 'LT':
      return value < threshold;
    case 'LTE':
      return value <= threshold;
  }
}

/**
 * Evaluates a rule on a series (newest sample first): it fires when the
 * newest samples breach without a break for at least `forMinutes`, measured
 * from the first breaching sample of that run to the newest. Pure.
 */
export function evaluateRule(
  rule: Pick<MonitoringRule, 'op' | 'threshold' | 'forMinutes'>,
  newestFirst: { value: number; at: string }[],
): { firing: boolean; breaching: boolean; since: string | null; value: number | null } {
  const newest = newestFirst[0];
  if (!newest) return { firing: false, breaching: false, since: null, value: null };
  if (!breaches(rule.op, newest.value, rule.threshold))
    return { firing: false, breaching: false, since: null, value: newest.value };
  let since = newest.at;
  for (const s of newestFirst) {
    if (!breaches(rule.op, s.value, rule.threshold)) break;
    since = s.at;
  }
  const held = Date.parse(newest.at) - Date.parse(since);
  return { firing: held >= rule.forMinutes * 60_000, breaching: true, since, value: newest.value };
}

/**
 * Health signals per deployment and version, per-model rules over them, and
 * the alerts they raise (ALERT_RAISED / ALERT_RESOLVED events: subscribable
 * and delivered to webhooks through the outbox). A ROLLBACK rule moves its
 * alias back to the version it pointed to before, in the same transaction.
 */
export class MonitoringService {
  constructor(
    private readonly executor: Executor,
    private readonly registry: Pick<Registry, 'lookup' | 'aliases'>,
    /** Called after commit with each series' newest value (the app feeds /metrics with it). */
    private readonly onSample: (labels: Record<string, string>, value: number) => void = () => undefined,
  ) {}

  async setRule(
    caller: Pick<Caller, 'name'>,
    input: Omit<MonitoringRule, 'id' | 'alias'> & { alias?: string | null },
  ): Promise<MonitoringRule> {
    if (!input.name || input.name.length > 100) throw badInput('name must be 1–100 characters', { field: 'name' });
    if (!input.metric || input.metric.length > 250)
      throw badInput('metric must be 1–250 characters', { field: 'metric' });
    if (!(RULE_OPS as readonly string[]).includes(input.op))
      throw badInput(`op must be one of ${RULE_OPS.join(', ')}`, { field: 'op' });
    if (!(RULE_ACTIONS as readonly string[]).includes(input.action))
      throw badInput(`action must be one of ${RULE_ACTIONS.join(', ')}`, { field: 'action' });
    if (!Number.isFinite(input.threshold)) throw badInput('threshold must be a finite number', { field: 'threshold' });
    if (!Number.isInteger(input.forMinutes) || input.forMinutes < 0 || input.forMinutes > 10_080)
      throw badInput('forMinutes must be a whole number of minutes, 0–10080', { field: 'forMinutes' });
    if (input.action !== 'ALERT' && !input.alias)
      throw badInput(`a ${input.action} rule needs the alias to roll back (e.g. "production")`, { field: 'alias' });
    return this.executor.writeTx(async (tx) => {
      const [row] = await tx.run<{ rule: MonitoringRule; modelId: string; full: boolean }>(Q.setRule, {
        ...input,
        threshold: input.threshold * 1.0,
        alias: input.alias ?? null,
        actor: caller.name,
        maxRules: MAX_RULES_PER_MODEL,
      });
      if (!row) throw notFound(`no registered model named "${input.modelName}"`, { field: 'modelName' });
      if (row.full)
        throw badInput(`a model has at most ${MAX_RULES_PER_MODEL} monitoring rules; replace one by its name instead`, {
          field: 'name',
          limit: MAX_RULES_PER_MODEL,
        });
      await appendEvent(tx, {
        type: EventType.MONITORING_RULE_SET,
        actor: caller.name,
        modelName: input.modelName,
        subjectId: row.rule.id,
        after: { ...input },
      });
      return row.rule;
    }, 'setMonitoringRule');
  }

  async rulesOf(modelNames: readonly string[]): Promise<MonitoringRule[][]> {
    return (await this.executor.read<{ rules: MonitoringRule[] }>(Q.rules, { keys: modelNames })).map((r) => r.rules);
  }

  /** A page of alerts, newest first: `first` after the alert whose id is `after`. */
  async alerts(filter: { deployment?: string | null; state?: string | null }, page: ListPage): Promise<AlertRecord[]> {
    const [row] = await this.executor.read<{ known: boolean; alerts: AlertRecord[] }>(Q.alerts, {
      deployment: filter.deployment ?? null,
      state: filter.state ?? null,
      after: page.after,
      limit: page.first,
    });
    if (!row!.known) throw unknownAfter('alert');
    return row!.alerts;
  }

  /**
   * Stores samples, evaluates the model's rules on the ingested series, raises or resolves alerts, rolls back when a
   * rule says so.
   */
  async ingest(
    caller: Pick<Caller, 'name'>,
    input: { deployment: string; model: VersionRef; signals: { metric: string; value: number; at?: string | null }[] },
  ): Promise<IngestResult> {
    if (!input.deployment || input.deployment.length > 200)
      throw badInput('deployment must be 1–200 characters', { field: 'deployment' });
    if (input.signals.length === 0 || input.signals.length > MAX_SIGNALS_PER_CALL)
      throw badInput(`send 1–${MAX_SIGNALS_PER_CALL} signals per call`, { field: 'signals' });
    const now = new Date().toISOString();
    const samples = input.signals.map((s, i) => {
      if (!s.metric || s.metric.length > 250)
        throw badInput(`signals[${i}].metric must be 1–250 characters`, { field: 'signals.metric' });
      if (!Number.isFinite(s.value))
        throw badInput(`signals[${i}].value must be a finite number`, { field: 'signals.value' });
      const at = s.at ?? now;
      if (Number.isNaN(Date.parse(at))) throw badInput(`signals[${i}].at must be an instant`, { field: 'signals.at' });
      return { metric: s.metric, value: s.value * 1.0, at: new Date(at).toISOString() };
    });
    const metrics = [...new Set(samples.map((s) => s.metric))];
    const result = await this.executor.writeTx(
      async (tx) => {
        const v: VersionRecord = await this.registry.lookup.requireVersion(tx, input.model);
        await tx.run(Q.insert, { deployment: input.deployment, modelName: v.modelName, version: v.version, samples });
        const windows = await tx.run<{
          rule: MonitoringRule;
          samples: { value: number; at: string }[];
          openAlert: AlertRecord | null;
        }>(Q.windows, {
          modelName: v.modelName,
          metrics,
          deployment: input.deployment,
          version: v.version,
        });
        const raised: AlertRecord[] = [];
        const resolved: AlertRecord[] = [];
        const pending: Parameters<typeof appendEvent>[1][] = [];
        for (const w of windows) {
          const e = evaluateRule(w.rule, w.samples);
          if (e.firing && !w.openAlert) {
            let rolledBackTo: number | null = null;
            let proposed: number | null = null;
            if (w.rule.action !== 'ALERT' && w.rule.alias) {
              const [t] = await tx.run<{ current: VersionRecord; target: VersionRecord | null }>(Q.rollbackTarget, {
                modelName: v.modelName,
                alias: w.rule.alias,
                types: ALIAS_EVENT_TYPES,
              });
              // Only when the alias still points at the failing version, and there is a version to go back to.
              if (t?.target && t.current.version === v.version) {
                proposed = t.target.version;
                if (w.rule.action === 'ROLLBACK') {
                  await this.registry.aliases.moveAliasIn(tx, caller, t.target, w.rule.alias, {
                    eventType: EventType.ROLLBACK,
                    reason: `monitoring rule "${w.rule.name}": ${w.rule.metric} ${w.rule.op} ${w.rule.threshold} for ${w.rule.forMinutes} min on ${input.deployment}`,
                  });
                  rolledBackTo = t.target.version;
                }
              }
            }
            const [row] = await tx.run<{ alert: AlertRecord }>(Q.openAlert, {
              ruleId: w.rule.id,
              ruleName: w.rule.name,
              deployment: input.deployment,
              modelName: v.modelName,
              version: v.version,
              metric: w.rule.metric,
              value: e.value!,
              since: e.since!,
              action: w.rule.action,
              rolledBackTo,
            });
            raised.push(row!.alert);
            pending.push({
              type: EventType.ALERT_RAISED,
              actor: caller.name,
              modelName: v.modelName,
              version: v.version,
              alias: w.rule.alias,
              subjectId: row!.alert.id,
              after: {
                rule: w.rule.name,
                metric: w.rule.metric,
                op: w.rule.op,
                threshold: w.rule.threshold,
                forMinutes: w.rule.forMinutes,
                value: e.value,
                since: e.since,
                deployment: input.deployment,
                action: w.rule.action,
                proposedRollbackTo: proposed,
                rolledBackTo,
              },
            });
          } else if (!e.breaching && w.openAlert) {
            const [row] = await tx.run<{ alert: AlertRecord }>(Q.resolveAlert, { id: w.openAlert.id });
            if (row) {
              resolved.push(row.alert);
              pending.push({
                type: EventType.ALERT_RESOLVED,
                actor: caller.name,
                modelName: v.modelName,
                version: v.version,
                subjectId: row.alert.id,
                after: { rule: w.rule.name, deployment: input.deployment, value: e.value },
              });
            }
          }
        }
        for (const ev of pending) await appendEvent(tx, ev);
        await appendEvent(tx, {
          type: EventType.HEALTH_SIGNALS_INGESTED,
          actor: caller.name,
          modelName: v.modelName,
          version: v.version,
          subjectId: v.id,
          after: {
            deployment: input.deployment,
            count: samples.length,
            metrics,
            raised: raised.length,
            resolved: resolved.length,
          },
        });
        return { count: samples.length, raised, resolved, version: v };
      },
      'ingestHealthSignals',
      { alone: true },
    );
    // After commit: the newest value of each series for /metrics.
    for (const s of [...samples].sort((a, b) => a.at.localeCompare(b.at))) {
      const labels = {
        deployment: input.deployment,
        model: result.version.modelName,
        version: String(result.version.version),
        metric: s.metric,
      };
      this.onSample(labels, s.value);
    }
    return { count: result.count, raised: result.raised, resolved: result.resolved };
  }
}
