import { Field, ObjectType } from 'type-graphql';
import { MAX_SIGNATURES } from '../../operations/attestation/dsse.js';
import { MaxItems } from '../common/page.js';
import { DateTimeScalar } from '../common/scalars.js';

@ObjectType({
  description:
    'An Ed25519 key Pedigree signs attestations with (public half): its own, or one it keeps for an approver.',
})
export class SigningKey {
  @Field(() => String, {
    description: '"sha256:" + hex SHA-256 of the SPKI DER public key; the keyid in DSSE signatures.',
  })
  keyid!: string;

  @Field(() => String, { description: 'SPKI PEM.' })
  publicKey!: string;

  @Field(() => String)
  algorithm!: string;

  @Field(() => DateTimeScalar)
  createdAt!: string;

  @Field(() => Boolean, { description: 'Whether new attestations are signed with it (older keys still verify).' })
  active!: boolean;

  @Field(() => String, {
    description: 'GRAPH_ENCRYPTED (sealed with PEDIGREE_SIGNING_SECRET) or DATA_DIR_FILE (0600 file on the server).',
  })
  storage!: string;

  @Field(() => String, {
    nullable: true,
    description:
      "The principal whose promotion approvals this key co-signs (made on their first approval); null for Pedigree's own key.",
  })
  principal!: string | null;
}

@ObjectType({ description: "A DSSE envelope around an in-toto Statement v1 about a version's artifact." })
export class Attestation {
  @Field(() => String, { description: 'The envelope as JSON text: { payload, payloadType, signatures }.' })
  envelope!: string;

  @Field(() => String, { description: 'The decoded statement (JSON text), for reading.' })
  statement!: string;

  @Field(() => String)
  keyid!: string;
}

@ObjectType()
export class AttestationVerification {
  @Field(() => Boolean)
  valid!: boolean;

  @Field(() => String, { nullable: true, description: '"sha256:<hex>" of the attested artifact (when valid).' })
  subjectDigest!: string | null;

  @Field(() => [String], {
    description:
      "Key ids of the keys whose signatures verified: Pedigree's own (required for validity) and approvers' (see signingKeys).",
  })
  @MaxItems(MAX_SIGNATURES)
  signers!: string[];

  @Field(() => String, { nullable: true, description: 'Why it is not valid.' })
  reason!: string | null;
}
