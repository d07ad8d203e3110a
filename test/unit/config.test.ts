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
    expect(loadConfig({}).artifacts).toEqual({
      maxFileBytes: 2 ** 31,
      principalQuotaBytes: 50 * 2 ** 30,
      storeQuotaBytes: 0,
      minFreeBytes: 2 ** 30,
    });
    expect(
      loadConfig({ PEDIGREE_ARTIFACT_QUOTA_BYTES: '0', PEDIGREE_ARTIFACT_STORE_QUOTA_BYTES: '1000' }).artifacts,
    ).toMatchObject({ principalQuotaBytes: 0, storeQuotaBytes: 1000 });
    expect(() => loadConfig({ PEDIGREE_ARTIFACT_MAX_FILE_BYTES: '0' })).toThrow(
      /PEDIGREE_ARTIFACT_MAX_FILE_BYTES must be an integer/,
    );
  });

  it('PEDIGREE_PROTECTED_ALIASES: production and champion unless set; set empty, none; names checked like aliases', () => {
    expect(loadConfig({}).protectedAliases).toEqual(['production', 'champion']);
    expect(loadConfig({ PEDIGREE_PROTECTED_ALIASES: '' }).protectedAliases).toEqual([]);
    expect(loadConfig({ PEDIGREE_PROTECTED_ALIASES: ' prod , gold,prod ' }).protectedAliases).toEqual(['prod', 'gold']);
    for (const bad of ['latest', '3', 'v2', 'has space'])
      expect(() => loadConfig({ PEDIGREE_PROTECTED_ALIASES: `ok,${bad}` })).toThrow(
        /PEDIGREE_PROTECTED_ALIASES must be/,
      );
  });

  it('PEDIGREE_MLFLOW_UI: off unless it names a directory', () => {
    expect(loadConfig({}).mlflowUiDir).toBeNull();
    expect(loadConfig({ PEDIGREE_MLFLOW_UI: 'off' }).mlflowUiDir).toBeNull();
    expect(loadConfig({ PEDIGREE_MLFLOW_UI: '/opt/mlflow/server/js/build' }).mlflowUiDir).toBe(
      '/opt/mlflow/server/js/build',
    );
    expect(() => loadConfig({ PEDIGREE_MLFLOW_UI: 'on' })).toThrow(/PEDIGREE_MLFLOW_UI must be the directory/);
  });

  it('lists every problem at once', () => {
    const attempt = () => loadConfig({ PORT: 'x', NEO4J_URI: 'http://nope', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(/PORT must be an integer/);
    expect(attempt).toThrow(/LOG_LEVEL must be one of/);
    expect(attempt).toThrow(/NEO4J_URI must be a bolt/);
  });
});
