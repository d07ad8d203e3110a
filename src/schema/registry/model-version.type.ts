import { Field, ID, Int, ObjectType } from 'type-graphql';
import { CappedConnection } from '../common/connection.js';
import { SEARCH_COUNT_CAP } from '../../registry/version-search.js';
import { DateTimeScalar } from '../common/scalars.js';
import type { Stage as DomainStage } from '../../registry/types.js';
import { Stage } from './enums.js';

@ObjectType({ description: 'One registered version of a model. source and checksum never change.' })
export class ModelVersion {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: 'Per-model number: 1, 2, 3… with no gap.' })
  version!: number;

  @Field(() => String, { description: 'ML semver, e.g. "1.2.0".' })
  semver!: string;

  @Field(() => Stage)
  stage!: DomainStage;

  @Field(() => String, { description: 'Artifact URI.' })
  source!: string;

  @Field(() => String, {
    nullable: true,
    description:
      '"sha256:" + 64 hex digits of the artifact; null while the version is unverified (registered through MLflow from an external source without a checksum: it cannot enter STAGING until one is attached).',
  })
  checksum!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'sha256 over code commit, sorted dataset hashes, canonical params and seeds of the run; equal fingerprints are reproductions.',
  })
  fingerprint!: string | null;

  @Field(() => String, { nullable: true })
  framework!: string | null;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: string;

  @Field(() => DateTimeScalar)
  updatedAt!: string;

  @Field(() => String, { description: 'The principal who registered it.' })
  createdBy!: string;

  @Field(() => Boolean, { description: 'Whether it has ever been in PRODUCTION (it may then return as a rollback).' })
  everProduction!: boolean;

  modelName!: string;
}

export const ModelVersionConnection = CappedConnection(ModelVersion, SEARCH_COUNT_CAP);

@ObjectType({ description: 'An alias and the version it points to.' })
export class ModelAlias {
  @Field(() => String)
  alias!: string;

  @Field(() => ModelVersion)
  version!: ModelVersion;
}

@ObjectType({ description: 'The result of setting, deleting or rolling back an alias.' })
export class AliasMoveResult {
  @Field(() => String)
  modelName!: string;

  @Field(() => String)
  alias!: string;

  @Field(() => ModelVersion, { nullable: true, description: 'Where the alias points now (null after a delete).' })
  version!: ModelVersion | null;

  @Field(() => ModelVersion, { nullable: true, description: 'Where it pointed before (null when it is new).' })
  previousVersion!: ModelVersion | null;

  @Field(() => String, { description: 'Sequence of the event that recorded the move.' })
  sequence!: string;

  @Field(() => DateTimeScalar)
  at!: string;
}

@ObjectType({ description: 'Gate evidence recorded on a version.' })
export class Evidence {
  @Field(() => String)
  kind!: string;

  @Field(() => Boolean)
  passed!: boolean;

  @Field(() => String, { nullable: true })
  uri!: string | null;

  @Field(() => String, { nullable: true })
  summary!: string | null;

  @Field(() => String)
  by!: string;

  @Field(() => DateTimeScalar)
  at!: string;
}
