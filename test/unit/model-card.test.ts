import { describe, expect, it } from 'vitest';
import { renderModelCard, sectionKey, toYaml, type CardData } from '../../src/operations/model-card.js';

const data = (over: Partial<CardData> = {}): CardData => ({
  version: {
    id: 'v',
    modelName: 'fraud',
    version: 3,
    semver: '1.2.0',
    stage: 'STAGING',
    source: 's3://b/m',
    checksum: 'sha256:' + 'a'.repeat(64),
    createdAt: '2024-01-01T00:00:00.000Z',
    createdBy: 'ci',
    fingerprint: null,
    framework: null,
    description: null,
    updatedAt: '2024-01-01T00:00:00.000Z',
    everProduction: false,
  },
  model: {
    id: 'm',
    name: 'fraud',
    owner: 'risk',
    owners: [],
    description: null,
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
    protectedAliases: [],
    gates: null,
  },
  modelTags: [{ key: 'task', value: 'tabular-classification' }],
  versionTags: [],
  metrics: [
    { key: 'auc', value: 0.9, segment: null },
    { key: 'auc', value: 0.8, segment: 'eu: "west"' },
  ],
  evidence: [],
  run: null,
  datasets: [],
  upstreamDatasets: [],
  sources: [],
  parents: [
    { relation: 'FINE_TUNED_FROM', kind: 'ModelVersion', node: { modelName: 'base', version: 1 } },
    {
      relation: 'DISTILLED_FROM',
      kind: 'ProviderModel',
      node: { provider: 'acme', name: 'big', providerVersion: '2' },
    },
  ],
  sections: [],
  ...over,
});

describe('model card rendering', () => {
  it('writes the Hugging Face header with per-segment results and lists the missing required sections', () => {
    const c = renderModelCard(data());
    expect(c.markdown.startsWith('---\nmodel_name: "fraud"\nlicense: "other"\n')).toBe(true);
    expect(c.markdown).toContain('base_model: "base/1"');
    expect(c.markdown).toContain('  - task:\n      type: "tabular-classification"');
    expect(c.markdown).toContain('config: "eu: \\"west\\""');
    expect(c.missing).toEqual(['intended-use', 'limitations']);
    expect(c.sections.find((s) => s.key === 'lineage')!.body).toContain('acme/big@2');
  });

  it('maps titles to keys and refuses generated ones', () => {
    expect(sectionKey('Intended use')).toBe('intended-use');
    expect(sectionKey('Intended users')).toBe('intended-use');
    expect(sectionKey('LIMITATIONS and failure modes')).toBe('limitations');
    expect(sectionKey('Ethical considerations')).toBe('ethical-considerations');
    expect(() => sectionKey('Lineage')).toThrow(/generated/);
    expect(() => sectionKey('  ')).toThrow();
  });

  it('emits block YAML', () => {
    expect(toYaml({ a: [1, 'x'], b: { c: null }, d: [] }, 0)).toBe('a:\n- 1\n- "x"\nb:\n  c: null\nd: []\n');
  });
});
