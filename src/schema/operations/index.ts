import { DeploymentResolver } from './deployment.resolver.js';
import { ModelCardResolver } from './model-card.resolver.js';

export const operationsResolvers = [DeploymentResolver, ModelCardResolver] as const;
