import { DeploymentResolver } from './deployment.resolver.js';

export const operationsResolvers = [DeploymentResolver] as const;
