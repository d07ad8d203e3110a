import { describe, expect, it } from 'vitest';
import { runScript } from '../support/main-process.js';

/**
 * Keeps `npm run soak` from rotting: a short run with ten subscribers. Its
 * own checks decide (gap-free log, every subscriber and webhook got every
 * event once, no failed request); memory is reported but not judged, a
 * trend needs the full 20 minutes (BENCHMARKS.md).
 */
describe('soak smoke', () => {
  it('npm run soak -- --seconds 20 passes its checks', { timeout: 400_000 }, async () => {
    const { code, out } = await runScript('soak', [
      '--seconds',
      '20',
      '--subscribers',
      '10',
      '--no-memory-check',
      '--no-results',
    ]);
    expect(out).toMatch(/ok {4}event log gap-free/);
    expect(out).toMatch(/ok {4}every subscriber got every event once, in order: 10 subscribers/);
    expect(out).toMatch(/ok {4}every webhook delivered exactly once per event id/);
    expect(code, out).toBe(0);
  });
});
