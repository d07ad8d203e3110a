import { Arg, Args, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../context.js';
import { ModelVersionRefInput } from '../common/model-version-ref.input.js';
import { ListPageArgs, toListPage } from '../common/page.js';
import { Attestation, AttestationVerification, SigningKey } from './attestation.types.js';

@Resolver()
export class AttestationResolver {
  @Query(() => [SigningKey], {
    description:
      'The keys Pedigree signs attestations with (public halves): its own first (active first), then those it keeps for approvers, by principal; a page at a time, `after` being the `keyid` of the last key of the previous page.',
  })
  async signingKeys(
    @Args(() => ListPageArgs) { first, after }: ListPageArgs,
    @Ctx() ctx: Context,
  ): Promise<SigningKey[]> {
    return ctx.services.attestations.signingKeys(toListPage(first, after));
  }

  @Query(() => Attestation, {
    description:
      'A signed in-toto provenance statement for a version: subject = artifact digest, predicate = lineage and approvals; co-signed by the approvers of its two-person promotions.',
  })
  async attestation(
    @Arg('ref', () => ModelVersionRefInput) ref: ModelVersionRefInput,
    @Ctx() ctx: Context,
  ): Promise<Attestation> {
    const a = await ctx.services.attestations.attestation(ref);
    return { envelope: a.envelope, statement: JSON.stringify(a.statement), keyid: a.keyid };
  }

  @Query(() => AttestationVerification, {
    description:
      "Checks a DSSE envelope against Pedigree's keys and its approvers' keys; valid needs Pedigree's own signature; a tampered envelope is not valid.",
  })
  async verifyAttestation(
    @Arg('envelope', () => String) envelope: string,
    @Ctx() ctx: Context,
  ): Promise<AttestationVerification> {
    const r = await ctx.services.attestations.verify(envelope);
    return { valid: r.valid, subjectDigest: r.subjectDigest, signers: r.signers, reason: r.reason };
  }
}
