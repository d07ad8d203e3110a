/**
 * Model cards in the Hugging Face layout: a YAML header (model_name, license,
 * tags, base_model, datasets, model-index) and Markdown sections. Pure: the
 * service reads the graph once and hands the data here.
 */
import { badInput } from '../errors.js';
import type { ModelRecord, VersionRecord } from '../registry/types.js';

/** Human-written sections a version needs filled before it may enter PRODUCTION (the lifecycle gate reads this). */
export const REQUIRED_CARD_SECTIONS = ['intended-use', 'limitations'] as const;

const HUMAN_TITLES: Record<string, string> = {
  'intended-use': 'Intended use and users',
  limitations: 'Limitations and failure modes',
};

/** Generated sections, in card order after the human ones; their titles cannot be written. */
const GENERATED = {
  details: 'Model details',
  evaluation: 'Evaluation results',
  fairness: 'Fairness assessment',
  'training-data': 'Training data',
  lineage: 'Lineage',
  contact: 'Responsible team and contact',
} as const;
export const GENERATED_SECTION_COUNT = Object.keys(GENERATED).length;

export interface CardTag {
  key: string;
  value: string;
}

export interface CardDatasetVersion {
  id?: string;
  datasetName: string;
  version: string;
  hash: string | null;
  uri?: string | null;
  rowCount: number | null;
  createdAt: string | null;
  role?: string;
}

export interface CardParent {
  relation: string;
  kind: 'ModelVersion' | 'ProviderModel';
  node: Record<string, unknown>;
}

export interface CardSectionRecord {
  key: string;
  title: string;
  body: string;
  revision: number;
  at: string;
  by: string;
  scope: 'MODEL' | 'VERSION';
}

/** A run node as stored (params as a JSON object string). */
export interface StoredRun {
  id: string;
  name?: string | null;
  experiment?: string | null;
  codeRepo?: string | null;
  codeCommit?: string | null;
  environment?: string | null;
  params?: string | null;
  seeds?: number[] | null;
  status: string;
}

/** What model-card-data.cypher returns. */
export interface CardData {
  version: VersionRecord;
  model: ModelRecord;
  modelTags: CardTag[];
  versionTags: CardTag[];
  metrics: { key: string; value: number; segment: string | null }[];
  evidence: { kind: string; passed: boolean; uri: string | null; summary: string | null; by: string; at: string }[];
  run: StoredRun | null;
  datasets: CardDatasetVersion[];
  upstreamDatasets: CardDatasetVersion[];
  sources: string[];
  parents: CardParent[];
  sections: CardSectionRecord[];
}

export interface CardSection {
  key: string;
  title: string;
  body: string;
  generated: boolean;
}

export interface ModelCard {
  markdown: string;
  sections: CardSection[];
  /** Required human sections still empty. */
  missing: string[];
}

/** The section key a title writes to: the two required sections accept their short names too. */
export function sectionKey(title: string): string {
  if (typeof title !== 'string' || title.trim().length === 0 || title.length > 200) {
    throw badInput('title must be 1–200 characters', { field: 'title' });
  }
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!slug) throw badInput('title must contain letters or digits', { field: 'title' });
  if (slug.startsWith('intended-use') || slug.startsWith('intended-users')) return 'intended-use';
  if (slug.startsWith('limitations')) return 'limitations';
  for (const [key, t] of Object.entries(GENERATED)) {
    const generatedSlug = t.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    if (slug === key || slug === generatedSlug) {
      throw badInput(
        `"${t}" is generated from the graph and always current; it cannot be written (for the team and contact, set the model's owner and its "team" and "contact" tags)`,
        { field: 'title' },
      );
    }
  }
  return slug;
}

export function titleFor(key: string, given: string): string {
  return HUMAN_TITLES[key] ?? given.trim();
}

const parentName = (p: CardParent): string =>
  p.kind === 'ProviderModel'
    ? `${p.node.provider}/${p.node.name}@${p.node.providerVersion}`
    : `${p.node.modelName}/${p.node.version}`;

const tagOf = (tags: CardTag[], key: string): string | undefined => tags.find((t) => t.key === key)?.value;

export function renderModelCard(d: CardData): ModelCard {
  const v = d.version;
  const m = d.model;
  const tags = [...d.modelTags, ...d.versionTags];
  const tag = (k: string) => tagOf(d.versionTags, k) ?? tagOf(d.modelTags, k);
  const bases = d.parents.filter((p) => p.relation === 'FINE_TUNED_FROM');
  const teachers = d.parents.filter((p) => p.relation === 'DISTILLED_FROM');
  const others = d.parents.filter((p) => p.relation !== 'FINE_TUNED_FROM' && p.relation !== 'DISTILLED_FROM');
  // A version's own section overrides the model-wide one of the same key.
  const human = new Map<string, CardSectionRecord>();
  for (const s of d.sections) {
    const cur = human.get(s.key);
    if (!cur || (s.scope === 'VERSION' && cur.scope === 'MODEL')) human.set(s.key, s);
  }
  const filled = (key: string) => (human.get(key)?.body.trim() ?? '') !== '';

  const sections: CardSection[] = [];
  sections.push({ key: 'details', title: GENERATED.details, generated: true, body: details(d) });
  for (const key of REQUIRED_CARD_SECTIONS) {
    const s = human.get(key);
    sections.push({
      key,
      title: HUMAN_TITLES[key]!,
      generated: false,
      body:
        s && filled(key)
          ? s.body.trim()
          : `_Not written yet: required before PRODUCTION (setModelCardSection, title "${HUMAN_TITLES[key]}")._`,
    });
  }
  sections.push({ key: 'evaluation', title: GENERATED.evaluation, generated: true, body: evaluation(d) });
  sections.push({ key: 'fairness', title: GENERATED.fairness, generated: true, body: fairness(d) });
  sections.push({ key: 'training-data', title: GENERATED['training-data'], generated: true, body: trainingData(d) });
  sections.push({
    key: 'lineage',
    title: GENERATED.lineage,
    generated: true,
    body: lineage(d, bases, teachers, others),
  });
  sections.push({ key: 'contact', title: GENERATED.contact, generated: true, body: contact(d, tag) });
  for (const s of [...human.values()]
    .filter((s) => !(REQUIRED_CARD_SECTIONS as readonly string[]).includes(s.key))
    .sort((a, b) => a.at.localeCompare(b.at))) {
    if (s.body.trim()) sections.push({ key: s.key, title: s.title, generated: false, body: s.body.trim() });
  }

  const overall = d.metrics.filter((x) => x.segment === null);
  const segments = [...new Set(d.metrics.filter((x) => x.segment !== null).map((x) => x.segment!))];
  const evalDataset = d.datasets.find((x) => x.role === 'test') ?? d.datasets.find((x) => x.role === 'validation');
  const taskType = tag('task') ?? 'other';
  const datasetRef = evalDataset
    ? { name: evalDataset.datasetName, type: evalDataset.datasetName, revision: evalDataset.version }
    : { name: 'evaluation', type: 'evaluation' };
  const results = [
    ...(overall.length
      ? [
          {
            task: { type: taskType },
            dataset: datasetRef,
            metrics: overall.map((x) => ({ type: x.key, value: x.value, name: x.key })),
          },
        ]
      : []),
    ...segments.map((seg) => ({
      task: { type: taskType },
      dataset: { ...datasetRef, name: `${datasetRef.name} (segment: ${seg})`, config: seg },
      metrics: d.metrics
        .filter((x) => x.segment === seg)
        .map((x) => ({ type: x.key, value: x.value, name: `${x.key} (${seg})` })),
    })),
  ];
  const baseNames = bases.map(parentName);
  const header: Record<string, unknown> = {
    model_name: m.name,
    license: tag('license') ?? 'other',
    tags: [
      ...new Set(
        tags
          .filter((t) => t.key !== 'license')
          .map((t) => (t.value === '' || t.value === 'true' ? t.key : `${t.key}:${t.value}`)),
      ),
    ],
    ...(baseNames.length ? { base_model: baseNames.length === 1 ? baseNames[0] : baseNames } : {}),
    datasets: [...new Set(d.datasets.map((x) => x.datasetName))],
    'model-index': [{ name: m.name, results }],
  };
  const markdown = `---\n${toYaml(header, 0)}---\n\n# ${m.name} (version ${v.version})\n\n${sections.map((s) => `## ${s.title}\n\n${s.body}\n`).join('\n')}`;
  return { markdown, sections, missing: REQUIRED_CARD_SECTIONS.filter((k) => !filled(k)) };
}

function details(d: CardData): string {
  const v = d.version;
  const rows: [string, unknown][] = [
    ['Model', d.model.name],
    ['Version', `${v.version} (${v.semver})`],
    ['Stage', v.stage],
    ['Description', v.description ?? d.model.description],
    ['Framework', v.framework],
    ['Artifact', v.source],
    ['Checksum', v.checksum],
    ['Fingerprint', v.fingerprint],
    ['Registered', `${v.createdAt} by ${v.createdBy}`],
  ];
  return rows
    .filter(([, x]) => x !== null && x !== undefined && x !== '')
    .map(([k, x]) => `- **${k}:** ${String(x)}`)
    .join('\n');
}

function evaluation(d: CardData): string {
  if (d.metrics.length === 0) return '_No metrics recorded for this version._';
  const overall = d.metrics.filter((x) => x.segment === null);
  const segmented = d.metrics.filter((x) => x.segment !== null);
  const out: string[] = [];
  if (overall.length)
    out.push('Overall:\n\n| metric | value |\n| --- | --- |', ...overall.map((x) => `| ${cell(x.key)} | ${x.value} |`));
  if (segmented.length) {
    if (out.length) out.push('');
    out.push(
      'By segment:\n\n| segment | metric | value |\n| --- | --- | --- |',
      ...segmented.map((x) => `| ${cell(x.segment!)} | ${cell(x.key)} | ${x.value} |`),
    );
  }
  return out.join('\n');
}

function fairness(d: CardData): string {
  const checks = d.evidence.filter((e) => e.kind === 'FAIRNESS_CHECK');
  if (checks.length === 0) return '_No fairness assessment recorded (FAIRNESS_CHECK evidence)._';
  const passed = checks.filter((c) => c.passed).length;
  return [
    `${passed} of ${checks.length} fairness check${checks.length === 1 ? '' : 's'} passed.`,
    '',
    ...checks.map(
      (c) =>
        `- ${c.passed ? 'Passed' : 'Failed'} (${c.at}, ${c.by})${c.summary ? `: ${c.summary}` : ''}${c.uri ? ` — ${c.uri}` : ''}`,
    ),
  ].join('\n');
}

function trainingData(d: CardData): string {
  if (!d.run) return '_No training run recorded for this version._';
  if (d.datasets.length === 0) return '_The training run records no datasets._';
  const out = ['| dataset | version | role | rows | hash |', '| --- | --- | --- | --- | --- |'];
  for (const x of d.datasets)
    out.push(
      `| ${cell(x.datasetName)} | ${cell(x.version)} | ${x.role ?? ''} | ${x.rowCount ?? 'unknown'} | ${x.hash ?? ''} |`,
    );
  const train = d.datasets.filter((x) => x.role === 'train');
  const rows =
    train.every((x) => x.rowCount !== null) && train.length ? train.reduce((a, x) => a + (x.rowCount ?? 0), 0) : null;
  const dates = d.upstreamDatasets
    .map((x) => x.createdAt)
    .filter((x): x is string => !!x)
    .sort();
  out.push('');
  if (rows !== null) out.push(`- **Training rows:** ${rows}`);
  if (dates.length)
    out.push(
      `- **Date range:** ${dates[0]} – ${dates[dates.length - 1]} (dataset versions in the lineage, ${d.upstreamDatasets.length} in all)`,
    );
  const upstream = d.upstreamDatasets.filter(
    (u) => !d.datasets.some((x) => x.datasetName === u.datasetName && x.version === u.version),
  );
  if (upstream.length)
    out.push(`- **Derived from:** ${upstream.map((u) => `${u.datasetName}@${u.version}`).join(', ')}`);
  out.push(d.sources.length ? `- **Raw sources:** ${d.sources.join(', ')}` : '- **Raw sources:** none recorded');
  return out.join('\n');
}

function lineage(d: CardData, bases: CardParent[], teachers: CardParent[], others: CardParent[]): string {
  const out: string[] = [];
  out.push(
    `- **Base model:** ${bases.length ? bases.map(parentName).join(', ') : 'none (trained from scratch or not recorded)'}`,
  );
  out.push(`- **Teachers (distillation):** ${teachers.length ? teachers.map(parentName).join(', ') : 'none'}`);
  for (const o of others) out.push(`- **${o.relation.toLowerCase().replace(/_/g, ' ')}:** ${parentName(o)}`);
  if (d.run) {
    const r = d.run;
    out.push(
      `- **Training run:** ${r.name ?? r.id} (${r.status}${r.experiment ? `, experiment ${r.experiment}` : ''})`,
    );
    if (r.codeCommit) out.push(`- **Code:** ${r.codeRepo ? `${r.codeRepo} @ ` : ''}${r.codeCommit}`);
    if (r.environment) out.push(`- **Environment:** ${r.environment}`);
  } else out.push('- **Training run:** not recorded');
  return out.join('\n');
}

function contact(d: CardData, tag: (k: string) => string | undefined): string {
  const owners: string[] = d.model.owners ?? [];
  const out = [
    `- **Owner:** ${d.model.owner ?? 'not set'}`,
    ...(owners.length ? [`- **Owners:** ${owners.join(', ')}`] : []),
    `- **Team:** ${tag('team') ?? 'not set (tag "team")'}`,
    `- **Contact:** ${tag('contact') ?? 'not set (tag "contact")'}`,
  ];
  return out.join('\n');
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A small YAML emitter: strings double-quoted (JSON escapes are valid YAML), block style. */
export function toYaml(value: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]\n';
    return value
      .map((item) => {
        if (isObject(item) || Array.isArray(item)) {
          const inner = toYaml(item, indent + 2);
          return `${pad}- ${inner.slice(indent + 2)}`;
        }
        return `${pad}- ${scalar(item)}\n`;
      })
      .join('');
  }
  if (isObject(value)) {
    return Object.entries(value)
      .map(([k, v]) => {
        const key = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k);
        if (Array.isArray(v)) return v.length === 0 ? `${pad}${key}: []\n` : `${pad}${key}:\n${toYaml(v, indent)}`;
        if (isObject(v))
          return Object.keys(v).length === 0 ? `${pad}${key}: {}\n` : `${pad}${key}:\n${toYaml(v, indent + 2)}`;
        return `${pad}${key}: ${scalar(v)}\n`;
      })
      .join('');
  }
  return `${pad}${scalar(value)}\n`;
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
  if (typeof v === 'boolean') return String(v);
  return JSON.stringify(String(v));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
