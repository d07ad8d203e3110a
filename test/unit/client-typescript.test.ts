import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as client from '../../clients/typescript/src/index.js';
import { backoffDelay, manifestDigest, parseModelUri, PedigreeError } from '../../clients/typescript/src/index.js';
import { HttpTransport } from '../../clients/typescript/src/http.js';
import { manifestDigest as serverManifestDigest } from '../../src/artifacts/artifact-store.js';
import { parseModelUri as serverParseModelUri } from '../../src/registry/model-uri.js';

/** The TypeScript client's pure parts, checked against the server's own definitions where there is one. */

const nameChars = fc.constantFrom(...'abcXYZ019_-./');
const aliasChars = fc.constantFrom(...'abcXYZ019_-.');

describe('TypeScript client: pure parts', () => {
  it('parses models:/ URIs exactly as the server does (names with "/", versions, aliases, stages)', () => {
    const uri = fc.oneof(
      fc
        .tuple(
          fc.string({ unit: nameChars, minLength: 1, maxLength: 20 }),
          fc.string({ unit: aliasChars, minLength: 1, maxLength: 10 }),
        )
        .map(([n, a]) => `models:/${n}@${a}`),
      fc
        .tuple(fc.string({ unit: nameChars, minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 99_999 }))
        .map(([n, v]) => `models:/${n}/${v}`),
      fc
        .tuple(
          fc.string({ unit: nameChars, minLength: 1, maxLength: 20 }),
          fc.constantFrom('production', 'Staging', 'CANARY', 'latest', 'bogus'),
        )
        .map(([n, s]) => `models:/${n}/${s}`),
      fc.string({ maxLength: 30 }),
    );
    fc.assert(
      fc.property(uri, (u) => {
        let server: ReturnType<typeof serverParseModelUri> | null = null;
        try {
          server = serverParseModelUri(u);
        } catch {
          server = null;
        }
        let mine: ReturnType<typeof parseModelUri> | null = null;
        try {
          mine = parseModelUri(u);
        } catch (e) {
          expect((e as PedigreeError).code).toBe('BAD_USER_INPUT');
        }
        if (server === null) {
          // The client may accept a name the server then refuses (it checks less); it never refuses one the server
          // takes.
          return;
        }
        expect(mine).not.toBeNull();
        if (server.kind === 'stage')
          expect(mine).toEqual({ kind: 'stage', modelName: server.modelName, stage: server.stage });
        else if (server.ref.alias !== undefined && server.ref.alias !== null)
          expect(mine).toEqual({ kind: 'alias', modelName: server.ref.modelName, alias: server.ref.alias });
        else expect(mine).toEqual({ kind: 'version', modelName: server.ref.modelName, version: server.ref.version });
      }),
      { numRuns: 500 },
    );
  });

  it("computes a directory's checksum exactly as the server's store does, whatever the paths", () => {
    const path = fc
      .array(fc.string({ minLength: 1, maxLength: 6, unit: 'grapheme' }), { minLength: 1, maxLength: 3 })
      .map((s) => s.join('/'));
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            path,
            sha256: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
          }),
          { selector: (e) => e.path, minLength: 1, maxLength: 8 },
        ),
        (entries) => {
          expect(manifestDigest(entries)).toBe(serverManifestDigest(entries));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('backs off with full jitter under an exponential ceiling', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const d = backoffDelay(attempt, { baseMs: 100, maxMs: 5_000 }, () => r);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(Math.min(5_000, 100 * 2 ** attempt));
        },
      ),
    );
  });

  it('remembers only the highest write sequence, ignoring what is not one', () => {
    const t = new HttpTransport({ baseUrl: 'http://127.0.0.1:9', token: null, fetch, requestTimeoutMs: 1 });
    expect(t.minSequence).toBeNull();
    for (const v of ['12', 7, 'nope', null, {}, '99999999999999999999', '13']) t.noteSequence(v);
    expect(t.minSequence).toBe('99999999999999999999');
  });

  it('reads the token from PEDIGREE_TOKEN and never shows it', async () => {
    const secret = `pdg_${'s'.repeat(43)}`;
    const before = { token: process.env.PEDIGREE_TOKEN, url: process.env.PEDIGREE_URL };
    process.env.PEDIGREE_TOKEN = secret;
    process.env.PEDIGREE_URL = 'http://127.0.0.1:9/graphql';
    try {
      const c = new client.PedigreeClient();
      expect(c.url).toBe('http://127.0.0.1:9');
      const { inspect } = await import('node:util');
      expect(inspect(c)).not.toContain(secret);
      expect(JSON.stringify(c)).not.toContain(secret);
      const err = (await c.resolve('models:/m/1').catch((e: unknown) => e)) as PedigreeError;
      expect(err.code).toBe('NETWORK_ERROR');
      expect(err.retryable).toBe(true);
      expect(`${err.message} ${inspect(err)}`).not.toContain(secret);
      await c.close();
    } finally {
      process.env.PEDIGREE_TOKEN = before.token;
      process.env.PEDIGREE_URL = before.url;
      if (before.token === undefined) delete process.env.PEDIGREE_TOKEN;
      if (before.url === undefined) delete process.env.PEDIGREE_URL;
    }
  });

  it('the built package (npm run clients:build) exports what the sources export, with type declarations', async () => {
    const dist = resolve('clients/typescript/dist/index.js');
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run npm run clients:build (npm test does)`);
    expect(existsSync(resolve('clients/typescript/dist/index.d.ts'))).toBe(true);
    const built = (await import(dist)) as Record<string, unknown>;
    expect(Object.keys(built).sort()).toEqual(Object.keys(client).sort());
  });
});
