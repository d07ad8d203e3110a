import { notFound } from '../errors.js';
import { statement } from '../graph/cypher.js';
import type { Executor, Tx } from '../graph/executor.js';
import { parseModelUri } from './model-uri.js';
import { checkRef, requireResolved, resolveRefsIn, type Resolved } from './refs.js';
import type { ModelRecord, VersionRecord, VersionRef } from './types.js';
import type { AliasViewSource } from './view/alias-view.runtime.js';
import type { ViewAnswer } from './view/alias-view.js';

const Q = {
  modelsByNames: statement('registry/models-by-names'),
  versionByStage: statement('registry/version-by-stage'),
  versionWithModel: statement('registry/version-with-model'),
};

/**
 * Models and versions by what a client or another service names them — a
 * model's name, a version ref (number, alias, `latest`), a model URI, a
 * version's id — and the NOT_FOUND that says which part is missing. Every
 * service that acts on a version finds it here, inside its own transaction;
 * the serving reads (alias, `latest`, stage, number) answer from the alias
 * view when it holds the answer, else from Neo4j.
 */
export class RegistryLookup {
  constructor(
    private readonly executor: Executor,
    /**
     * The alias view (src/registry/view): alias, `latest`, stage and number
     * lookups answer from memory when it holds the answer, else from Neo4j.
     */
    private readonly view: AliasViewSource | null = null,
  ) {}

  async getModel(name: string): Promise<ModelRecord | null> {
    return (await this.modelsByNames([name]))[0] ?? null;
  }

  async modelsByNames(names: readonly string[]): Promise<(ModelRecord | null)[]> {
    return this.executor.readTx((tx) => this.modelsIn(tx, names), 'modelsByNames');
  }

  /** Models by name in the caller's transaction, in order (null where none has the name). */
  async modelsIn(tx: Tx, names: readonly string[]): Promise<(ModelRecord | null)[]> {
    const rows = await tx.run<{ model: ModelRecord | null }>(Q.modelsByNames, { keys: names });
    return rows.map((r) => r.model);
  }

  /** Resolves refs in one round trip; each result carries its model when the model exists. */
  async resolve(refs: VersionRef[]): Promise<Resolved[]> {
    // The hot read (which version is behind an alias) comes through here: one auto-commit statement.
    return resolveRefsIn({ run: (name, params) => this.executor.read(name, params) }, refs);
  }

  /** The version a ref names, or NOT_FOUND saying whether the model, version or alias is missing. */
  async getVersion(ref: VersionRef): Promise<VersionRecord> {
    return requireResolved(ref, await this.lookup(ref));
  }

  /** Like getVersion, but null when absent (queries answer null, mutations NOT_FOUND). */
  async findVersion(ref: VersionRef): Promise<VersionRecord | null> {
    const r = await this.lookup(ref);
    if (!r.model) return null;
    return r.version;
  }

  /**
   * The serving read: a version by alias (`latest` included) or number, with
   * its model, from the alias view when it holds the answer (no round trip),
   * else in one statement. Records the view lacks are read into it in the
   * background, for the next time.
   */
  private async lookup(ref: VersionRef): Promise<Resolved> {
    checkRef(ref);
    const hit = this.fromView((view) =>
      ref.version != null ? view.byNumber(ref.modelName, ref.version) : view.byAlias(ref.modelName, ref.alias!),
    );
    if (hit) return hit;
    const [r] = await this.resolve([ref]);
    return r!;
  }

  /** The view's answer, or null when it cannot give one (not built, or it does not hold what the answer needs). */
  private fromView(ask: (view: NonNullable<ReturnType<AliasViewSource['current']>>) => ViewAnswer): Resolved | null {
    // Read-your-writes on this process: the view answers once it has applied this process's last write.
    const view = this.view?.current(this.executor.lastSequence);
    if (!view) return null;
    const answer = ask(view);
    this.view!.lookups[answer.hit ? 'hit' : 'miss']++;
    if (answer.hit) return { model: answer.model, version: answer.version };
    // Its records are read in the background, for the next lookup; this one asks Neo4j.
    if (answer.fetch) this.view!.want(answer.fetch.modelName, answer.fetch.version);
    return null;
  }

  /**
   * Resolves a model URI: models:/NAME/VERSION, models:/NAME@ALIAS (incl.
   * @latest), models:/NAME/STAGE (the newest version in that stage).
   */
  async resolveUri(uri: string): Promise<VersionRecord | null> {
    const parsed = parseModelUri(uri);
    if (parsed.kind === 'stage') {
      const hit = this.fromView((view) => view.byStage(parsed.modelName, parsed.stage));
      if (hit) return hit.model ? hit.version : null;
      const [row] = await this.executor.read<Resolved>(Q.versionByStage, {
        modelName: parsed.modelName,
        stage: parsed.stage,
      });
      return row?.version ? { ...row.version, ...(row.model ? { model: row.model } : {}) } : null;
    }
    return this.findVersion(parsed.ref);
  }

  /** A version node by id in the caller's transaction, with its model; null when it does not exist. */
  async versionById(tx: Tx, id: string): Promise<VersionRecord | null> {
    const [row] = await tx.run<Resolved>(Q.versionWithModel, { versionId: id });
    return row?.version ? { ...row.version, ...(row.model ? { model: row.model } : {}) } : null;
  }

  /** Like versionById, NOT_FOUND when the version node is gone. */
  async requireVersionById(tx: Tx, id: string): Promise<VersionRecord> {
    const v = await this.versionById(tx, id);
    if (!v) throw notFound(`no model version has id "${id}"`);
    return v;
  }

  async requireVersion(tx: Tx, ref: VersionRef): Promise<VersionRecord> {
    return (await this.requireVersions(tx, [ref]))[0]!;
  }

  /** Several refs in one statement, in order; NOT_FOUND names the first that does not resolve. */
  async requireVersions(tx: Tx, refs: readonly VersionRef[]): Promise<VersionRecord[]> {
    const rows = await resolveRefsIn(tx, refs);
    return rows.map((r, i) => requireResolved(refs[i]!, r));
  }
}
