import { registerEnumType } from 'type-graphql';

export enum Stage {
  DEVELOPMENT = 'DEVELOPMENT',
  STAGING = 'STAGING',
  CANARY = 'CANARY',
  PRODUCTION = 'PRODUCTION',
  ARCHIVED = 'ARCHIVED',
}
registerEnumType(Stage, { name: 'Stage', description: 'Lifecycle stage; each transition is behind a gate.' });

export enum ModelKind {
  MODEL = 'MODEL',
  PROMPT = 'PROMPT',
}
registerEnumType(ModelKind, {
  name: 'ModelKind',
  description:
    "MODEL: versions are artefacts. PROMPT: versions are prompt templates (MLflow's prompt registry); aliases, alias history, aliasAt, events, subscriptions and governance are the registry's own.",
});

export enum VersionBump {
  MAJOR = 'MAJOR',
  MINOR = 'MINOR',
  PATCH = 'PATCH',
}
registerEnumType(VersionBump, {
  name: 'VersionBump',
  description:
    'ML semver: MAJOR = architecture change, MINOR = retrained (new data or hyperparameters), PATCH = configuration, threshold or dependency change.',
});

export enum ComparisonOp {
  GT = 'GT',
  GTE = 'GTE',
  LT = 'LT',
  LTE = 'LTE',
  EQ = 'EQ',
}
registerEnumType(ComparisonOp, { name: 'ComparisonOp' });

export enum OrderDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(OrderDirection, { name: 'OrderDirection' });

export enum ModelVersionOrderField {
  VERSION = 'VERSION',
  CREATED_AT = 'CREATED_AT',
  METRIC = 'METRIC',
}
registerEnumType(ModelVersionOrderField, { name: 'ModelVersionOrderField' });

export enum EvidenceKind {
  HUMAN_REVIEW = 'HUMAN_REVIEW',
  FAIRNESS_CHECK = 'FAIRNESS_CHECK',
  SLO_VALIDATION = 'SLO_VALIDATION',
  SIGN_OFF = 'SIGN_OFF',
}
registerEnumType(EvidenceKind, {
  name: 'EvidenceKind',
  description:
    'Gate evidence: → CANARY needs HUMAN_REVIEW and FAIRNESS_CHECK; → PRODUCTION needs SLO_VALIDATION and SIGN_OFF.',
});
