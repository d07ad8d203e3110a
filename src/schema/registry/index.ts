import { AliasResolver } from './alias.resolver.js';
import { ArchivalResolver } from './archival.resolver.js';
import { AuditResolver } from './audit.resolver.js';
import { ModelVersionResolver } from './model-version.resolver.js';
import { RegisteredModelResolver } from './registered-model.resolver.js';

export const registryResolvers = [
  RegisteredModelResolver,
  ModelVersionResolver,
  AliasResolver,
  AuditResolver,
  ArchivalResolver,
] as const;
