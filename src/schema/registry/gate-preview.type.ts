import { Field, ObjectType } from 'type-graphql';
import { MAX_GATE_CHECKS } from '../../registry/lifecycle.service.js';
import { MaxItems } from '../common/page.js';
import type { Stage as DomainStage } from '../../registry/types.js';
import { Stage } from './enums.js';

@ObjectType({ description: 'One requirement of a stage gate, met or not now.' })
export class GateCheck {
  @Field(() => String, {
    description:
      '`replacement`, `checksum`, `metric`, `threshold:<metric>`, `evidence:<KIND>`, `card:<section>`, `checklist:<item>` or `rollback`.',
  })
  check!: string;

  @Field(() => Boolean)
  passed!: boolean;

  @Field(() => String, { description: 'What is required, for people.' })
  detail!: string;
}

@ObjectType({ description: "A stage gate evaluated now by the lifecycle's own rules, without moving anything." })
export class GatePreview {
  @Field(() => Stage)
  stage!: DomainStage;

  @Field(() => [GateCheck], { description: "The gate's requirements, met or not." })
  @MaxItems(MAX_GATE_CHECKS)
  checks!: GateCheck[];

  @Field(() => String, {
    nullable: true,
    description:
      'The GATE_FAILED (or BAD_USER_INPUT) message the transition would be refused with now; null: it would pass.',
  })
  refusal!: string | null;
}
