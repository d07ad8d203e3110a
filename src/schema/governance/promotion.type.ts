import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { LogConnection } from '../common/connection.js';
import { MAX_APPROVALS } from '../../governance/promotion-rules.js';
import { MAX_EVIDENCE, MAX_OWNERS } from '../../governance/promotion.service.js';
import { MaxItems } from '../common/page.js';
import { DateTimeScalar } from '../common/scalars.js';
import { Stage } from '../registry/enums.js';
import { Role } from './role.enum.js';

export enum PromotionStatus {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  EXPIRED = 'EXPIRED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(PromotionStatus, {
  name: 'PromotionStatus',
  description:
    'PENDING until approved (and carried out), rejected, or past its expiry; CANCELLED when its model was renamed or deleted, or its version deleted (reason says which).',
});

export enum ApprovalRule {
  ONE_REVIEWER = 'ONE_REVIEWER',
  TWO_PERSON = 'TWO_PERSON',
}
registerEnumType(ApprovalRule, {
  name: 'ApprovalRule',
  description:
    'ONE_REVIEWER (CANARY, and taking a version out of CANARY or PRODUCTION): a REVIEWER/ADMIN other than the requester. TWO_PERSON (PRODUCTION, protected aliases): two distinct principals, neither the requester, one an owner and one a REVIEWER/ADMIN.',
});

@InputType({
  description:
    'Where to promote: exactly one of a stage (CANARY, PRODUCTION, or another stage for a version leaving CANARY or PRODUCTION) or a protected alias.',
})
export class PromotionTargetInput {
  @Field(() => Stage, { nullable: true })
  stage?: Stage | null;

  @Field(() => String, { nullable: true })
  alias?: string | null;
}

@ObjectType()
export class PromotionTarget {
  @Field(() => Stage, { nullable: true })
  stage!: Stage | null;

  @Field(() => String, { nullable: true })
  alias!: string | null;
}

@ObjectType({ description: 'Evidence attached to a promotion request.' })
export class PromotionEvidence {
  @Field(() => String)
  kind!: string;

  @Field(() => Boolean)
  passed!: boolean;

  @Field(() => String, { nullable: true })
  uri!: string | null;

  @Field(() => String, { nullable: true })
  summary!: string | null;
}

@ObjectType()
export class PromotionApproval {
  @Field(() => String)
  approver!: string;

  @Field(() => Role, { description: "The approver's role when approving." })
  role!: Role;

  @Field(() => Boolean, { description: 'Whether the approver owned the model when approving.' })
  asOwner!: boolean;

  @Field(() => String, { nullable: true })
  comment!: string | null;

  @Field(() => DateTimeScalar)
  at!: string;
}

@ObjectType({ description: 'A request to move a version to CANARY or PRODUCTION, or a protected alias to it.' })
export class PromotionRequest {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      'The version node the request is for: approvals carry the promotion out on it, whatever its model is called by then (null once it was deleted).',
  })
  versionId!: string | null;

  @Field(() => String, { description: "The version's model name now." })
  modelName!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => PromotionTarget)
  target!: PromotionTarget;

  @Field(() => ApprovalRule)
  rule!: ApprovalRule;

  @Field(() => PromotionStatus)
  status!: PromotionStatus;

  @Field(() => String)
  requestedBy!: string;

  @Field(() => DateTimeScalar)
  requestedAt!: string;

  @Field(() => DateTimeScalar)
  expiresAt!: string;

  @Field(() => [PromotionEvidence], { description: `At most ${MAX_EVIDENCE}.` })
  @MaxItems(MAX_EVIDENCE)
  evidence!: PromotionEvidence[];

  @Field(() => [PromotionApproval], { description: `Oldest first; at most ${MAX_APPROVALS}.` })
  @MaxItems(MAX_APPROVALS)
  approvals!: PromotionApproval[];

  @Field(() => DateTimeScalar, { nullable: true })
  decidedAt!: string | null;

  @Field(() => String, { nullable: true, description: 'The approver who completed it, or who rejected it.' })
  decidedBy!: string | null;

  @Field(() => String, { nullable: true, description: 'The rejection or cancellation reason.' })
  reason!: string | null;

  @Field(() => [String], {
    description: "The owners of the version's model now (an owner may approve a TWO_PERSON promotion as the owner).",
  })
  @MaxItems(MAX_OWNERS)
  owners!: string[];

  @Field(() => String, {
    nullable: true,
    description:
      "For a carried-out TWO_PERSON promotion: the DSSE envelope (JSON text) recording it, an in-toto statement about the version's artifact with the promotion and its approvals in the predicate, signed by Pedigree's key and every approver's key (see signingKeys; check it with verifyAttestation). Null otherwise.",
  })
  attestation!: string | null;
}

export const PromotionRequestConnection = LogConnection(PromotionRequest);

@ObjectType({
  description:
    "What the principal making the request may do with a promotion request now, decided by the rules approvePromotion and rejectPromotion apply (the policy table, the request's state, the approval rule).",
})
export class PromotionRights {
  @Field(() => Boolean)
  approve!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'The message approvePromotion would refuse with now (null when it would accept).',
  })
  approveRefusal!: string | null;

  @Field(() => Boolean, {
    description: "True when this principal's approval would satisfy the rule, carrying the promotion out.",
  })
  approvalCarriesOut!: boolean;

  @Field(() => Boolean)
  reject!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'The message rejectPromotion would refuse with now (null when it would accept).',
  })
  rejectRefusal!: string | null;
}

@InputType()
export class PromotionRequestFilter {
  @Field(() => PromotionStatus, {
    nullable: true,
    description: 'EXPIRED: PENDING past its expiry; PENDING: not yet expired.',
  })
  status?: PromotionStatus | null;

  @Field(() => String, {
    nullable: true,
    description: 'Requests for versions of this model (by the version node: a rename keeps them).',
  })
  modelName?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Only PENDING requests the principal making the request may approve now (the promotions inbox), by the rules approvePromotion applies.',
  })
  approvableByViewer?: boolean | null;
}
