import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('config', () => {
  it('has defaults for every variable', () => {
    const c = loadConfig({});
    expect(c.port).toBe(4000);
    expect(c.neo4j.uri).toBeUndefined();
    expect(c.neo4j.database).toBe('neo4j');
    expect(c.introspection).toBe(true);
  });

  it('turns introspection off in production unless asked', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).introspection).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', PEDIGREE_INTROSPECTION: 'true' }).introspection).toBe(true);
  });

  it('reads the artifact limits: 2 GiB a file, 50 GiB a principal, no store total, 1 GiB kept free; 0 turns a quota off', () => {
    expect(loadConfig({}).artifacts).toEqual({ maxFileBytes: 2 ** 31, principalQuotaBytes: 50 * 2 ** 30, storeQuotaBytes: 0, minFreeBytes: 2 ** 30 });
    expect(loadConfig({ PEDIGREE_ARTIFACT_QUOTA_BYTES: '0', PEDIGREE_ARTIFACT_STORE_QUOTA_BYTES: '1000' }).artifacts).toMatchObject({ principalQuotaBytes: 0, storeQuotaBytes: 1000 });
    expect(() => loadConfig({ PEDIGREE_ARTIFACT_MAX_FILE_BYTES: '0' })).toThrow(/PEDIGREE_ARTIFACT_MAX_FILE_BYTES must be an integer/);
  });

  it('lists every problem at once', () => {
    const attempt = () => loadConfig({ PORT: 'x', NEO4J_URI: 'http://nope', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(/PORT must be an integer/);
    expect(attempt).toThrow(/LOG_LEVEL must be one of/);
    expect(attempt).toThrow(/NEO4J_URI must be a bolt/);
  });
});
