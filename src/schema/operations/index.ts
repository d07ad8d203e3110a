import { DeploymentResolver } from './deployment.resolver.js';
import { ModelCardResolver } from './model-card.resolver.js';
import { AttestationResolver } from './attestation.resolver.js';
import { ProviderChangeLogResolver } from './provider-change-log.resolver.js';
import { MonitoringResolver } from './monitoring.resolver.js';

export const operationsResolvers = [
  DeploymentResolver,
  ModelCardResolver,
  AttestationResolver,
  ProviderChangeLogResolver,
  MonitoringResolver,
] as const;
