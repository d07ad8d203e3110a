import type { Config } from '../config.js';
import type { Executor } from '../graph/executor.js';
import { CLOSED_GUARD, type GovernanceGuard } from '../governance/guard.js';
import { AliasesService } from './aliases.service.js';
import { RegistryLookup } from './lookup.js';
import { ModelsService } from './models.service.js';
import { RegistryReads } from './reads.js';
import type { SourceArtifacts } from './version-registration.js';
import type { AliasViewSource } from './view/alias-view.runtime.js';
import { VersionSearch } from './version-search.js';
import { VersionTagsService } from './version-tags.service.js';
import { VersionsService } from './versions.service.js';

/**
 * The registry's services, one per aggregate, each called directly by the
 * transports and services that need it (this is a record of them, not a
 * facade): models, versions, versions' tags, aliases; lookups by name, ref, URI and id, which
 * every service acting on a version goes through; the batched reads behind
 * loaders and MLflow's lists; and version search. Stages and their gates are
 * LifecycleService's (src/registry/lifecycle.service.ts).
 */
export interface Registry {
  models: ModelsService;
  versions: VersionsService;
  versionTags: VersionTagsService;
  aliases: AliasesService;
  lookup: RegistryLookup;
  reads: RegistryReads;
  search: VersionSearch;
}

/**
 * Builds the registry's services in dependency order. Without a guard, every
 * governed target is refused (CLOSED_GUARD); only createServices' test option
 * opens it.
 */
export function createRegistry(
  executor: Executor,
  config: Pick<Config, 'allowFileSources' | 'productionRetentionDays' | 'protectedAliases'>,
  /** Checksums and write-once seals of sources in Pedigree's artifact store. */
  artifacts: SourceArtifacts,
  /** Governance's rules for direct changes of governed targets. */
  guard: GovernanceGuard = CLOSED_GUARD,
  /** The alias view (src/registry/view), when the process runs one. */
  view: AliasViewSource | null = null,
): Registry {
  const lookup = new RegistryLookup(executor, view);
  const reads = new RegistryReads(executor);
  return {
    models: new ModelsService(executor, config, guard, lookup),
    versions: new VersionsService(executor, config, artifacts, lookup, reads),
    versionTags: new VersionTagsService(executor, lookup),
    aliases: new AliasesService(executor, guard, lookup),
    lookup,
    reads,
    search: new VersionSearch(executor),
  };
}
