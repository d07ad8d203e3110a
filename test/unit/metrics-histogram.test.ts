import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/server/metrics.js';

describe('/metrics histograms (src/server/metrics.ts)', () => {
  it('renders cumulative buckets, +Inf, sum and count in Prometheus text format', () => {
    const m = new Metrics();
    const h = m.histogram('pedigree_test_seconds', 'A test histogram', [0.25, 0.5, 1]);
    for (const v of [0.125, 0.25, 0.375, 0.75, 4]) h.observe(v);
    const text = m.render();
    expect(text).toContain('# TYPE pedigree_test_seconds histogram');
    const lines = text.split('\n').filter((l) => l.startsWith('pedigree_test_seconds'));
    expect(lines).toEqual([
      'pedigree_test_seconds_bucket{le="0.25"} 2',
      'pedigree_test_seconds_bucket{le="0.5"} 3',
      'pedigree_test_seconds_bucket{le="1"} 4',
      'pedigree_test_seconds_bucket{le="+Inf"} 5',
      'pedigree_test_seconds_sum 5.5',
      'pedigree_test_seconds_count 5',
    ]);
  });
});
