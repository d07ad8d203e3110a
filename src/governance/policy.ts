import { hasRole, Role } from './roles.js';

/**
 * WHO MAY CALL WHAT: the one table every GraphQL root field is checked
 * against (src/server/authorize.ts wraps each Query, Mutation and
 * Subscription field of the built schema with {@link decide}). Default deny: a
 * root field missing here is refused for everyone, and
 * test/unit/policy.test.ts fails until it is listed. Adding an operation means
 * adding a line here.
 *
 * The value is the weakest role allowed (roles are cumulative, see
 * ./roles.ts). Finer rules live in the services: e.g. a CONTRIBUTOR may call
 * `transitionModelVersionStage`, but only DEVELOPMENT → STAGING passes without
 * a promotion request; `approvePromotion` needs an owner of the model or a
 * REVIEWER; `setModelOwners` needs an ADMIN or a current owner.
 *
 * Field-level checks only apply to root fields: what is reachable from a root
 * field is readable by whoever may call it.
 */
export const POLICY: Readonly<Record<string, Role>> = Object.freeze({
  // ---- reads: queries and subscriptions
  'Query.serverInfo': Role.VIEWER,
  'Query.viewer': Role.VIEWER,
  'Query.registeredModel': Role.VIEWER,
  'Query.registeredModels': Role.VIEWER,
  'Query.modelVersion': Role.VIEWER,
  'Query.modelVersionByAlias': Role.VIEWER,
  'Query.resolveModelUri': Role.VIEWER,
  'Query.searchModelVersions': Role.VIEWER,
  'Query.aliasHistory': Role.VIEWER,
  'Query.aliasAt': Role.VIEWER,
  'Query.auditLog': Role.VIEWER,
  'Query.tracePrediction': Role.VIEWER,
  'Query.lineage': Role.VIEWER,
  'Query.datasetImpact': Role.VIEWER,
  'Query.deploymentAt': Role.VIEWER,
  'Query.modelCard': Role.VIEWER,
  'Query.attestation': Role.VIEWER,
  'Query.verifyAttestation': Role.VIEWER,
  'Query.promotionRequest': Role.VIEWER,
  'Query.datasetVersion': Role.VIEWER,
  'Query.run': Role.VIEWER,
  'Query.providerModels': Role.VIEWER,
  'Query.modelVersionsByFingerprint': Role.VIEWER,
  'Query.promotionRequests': Role.VIEWER,
  'Query.deployment': Role.VIEWER,
  'Query.deploymentHistory': Role.VIEWER,
  'Query.deployments': Role.VIEWER,
  'Query.modelCardSectionHistory': Role.VIEWER,
  'Query.signingKeys': Role.VIEWER,
  'Query.providerChangeLog': Role.VIEWER,
  'Query.deploymentsOnDeprecatedProviderVersions': Role.VIEWER,
  'Query.monitoringRules': Role.VIEWER,
  'Query.alerts': Role.VIEWER,
  'Query.versionsRegistered': Role.VIEWER, // analytics (src/analytics/)
  'Query.versionCountsByStage': Role.VIEWER,
  'Query.promotionLeadTime': Role.VIEWER,
  'Query.timeInStage': Role.VIEWER,
  'Query.aliasActivity': Role.VIEWER,
  'Query.predictionVolume': Role.VIEWER,
  'Query.staleProductionModels': Role.VIEWER,
  'Query.runs': Role.VIEWER, // an OpenLineage job's runs (src/provenance/openlineage)
  'Query.job': Role.VIEWER,
  'Subscription.aliasChanged': Role.VIEWER,
  'Subscription.registryEvents': Role.VIEWER,

  // ---- contributions: register things, tags, unprotected aliases, DEVELOPMENT → STAGING
  'Mutation.createRegisteredModel': Role.CONTRIBUTOR,
  'Mutation.updateRegisteredModel': Role.CONTRIBUTOR,
  'Mutation.createModelVersion': Role.CONTRIBUTOR,
  'Mutation.createModelVersions': Role.CONTRIBUTOR,
  'Mutation.createPromptVersion': Role.CONTRIBUTOR,
  'Mutation.copyModelVersion': Role.CONTRIBUTOR,
  'Mutation.updateModelVersion': Role.CONTRIBUTOR,
  'Mutation.addModelVersionEvidence': Role.CONTRIBUTOR,
  'Mutation.setModelVersionTag': Role.CONTRIBUTOR,
  'Mutation.setModelVersionTags': Role.CONTRIBUTOR,
  'Mutation.deleteModelVersionTag': Role.CONTRIBUTOR,
  'Mutation.setRegisteredModelTag': Role.CONTRIBUTOR,
  'Mutation.deleteRegisteredModelTag': Role.CONTRIBUTOR,
  'Mutation.setRegisteredModelAlias': Role.CONTRIBUTOR, // protected aliases: only through requestPromotion
  'Mutation.deleteRegisteredModelAlias': Role.CONTRIBUTOR,
  // without force (which the registry keeps for ADMIN) only a model with no PRODUCTION version and no alias
  'Mutation.deleteRegisteredModel': Role.CONTRIBUTOR,
  'Mutation.transitionModelVersionStage': Role.CONTRIBUTOR, // beyond STAGING: only through requestPromotion
  'Mutation.registerDatasetVersion': Role.CONTRIBUTOR,
  'Mutation.createRun': Role.CONTRIBUTOR,
  'Mutation.finishRun': Role.CONTRIBUTOR,
  'Mutation.logPredictions': Role.CONTRIBUTOR,
  'Mutation.registerProviderModel': Role.CONTRIBUTOR,
  'Mutation.addModelRelation': Role.CONTRIBUTOR,
  'Mutation.recordDeployment': Role.CONTRIBUTOR,
  'Mutation.setModelCardSection': Role.CONTRIBUTOR,
  'Mutation.recordProviderVersion': Role.CONTRIBUTOR,
  'Mutation.deprecateProviderVersion': Role.CONTRIBUTOR,
  'Mutation.ingestHealthSignals': Role.CONTRIBUTOR, // monitoring agents
  'Mutation.requestPromotion': Role.CONTRIBUTOR,
  // an owner who is a CONTRIBUTOR may approve as the owner; the service checks owner-or-REVIEWER
  'Mutation.approvePromotion': Role.CONTRIBUTOR,
  'Mutation.rejectPromotion': Role.CONTRIBUTOR,
  // the archival checklist: setting it needs ADMIN or an owner (checked by the service); any contributor records done
  // items
  'Mutation.setArchivalChecklist': Role.CONTRIBUTOR,
  'Mutation.completeArchivalChecklistItem': Role.CONTRIBUTOR,
  'Mutation.rollbackDrill': Role.CONTRIBUTOR, // a check; it records evidence in the caller's name

  // ---- review
  'Mutation.rollback': Role.REVIEWER,
  'Mutation.setProviderVersionQualification': Role.REVIEWER, // qualifying a provider version is a review decision

  // ---- administration: tokens, owners, gates, protected aliases, webhooks
  'Query.apiTokens': Role.ADMIN,
  'Mutation.createApiToken': Role.ADMIN,
  'Mutation.revokeApiToken': Role.ADMIN,
  'Mutation.setModelOwners': Role.CONTRIBUTOR, // ADMIN or a current owner: checked by the service
  'Mutation.setProtectedAliases': Role.ADMIN,
  'Mutation.setModelGates': Role.ADMIN,
  'Mutation.setMonitoringRule': Role.ADMIN, // a rule may roll an alias back on its own
  'Mutation.registerWebhook': Role.ADMIN,
  'Mutation.deleteWebhook': Role.ADMIN,
  'Query.webhooks': Role.ADMIN,
  'Query.webhookDeliveries': Role.ADMIN,
});

export type OperationKind = 'query' | 'mutation' | 'subscription';

/**
 * The root fields (`Query.x`, `Mutation.x`, `Subscription.x`) a role may
 * call, by this table, sorted: what a client shows as available to its user.
 * Finer rules (owners, protected targets, the two-person rule) are still
 * decided by the services on each call.
 */
export function fieldsAllowed(role: Role | null, policy: Readonly<Record<string, Role>> = POLICY): string[] {
  return Object.entries(policy)
    .filter(([, required]) => hasRole(role, required))
    .map(([field]) => field)
    .sort();
}

export type Decision = { allowed: true } | { allowed: false; code: 'UNAUTHENTICATED' | 'FORBIDDEN'; message: string };

export interface Caller {
  name: string;
  /** null: no token was presented (anonymous). */
  role: Role | null;
}

/**
 * The decision for one root field. Anonymous callers get queries that a
 * VIEWER may run, and only when `anonymousRead` is on (never mutations or
 * subscriptions).
 */
export function decide(
  caller: Caller,
  field: string,
  operation: OperationKind,
  opts: { anonymousRead: boolean },
  policy: Readonly<Record<string, Role>> = POLICY,
): Decision {
  const required = Object.prototype.hasOwnProperty.call(policy, field) ? policy[field] : undefined;
  if (required === undefined) {
    return {
      allowed: false,
      code: 'FORBIDDEN',
      message: `${field} has no authorisation policy, so nobody may call it (add it to src/governance/policy.ts)`,
    };
  }
  if (caller.role === null) {
    if (opts.anonymousRead && operation === 'query' && required === Role.VIEWER) return { allowed: true };
    return {
      allowed: false,
      code: 'UNAUTHENTICATED',
      message: `${field} needs a valid API token (Authorization: Bearer <token>)`,
    };
  }
  if (hasRole(caller.role, required)) return { allowed: true };
  return {
    allowed: false,
    code: 'FORBIDDEN',
    message: `${field} needs role ${required} or higher; principal "${caller.name}" has role ${caller.role}`,
  };
}
