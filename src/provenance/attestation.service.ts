import { gateFailed } from '../errors.js';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { appendEvent, EventType } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Executor, Tx } from '../graph/executor.js';
import type { ModelCardService } from '../operations/model-card.service.js';
import type { CardData } from '../operations/model-card.js';
import type { RegistryService } from '../registry/registry.service.js';
import type { VersionRecord, VersionRef } from '../registry/types.js';
import { PEDIGREE_VERSION } from '../version.js';
import {
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
  type Signer,
  type Statement,
} from './attestation/index.js';
import { keyFileName, openPrivateKey, readKeyFile, sealPrivateKey, writeKeyFile } from './attestation/key-store.js';

const Q = {
  keys: statement('operations/signing-keys'),
  createKey: statement('operations/create-signing-key'),
};

export interface SigningKeyRecord {
  keyid: string;
  algorithm: string;
  /** SPKI PEM. */
  publicKey: string;
  /** GRAPH_ENCRYPTED (sealed with PEDIGREE_SIGNING_SECRET) or DATA_DIR_FILE (0600 file under the data dir). */
  storage: 'GRAPH_ENCRYPTED' | 'DATA_DIR_FILE';
  active: boolean;
  createdAt: string;
}

interface StoredKey extends SigningKeyRecord {
  sealedPrivateKey: string | null;
  privateKeyFile: string | null;
}

export interface Approval {
  approver: string;
  at: string;
  comment?: string | null;
}

export interface VerifyOutcome {
  valid: boolean;
  /** "sha256:<hex>" of the statement's first subject (only when valid). */
  subjectDigest: string | null;
  /** Key ids of the trusted keys that signed. */
  signers: string[];
  reason: string | null;
  statement: Statement | null;
}

/**
 * Signed provenance: in-toto Statement v1 about a model version's artifact
 * (subject digest = its checksum) with the lineage as predicate, in a DSSE
 * envelope signed by Pedigree's Ed25519 key (made on first use).
 */
export class AttestationService {
  /**
   * Governance hook: the approvals of the promotions of a version, recorded in
   * the predicate. Without it the predicate lists none.
   */
  approvals: ((tx: Tx, versionId: string) => Promise<Approval[]>) | null = null;
  /**
   * Governance hook for two-person promotions: extra signers (e.g. each
   * approver's key) that co-sign a version's envelope beside Pedigree's key.
   */
  coSigners: ((versionId: string) => Promise<Signer[]>) | null = null;

  private active: Promise<{ keyid: string; privateKey: KeyObject }> | null = null;

  constructor(
    private readonly executor: Executor,
    private readonly registry: RegistryService,
    private readonly cards: ModelCardService,
    private readonly config: { signingSecret: string | null; dataDir: string },
  ) {}

  async signingKeys(): Promise<SigningKeyRecord[]> {
    const rows = await this.executor.read<{ key: StoredKey }>(Q.keys);
    return rows.map((r) => publicView(r.key));
  }

  /** A DSSE envelope (JSON text) attesting a version's provenance. */
  async attestation(ref: VersionRef): Promise<{ envelope: string; statement: Statement; keyid: string }> {
    const { statement, versionId } = await this.executor.readTx(async (tx) => {
      const v = await this.registry.requireVersion(tx, ref);
      const data = await this.cards.cardData(tx, v.id);
      const approvals = this.approvals ? await this.approvals(tx, v.id) : [];
      return { statement: buildProvenanceStatement(data, approvals), versionId: v.id };
    }, 'attestation');
    const key = await this.activeKey();
    const extra = this.coSigners ? await this.coSigners(versionId) : [];
    const envelope = signStatement(statement, [signerFor(key.privateKey), ...extra]);
    return { envelope: JSON.stringify(envelope), statement, keyid: key.keyid };
  }

  /** Verifies an envelope against every key Pedigree has made. Never throws on bad input. */
  async verify(envelope: string): Promise<VerifyOutcome> {
    const keys = await this.executor.read<{ key: StoredKey }>(Q.keys);
    const trusted = keys.map((k) => trustedKeyFor(importPublicKeyPem(k.key.publicKey)));
    if (typeof envelope !== 'string') return { valid: false, subjectDigest: null, signers: [], reason: 'envelope must be JSON text', statement: null };
    const r = verifyStatement(envelope, trusted);
    if (!r.valid || !r.statement) return { valid: false, subjectDigest: null, signers: [], reason: r.reason ?? 'invalid', statement: null };
    return { valid: true, subjectDigest: `sha256:${r.statement.subject[0]!.digest.sha256}`, signers: r.signers, reason: null, statement: r.statement };
  }

  /** For deployments: valid, and about exactly this version's artifact. */
  async verifyForVersion(envelope: string, version: VersionRecord): Promise<{ valid: boolean; reason?: string }> {
    const r = await this.verify(envelope);
    if (!r.valid) return { valid: false, reason: r.reason ?? 'invalid' };
    if (!version.checksum) return { valid: false, reason: "the version is unverified (no checksum): there is no artifact digest to attest" };
    if (r.subjectDigest !== version.checksum.toLowerCase()) {
      return { valid: false, reason: `it attests ${r.subjectDigest}, not this version's artifact ${version.checksum}` };
    }
    const model = (r.statement!.predicate as { model?: { name?: string; version?: number } }).model;
    if (model?.name !== version.modelName || model?.version !== version.version) {
      return { valid: false, reason: `it is about ${model?.name}/${model?.version}, not ${version.modelName}/${version.version}` };
    }
    return { valid: true };
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
    const rows = await this.executor.read<{ key: StoredKey }>(Q.keys);
    const current = rows.find((r) => r.key.active)?.key;
    if (current) return { keyid: current.keyid, privateKey: this.privateOf(current) };

    const pair = generateEd25519KeyPair();
    const keyid = keyIdOf(pair.publicKey);
    const pem = exportPrivateKeyPem(pair.privateKey);
    const secret = this.config.signingSecret;
    // The file is written before the transaction (writeTx may retry; a file is a side effect);
    // if another replica's key wins, ours is removed.
    const file = secret ? null : writeKeyFile(this.config.dataDir, keyid, pem);
    try {
      const stored = await this.executor.writeTx(async (tx) => {
        const [row] = await tx.run<{ key: StoredKey; created: boolean }>(Q.createKey, {
          keyid,
          publicKey: exportPublicKeyPem(pair.publicKey),
          storage: secret ? 'GRAPH_ENCRYPTED' : 'DATA_DIR_FILE',
          sealedPrivateKey: secret ? sealPrivateKey(pem, secret, keyid) : null,
          privateKeyFile: file,
        });
        if (row!.created) {
          await appendEvent(tx, { type: EventType.SIGNING_KEY_CREATED, actor: 'pedigree', subjectId: keyid, after: { keyid, algorithm: 'Ed25519', storage: row!.key.storage } });
        }
        return row!.key;
      }, 'createSigningKey');
      if (stored.keyid !== keyid && file) rmSync(join(this.config.dataDir, 'signing-keys', keyFileName(keyid)), { force: true });
      return { keyid: stored.keyid, privateKey: stored.keyid === keyid ? pair.privateKey : this.privateOf(stored) };
    } catch (err) {
      if (file) rmSync(join(this.config.dataDir, 'signing-keys', file), { force: true });
      throw err;
    }
  }

  private privateOf(key: StoredKey): KeyObject {
    if (key.storage === 'GRAPH_ENCRYPTED') {
      if (!this.config.signingSecret) throw new Error(`signing key ${key.keyid} is sealed in the graph: set PEDIGREE_SIGNING_SECRET to the secret it was sealed with`);
      return importPrivateKeyPem(openPrivateKey(key.sealedPrivateKey!, this.config.signingSecret, key.keyid));
    }
    try {
      return importPrivateKeyPem(readKeyFile(this.config.dataDir, key.privateKeyFile!));
    } catch (err) {
      throw new Error(`signing key ${key.keyid} is kept in a file under the data directory of the replica that made it and cannot be read here (${(err as Error).message}); use PEDIGREE_SIGNING_SECRET with several replicas`);
    }
  }
}

function publicView(k: StoredKey): SigningKeyRecord {
  return { keyid: k.keyid, algorithm: k.algorithm, publicKey: k.publicKey, storage: k.storage, active: k.active, createdAt: k.createdAt };
}

const hex = (checksum: string | null | undefined): string | null => {
  const m = checksum ? /^sha256:([0-9a-f]{64})$/i.exec(checksum) : null;
  return m ? m[1]!.toLowerCase() : null;
};

/** The in-toto statement for a version: subject = its artifact, predicate = its lineage. */
export function buildProvenanceStatement(d: CardData, approvals: Approval[]): Statement {
  const v = d.version;
  const digest = hex(v.checksum);
  if (!digest) throw gateFailed(`version ${v.modelName}/${v.version} is unverified (no sha256 checksum): attach its checksum before attesting it`);
  const parent = (p: CardData['parents'][number]) =>
    p.kind === 'ProviderModel'
      ? { kind: 'ProviderModel', id: p.node.id, provider: p.node.provider, name: p.node.name, providerVersion: p.node.providerVersion }
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
          params: r.params ? JSON.parse(r.params) : {},
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
    otherParents: d.parents.filter((p) => p.relation !== 'FINE_TUNED_FROM' && p.relation !== 'DISTILLED_FROM').map((p) => ({ relation: p.relation, ...parent(p) })),
    evidence: d.evidence.map((e) => ({ kind: e.kind, passed: e.passed, by: e.by, at: e.at, uri: e.uri ?? null })),
    approvals: approvals.map((a) => ({ approver: a.approver, at: a.at, comment: a.comment ?? null })),
  };
  return buildStatement({ subjects: [{ name: `models:/${v.modelName}/${v.version}`, digest: { sha256: digest } }], predicate: JSON.parse(JSON.stringify(predicate)) });
}
