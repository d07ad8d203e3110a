import type { VersionApproval } from '../governance/approvals.js';
import { gateFailed } from '../errors.js';
import { unknownAfter, type ListPage } from '../paging.js';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { appendEvent, EventType } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Executor, Tx } from '../graph/executor.js';
import type { ModelCardService } from './model-card.service.js';
import type { CardData } from './model-card.js';
import type { RegistryLookup } from '../registry/lookup.js';
import type { VersionRecord, VersionRef } from '../registry/types.js';
import { PEDIGREE_VERSION } from '../version.js';
import {
  MAX_SIGNATURES,
  buildStatement,
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateEd25519KeyPair,
  importPrivateKeyPem,
  importPublicKeyPem,
  keyIdOf,
  signerFor,
  signStatement,
  trustedKeyFor,
  verifyStatement,
  type Statement,
} from './attestation/index.js';
import { openPrivateKey, readKeyFile, sealPrivateKey, signingKeyDir, writeKeyFile } from './attestation/key-store.js';

const Q = {
  keys: statement('operations/signing-keys'),
  keysPage: statement('operations/signing-keys-page'),
  ringKeys: statement('operations/ring-keys'),
  createKey: statement('operations/create-signing-key'),
};

/** Pedigree's own key lives in ring 'default'; the key Pedigree keeps for an approver in 'principal:<name>'. */
const ringOf = (principal: string | null): string => (principal === null ? 'default' : `principal:${principal}`);

export interface SigningKeyRecord {
  keyid: string;
  algorithm: string;
  /** SPKI PEM. */
  publicKey: string;
  /** GRAPH_ENCRYPTED (sealed with PEDIGREE_SIGNING_SECRET) or DATA_DIR_FILE (0600 file under the data dir). */
  storage: 'GRAPH_ENCRYPTED' | 'DATA_DIR_FILE';
  active: boolean;
  createdAt: string;
  /** The approver this key signs for; null for Pedigree's own key. */
  principal: string | null;
}

interface StoredKey extends Omit<SigningKeyRecord, 'principal'> {
  principal?: string | null;
  sealedPrivateKey: string | null;
  privateKeyFile: string | null;
}

/** One approval of a carried-out promotion request of a version, as the predicate records it. */
export type Approval = VersionApproval;

/** The promotion a signed record is made for (see {@link KeyScope.attestPromotion}). */
export interface PromotionRecord {
  requestId: string;
  /** The version node promoted: the attestation is about it, whatever its model is called now. */
  versionId: string;
  modelName: string;
  version: number;
  rule: string;
  target: { stage: string | null; alias: string | null };
  requestedBy: string;
  requestedAt: string;
  evidence: unknown[];
  /** Everyone who approved the request, in order: each co-signs with their key. */
  approvers: string[];
}

export interface SignedPromotion {
  /** The DSSE envelope, JSON text. */
  envelope: string;
  /** Pedigree's key first, then each approver's, as in the envelope's signatures. */
  keyids: string[];
  /** "sha256:<hex>" of the artifact. */
  subjectDigest: string;
}

/**
 * What a write transaction opened with {@link AttestationService.transaction}
 * may do with keys, inside that transaction.
 */
export interface KeyScope {
  /** The approver's key, made (SIGNING_KEY_CREATED) on their first approval. */
  ensureApproverKey(principal: string): Promise<void>;
  /**
   * The signed record of a carried-out two-person promotion: the version's
   * attestation (read in this transaction, the request already APPROVED), with
   * the promotion in its predicate, signed by Pedigree's key and every
   * approver's key (made here when missing). GATE_FAILED for a version without
   * an artifact digest.
   */
  attestPromotion(p: PromotionRecord): Promise<SignedPromotion>;
}

/** Key files written by one transaction's attempts, and those whose key nodes the last attempt created. */
interface KeyFiles {
  written: string[];
  created: string[];
}

interface KeyHandle {
  keyid: string;
  /** Opens the private half (cached per process); throws when this replica cannot. */
  privateKey(): KeyObject;
}

export interface VerifyOutcome {
  valid: boolean;
  /** "sha256:<hex>" of the statement's first subject (only when valid). */
  subjectDigest: string | null;
  /** Key ids of the trusted keys that signed: Pedigree's and any approvers'. */
  signers: string[];
  reason: string | null;
  statement: Statement | null;
}

/**
 * Signed provenance: in-toto Statement v1 about a model version's artifact
 * (subject digest = its checksum) with the lineage as predicate, in a DSSE
 * envelope signed by Pedigree's Ed25519 key (made on first use) and, for a
 * version promoted by two people, by the keys Pedigree keeps for its approvers.
 */
export class AttestationService {
  private active: Promise<{ keyid: string; privateKey: KeyObject }> | null = null;
  /** Opened private halves by keyid (scrypt per open is slow; a keyid names its key material). */
  private readonly opened = new Map<string, KeyObject>();

  constructor(
    private readonly executor: Executor,
    private readonly registry: RegistryLookup,
    private readonly cards: ModelCardService,
    private readonly config: { signingSecret: string | null; dataDir: string },
    /**
     * The approvals of the version's carried-out promotion requests, read in
     * the caller's transaction and recorded in the predicate (governance's
     * readVersionApprovals).
     */
    private readonly approvals: (tx: Tx, versionId: string) => Promise<Approval[]>,
  ) {}

  /** A page of the signing keys (public halves): `first` after the key whose keyid is `after`. */
  async signingKeys(page: ListPage): Promise<SigningKeyRecord[]> {
    const [row] = await this.executor.read<{ known: boolean; keys: StoredKey[] }>(Q.keysPage, {
      after: page.after,
      limit: page.first,
    });
    if (!row!.known) throw unknownAfter('signing key', 'keyid');
    return row!.keys.map(publicView);
  }

  /**
   * A DSSE envelope (JSON text) attesting a version's provenance, signed by
   * Pedigree's key and by the keys of the approvers of the version's
   * carried-out two-person promotions.
   */
  async attestation(ref: VersionRef): Promise<{ envelope: string; statement: Statement; keyid: string }> {
    const { statement, coSigners } = await this.executor.readTx(async (tx) => {
      const v = await this.registry.requireVersion(tx, ref);
      const data = await this.cards.cardData(tx, v.id);
      const approvals = await this.approvals(tx, v.id);
      const principals = coSigningPrincipals(approvals);
      // A read: an approver without a key (approved before keys existed) is left out, not given one.
      const keys = principals.length ? await this.keysIn(tx, principals, null) : new Map<string | null, KeyHandle>();
      return {
        statement: buildProvenanceStatement(data, approvals),
        coSigners: principals.flatMap((p) => keys.get(p) ?? []),
      };
    }, 'attestation');
    const key = await this.activeKey();
    const envelope = signStatement(statement, [
      signerFor(key.privateKey),
      ...coSigners.map((k) => signerFor(k.privateKey())),
    ]);
    return { envelope: JSON.stringify(envelope), statement, keyid: key.keyid };
  }

  /**
   * Verifies an envelope against every key Pedigree has made, its own and the
   * approvers'. Valid needs Pedigree's own signature (approvers' keys only
   * co-sign); `signers` lists every trusted key that signed. Never throws on bad input.
   */
  async verify(envelope: string): Promise<VerifyOutcome> {
    return this.verifyWith(envelope, await this.storedKeys());
  }

  private async storedKeys(): Promise<StoredKey[]> {
    return (await this.executor.read<{ key: StoredKey }>(Q.keys)).map((r) => r.key);
  }

  private verifyWith(envelope: string, keys: StoredKey[]): VerifyOutcome {
    const trusted = keys.map((k) => trustedKeyFor(importPublicKeyPem(k.publicKey)));
    if (typeof envelope !== 'string')
      return { valid: false, subjectDigest: null, signers: [], reason: 'envelope must be JSON text', statement: null };
    const r = verifyStatement(envelope, trusted);
    if (!r.valid || !r.statement)
      return { valid: false, subjectDigest: null, signers: [], reason: r.reason ?? 'invalid', statement: null };
    const own = new Set(keys.filter((k) => !k.principal).map((k) => k.keyid));
    if (!r.signers.some((s) => own.has(s))) {
      return {
        valid: false,
        subjectDigest: null,
        signers: [],
        reason: "no signature by Pedigree's own key (approvers' keys only co-sign)",
        statement: null,
      };
    }
    return {
      valid: true,
      subjectDigest: `sha256:${r.statement.subject[0]!.digest.sha256}`,
      signers: r.signers,
      reason: null,
      statement: r.statement,
    };
  }

  /**
   * For deployments: valid, about exactly this version's artifact and version
   * node, and, when `approvedStages` is given (an environment that serves only
   * approved versions), carrying the approval of a carried-out promotion of
   * this version to one of those stages, co-signed by its approvers when the
   * promotion needed two people (see {@link approvalEvidenceProblem}).
   */
  async verifyForVersion(
    envelope: string,
    version: VersionRecord,
    approvedStages: readonly string[] | null = null,
  ): Promise<{ valid: boolean; reason?: string }> {
    const keys = await this.storedKeys();
    const r = this.verifyWith(envelope, keys);
    if (!r.valid) return { valid: false, reason: r.reason ?? 'invalid' };
    if (!version.checksum)
      return { valid: false, reason: 'the version is unverified (no checksum): there is no artifact digest to attest' };
    if (r.subjectDigest !== version.checksum.toLowerCase()) {
      return { valid: false, reason: `it attests ${r.subjectDigest}, not this version's artifact ${version.checksum}` };
    }
    const predicate = r.statement!.predicate as AttestedPredicate;
    const model = predicate.model;
    if (model?.name !== version.modelName || model?.version !== version.version) {
      return {
        valid: false,
        reason: `it is about ${model?.name}/${model?.version}, not ${version.modelName}/${version.version}`,
      };
    }
    // Identity by node: a model deleted or renamed and re-created under the name has other version nodes.
    if (model.id !== version.id) {
      return {
        valid: false,
        reason: `it is about another ${version.modelName}/${version.version} (version node ${model.id}, now ${version.id}): the model was re-created since`,
      };
    }
    if (approvedStages) {
      const principalOf = new Map(keys.map((k) => [k.keyid, k.principal ?? null]));
      const coSigners = new Set(r.signers.flatMap((keyid) => principalOf.get(keyid) ?? []));
      const problem = approvalEvidenceProblem(predicate, coSigners, approvedStages);
      if (problem) return { valid: false, reason: problem };
    }
    return { valid: true };
  }

  /**
   * One write transaction in which keys may be made (governance approves
   * promotions through it). Without PEDIGREE_SIGNING_SECRET a new key's private
   * half is written to a file before its node (writeTx may retry, and a file
   * is a side effect outside the transaction): files of attempts that did not
   * commit, or whose ring turned out to have a key already, are removed after.
   */
  async transaction<R>(work: (tx: Tx, keys: KeyScope) => Promise<R>, label: string): Promise<R> {
    return this.withKeyFiles(
      (tx, files) =>
        work(tx, {
          ensureApproverKey: async (principal) => {
            await this.keysIn(tx, [principal], files);
          },
          attestPromotion: (p) => this.attestPromotionIn(tx, p, files),
        }),
      label,
    );
  }

  private async attestPromotionIn(tx: Tx, p: PromotionRecord, files: KeyFiles): Promise<SignedPromotion> {
    const v = await this.registry.requireVersionById(tx, p.versionId);
    if (!hex(v.checksum)) {
      throw gateFailed(
        `a two-person promotion is recorded as a signed attestation about the artifact, and version ${v.modelName}/${v.version} is unverified (no sha256 checksum): attach its checksum first`,
        { gate: 'attestation' },
      );
    }
    const data = await this.cards.cardData(tx, v.id);
    const approvals = await this.approvals(tx, v.id);
    const statement = buildProvenanceStatement(data, approvals, p);
    const owners: (string | null)[] = [null, ...new Set(p.approvers)];
    const keys = await this.keysIn(tx, owners, files);
    const signers = owners.map((o) => signerFor(keys.get(o)!.privateKey()));
    const envelope = signStatement(statement, signers);
    return {
      envelope: JSON.stringify(envelope),
      keyids: signers.map((s) => s.keyid),
      subjectDigest: `sha256:${statement.subject[0]!.digest.sha256}`,
    };
  }

  /** The active signing key, created (and persisted) on first use; cached per process. */
  private activeKey(): Promise<{ keyid: string; privateKey: KeyObject }> {
    this.active ??= this.loadOrCreateKey().catch((err) => {
      this.active = null;
      throw err;
    });
    return this.active;
  }

  private async loadOrCreateKey(): Promise<{ keyid: string; privateKey: KeyObject }> {
    const [row] = await this.executor.read<{ key: StoredKey | null }>(Q.ringKeys, { rings: [ringOf(null)] });
    const handle = row?.key
      ? this.handleOf(row.key)
      : await this.withKeyFiles(
          async (tx, files) => (await this.keysIn(tx, [null], files)).get(null)!,
          'createSigningKey',
        );
    return { keyid: handle.keyid, privateKey: handle.privateKey() };
  }

  private async withKeyFiles<R>(work: (tx: Tx, files: KeyFiles) => Promise<R>, label: string): Promise<R> {
    const written: string[] = [];
    let created: string[] = [];
    try {
      const result = await this.executor.writeTx(async (tx) => {
        const files: KeyFiles = { written, created: [] };
        const out = await work(tx, files);
        created = files.created;
        return out;
      }, label);
      this.removeKeyFiles(written.filter((f) => !created.includes(f)));
      return result;
    } catch (err) {
      this.removeKeyFiles(written);
      throw err;
    }
  }

  private removeKeyFiles(files: string[]): void {
    for (const f of files) rmSync(join(signingKeyDir(this.config.dataDir), f), { force: true });
  }

  /**
   * The active key of each owner (null = Pedigree) in this transaction. With
   * `files`, a missing one is made; without, it is absent from the result.
   */
  private async keysIn(
    tx: Tx,
    owners: (string | null)[],
    files: KeyFiles | null,
  ): Promise<Map<string | null, KeyHandle>> {
    const unique = [...new Set(owners)];
    const rows = await tx.run<{ ring: string; key: StoredKey | null }>(Q.ringKeys, { rings: unique.map(ringOf) });
    const byRing = new Map(rows.map((r) => [r.ring, r.key]));
    const out = new Map<string | null, KeyHandle>();
    for (const owner of unique) {
      const stored = byRing.get(ringOf(owner));
      if (stored) out.set(owner, this.handleOf(stored));
      else if (files) out.set(owner, await this.createKeyIn(tx, owner, files));
    }
    return out;
  }

  private async createKeyIn(tx: Tx, owner: string | null, files: KeyFiles): Promise<KeyHandle> {
    const pair = generateEd25519KeyPair();
    const keyid = keyIdOf(pair.publicKey);
    const pem = exportPrivateKeyPem(pair.privateKey);
    const secret = this.config.signingSecret;
    const file = secret ? null : writeKeyFile(this.config.dataDir, keyid, pem);
    if (file) files.written.push(file);
    const [row] = await tx.run<{ key: StoredKey; created: boolean }>(Q.createKey, {
      ring: ringOf(owner),
      principal: owner,
      keyid,
      publicKey: exportPublicKeyPem(pair.publicKey),
      storage: secret ? 'GRAPH_ENCRYPTED' : 'DATA_DIR_FILE',
      sealedPrivateKey: secret ? sealPrivateKey(pem, secret, keyid) : null,
      privateKeyFile: file,
    });
    // Another transaction made this ring's key first: use that one (ours is discarded).
    if (!row!.created) return this.handleOf(row!.key);
    if (file) files.created.push(file);
    await appendEvent(tx, {
      type: EventType.SIGNING_KEY_CREATED,
      actor: owner ?? 'pedigree',
      subjectId: keyid,
      after: {
        keyid,
        algorithm: 'Ed25519',
        storage: row!.key.storage,
        ...(owner === null ? {} : { principal: owner }),
      },
    });
    this.opened.set(keyid, pair.privateKey);
    return { keyid, privateKey: () => pair.privateKey };
  }

  private handleOf(key: StoredKey): KeyHandle {
    return { keyid: key.keyid, privateKey: () => this.privateOf(key) };
  }

  private privateOf(key: StoredKey): KeyObject {
    const cached = this.opened.get(key.keyid);
    if (cached) return cached;
    const opened = this.open(key);
    this.opened.set(key.keyid, opened);
    return opened;
  }

  private open(key: StoredKey): KeyObject {
    if (key.storage === 'GRAPH_ENCRYPTED') {
      if (!this.config.signingSecret)
        throw new Error(
          `signing key ${key.keyid} is sealed in the graph: set PEDIGREE_SIGNING_SECRET to the secret it was sealed with`,
        );
      return importPrivateKeyPem(openPrivateKey(key.sealedPrivateKey!, this.config.signingSecret, key.keyid));
    }
    try {
      return importPrivateKeyPem(readKeyFile(this.config.dataDir, key.privateKeyFile!));
    } catch (err) {
      throw new Error(
        `signing key ${key.keyid} is kept in a file under the data directory of the replica that made it and cannot be read here (${(err as Error).message}); use PEDIGREE_SIGNING_SECRET with several replicas`,
      );
    }
  }
}

/**
 * Who co-signs a version's attestation: the distinct approvers of its
 * carried-out TWO_PERSON requests, newest request first, as many as fit in
 * one envelope beside Pedigree's own signature.
 */
export function coSigningPrincipals(approvals: readonly Approval[]): string[] {
  const out: string[] = [];
  for (const a of [...approvals].reverse()) {
    if (a.rule === 'TWO_PERSON' && !out.includes(a.approver)) out.push(a.approver);
  }
  return out.slice(0, MAX_SIGNATURES - 1);
}

/** The parts of Pedigree's provenance predicate a deployment checks (see buildProvenanceStatement). */
interface AttestedPredicate {
  model?: { id?: string; name?: string; version?: number };
  approvals?: { approver?: string; requestId?: string; rule?: string; target?: { stage?: string } }[];
  promotion?: { requestId?: string; rule?: string; target?: { stage?: string }; approvers?: string[] } | null;
}

/**
 * Why a (verified) attestation does not prove that its version was approved
 * for one of `stages`, or null when it does. The evidence is a carried-out
 * promotion of the version to one of those stages, as Pedigree signed it:
 * the promotion record of a promotion's own envelope (`predicate.promotion`),
 * or the approvals `attestation(ref)` lists (`predicate.approvals`). A
 * TWO_PERSON promotion (or any rule but ONE_REVIEWER) counts only when every
 * approver co-signed (`coSigners`: principals whose keys signed); a
 * ONE_REVIEWER one rests on Pedigree's signature, as its record does.
 */
export function approvalEvidenceProblem(
  predicate: AttestedPredicate,
  coSigners: ReadonlySet<string>,
  stages: readonly string[],
): string | null {
  const promotions = new Map<string, { rule: string; stage: string; approvers: Set<string> }>();
  const add = (
    requestId: string | undefined,
    rule: string | undefined,
    stage: string | undefined,
    approvers: (string | undefined)[],
  ) => {
    if (!requestId || !stage || !stages.includes(stage)) return;
    const p = promotions.get(requestId) ?? { rule: rule ?? '', stage, approvers: new Set<string>() };
    for (const a of approvers) if (a) p.approvers.add(a);
    promotions.set(requestId, p);
  };
  const pr = predicate.promotion;
  if (pr) add(pr.requestId, pr.rule, pr.target?.stage, pr.approvers ?? []);
  for (const a of predicate.approvals ?? []) add(a.requestId, a.rule, a.target?.stage, [a.approver]);
  const wanted = stages.join(' or ');
  if (promotions.size === 0) {
    return `it carries no carried-out promotion of this version to ${wanted}: an environment like this one serves only approved versions (fetch the attestation after the promotion: attestation(ref), or the request's attestation)`;
  }
  const missing: string[] = [];
  for (const [requestId, p] of promotions) {
    if (p.approvers.size === 0) continue;
    if (p.rule === 'ONE_REVIEWER') return null;
    const unsigned = [...p.approvers].filter((a) => !coSigners.has(a));
    if (unsigned.length === 0) return null;
    missing.push(`request ${requestId} (${p.stage}) lacks the co-signature of ${unsigned.join(', ')}`);
  }
  return `its approval to ${wanted} is not signed by the approvers: ${missing.join('; ') || 'no approver is named'}`;
}

function publicView(k: StoredKey): SigningKeyRecord {
  return {
    keyid: k.keyid,
    algorithm: k.algorithm,
    publicKey: k.publicKey,
    storage: k.storage,
    active: k.active,
    createdAt: k.createdAt,
    principal: k.principal ?? null,
  };
}

const hex = (checksum: string | null | undefined): string | null => {
  const m = checksum ? /^sha256:([0-9a-f]{64})$/i.exec(checksum) : null;
  return m ? m[1]!.toLowerCase() : null;
};

/**
 * The in-toto statement for a version: subject = its artifact, predicate = its
 * lineage and approvals; with `promotion`, the record of that promotion.
 */
export function buildProvenanceStatement(
  d: CardData,
  approvals: Approval[],
  promotion: PromotionRecord | null = null,
): Statement {
  const v = d.version;
  const digest = hex(v.checksum);
  if (!digest)
    throw gateFailed(
      `version ${v.modelName}/${v.version} is unverified (no sha256 checksum): attach its checksum before attesting it`,
    );
  const parent = (p: CardData['parents'][number]) =>
    p.kind === 'ProviderModel'
      ? {
          kind: 'ProviderModel',
          id: p.node.id,
          provider: p.node.provider,
          name: p.node.name,
          providerVersion: p.node.providerVersion,
        }
      : {
          kind: 'ModelVersion',
          id: p.node.id,
          name: p.node.modelName,
          version: p.node.version,
          ...(hex(p.node.checksum as string) ? { digest: { sha256: hex(p.node.checksum as string)! } } : {}),
        };
  const r = d.run;
  const predicate = {
    builder: { id: 'https://pedigree.dev/registry', version: PEDIGREE_VERSION },
    model: {
      id: v.id,
      name: v.modelName,
      version: v.version,
      semver: v.semver,
      source: v.source,
      fingerprint: v.fingerprint ?? null,
      registeredAt: v.createdAt,
      registeredBy: v.createdBy,
    },
    run: r
      ? {
          id: r.id,
          name: r.name ?? null,
          experiment: r.experiment ?? null,
          codeRepo: r.codeRepo ?? null,
          codeCommit: r.codeCommit ?? null,
          environment: r.environment ?? null,
          params: r.params ? (JSON.parse(r.params) as Record<string, unknown>) : {},
          seeds: r.seeds ?? [],
          status: r.status,
        }
      : null,
    datasets: d.datasets.map((x) => ({
      id: x.id ?? null,
      name: x.datasetName,
      version: x.version,
      role: x.role ?? null,
      uri: x.uri ?? null,
      ...(hex(x.hash) ? { digest: { sha256: hex(x.hash)! } } : x.hash ? { hash: x.hash } : {}),
    })),
    baseModels: d.parents.filter((p) => p.relation === 'FINE_TUNED_FROM').map(parent),
    teachers: d.parents.filter((p) => p.relation === 'DISTILLED_FROM').map(parent),
    otherParents: d.parents
      .filter((p) => p.relation !== 'FINE_TUNED_FROM' && p.relation !== 'DISTILLED_FROM')
      .map((p) => ({ relation: p.relation, ...parent(p) })),
    evidence: d.evidence.map((e) => ({ kind: e.kind, passed: e.passed, by: e.by, at: e.at, uri: e.uri ?? null })),
    approvals: approvals.map((a) => ({
      approver: a.approver,
      role: a.role,
      asOwner: a.asOwner,
      at: a.at,
      comment: a.comment ?? null,
      requestId: a.requestId,
      rule: a.rule,
      target: a.target.stage ? { stage: a.target.stage } : { alias: a.target.alias },
    })),
    promotion: promotion
      ? {
          requestId: promotion.requestId,
          rule: promotion.rule,
          target: promotion.target.stage ? { stage: promotion.target.stage } : { alias: promotion.target.alias },
          requestedBy: promotion.requestedBy,
          requestedAt: promotion.requestedAt,
          evidence: promotion.evidence,
          approvers: promotion.approvers,
        }
      : null,
  };
  return buildStatement({
    subjects: [{ name: `models:/${v.modelName}/${v.version}`, digest: { sha256: digest } }],
    predicate: JSON.parse(JSON.stringify(predicate)) as Record<string, unknown>,
  });
}
