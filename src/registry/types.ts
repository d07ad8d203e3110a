/** Records as the registry hands them to the schema layer (plain data, ISO times). */

export const STAGES = ['DEVELOPMENT', 'STAGING', 'CANARY', 'PRODUCTION', 'ARCHIVED'] as const;
export type Stage = (typeof STAGES)[number];

export interface Tag {
  key: string;
  value: string;
}

export interface Metric {
  key: string;
  value: number;
  segment: string | null;
}

/**
 * What a registered model holds: MODEL versions (artefacts), or PROMPT
 * versions (templates, MLflow's prompt registry). A prompt is a registered
 * model of kind PROMPT (label :Prompt), so its versions, aliases, alias
 * history, events, subscriptions and governance are the registry's own.
 */
export const MODEL_KINDS = ['MODEL', 'PROMPT'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export interface ModelRecord {
  id: string;
  name: string;
  /** Absent on models recorded before kinds: MODEL. */
  kind?: ModelKind | null;
  description: string | null;
  owner: string | null;
  owners: string[];
  createdAt: string;
  updatedAt: string;
  protectedAliases: string[];
  gates: string | null;
  /** Items each version must have completed before PRODUCTION → ARCHIVED (null: none). */
  archivalChecklist?: string[] | null;
}

export interface VersionRecord {
  id: string;
  modelName: string;
  version: number;
  semver: string;
  stage: Stage;
  source: string;
  /** null while the version is unverified (registered through MLflow from an external source without one). */
  checksum: string | null;
  fingerprint: string | null;
  framework: string | null;
  description: string | null;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  everProduction: boolean;
  /** When it last left PRODUCTION (it is kept for the production retention period after). */
  leftProductionAt?: string | null;
  /** PROMPT for a prompt's version (its model's kind); absent on versions recorded before kinds: MODEL. */
  kind?: ModelKind | null;
  /** Present when the statement that produced the version also read its model (saves a round trip). */
  model?: ModelRecord;
  /**
   * Present when the alias view answered (src/registry/view): what it holds
   * beside the record, so the answer needs no further round trip. Absent:
   * read them through the loaders.
   */
  held?: { runId: string | null; tags: Tag[]; aliases: string[] };
}

/** A version by number or by alias ("latest" = highest version). */
export interface VersionRef {
  modelName: string;
  version?: number | null;
  alias?: string | null;
}

export interface AliasMove {
  modelName: string;
  alias: string;
  version: VersionRecord | null;
  previousVersion: VersionRecord | null;
  sequence: string;
  at: string;
}

export interface GateThreshold {
  metric: string;
  op: 'GT' | 'GTE' | 'LT' | 'LTE' | 'EQ';
  value: number;
}

export const EVIDENCE_KINDS = ['HUMAN_REVIEW', 'FAIRNESS_CHECK', 'SLO_VALIDATION', 'SIGN_OFF'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export interface Evidence {
  kind: EvidenceKind;
  passed: boolean;
  uri: string | null;
  summary: string | null;
  by: string;
  at: string;
}

/** Keys of one page of results: forward keyset pagination. */
export interface PageRequest {
  first: number;
  after: unknown[] | null;
}
