import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context.js';
import { ModelVersionRefInput } from '../common/model-version-ref.input.js';
import { ListPageArgs, toListPage } from '../common/page.js';
import { ModelCard, ModelCardSectionRevision } from './model-card.types.js';

@Resolver()
export class ModelCardResolver {
  @Query(() => ModelCard, {
    description: 'The model card of a version: generated sections from the graph, human sections as last written.',
  })
  async modelCard(
    @Arg('ref', () => ModelVersionRefInput) ref: ModelVersionRefInput,
    @Ctx() ctx: Context,
  ): Promise<ModelCard> {
    const card = await ctx.services.modelCards.modelCard(ref);
    return { markdown: card.markdown, sections: card.sections, missingRequiredSections: card.missing };
  }

  @Mutation(() => ModelCardSectionRevision, {
    description:
      'Writes a human section of the model card (a new revision; history kept): for the whole model (modelName) or one version (ref). Required before PRODUCTION: "Intended use and users", "Limitations and failure modes".',
  })
  async setModelCardSection(
    @Arg('modelName', () => String, { nullable: true }) modelName: string | null,
    @Arg('ref', () => ModelVersionRefInput, { nullable: true }) ref: ModelVersionRefInput | null,
    @Arg('title', () => String) title: string,
    @Arg('body', () => String) body: string,
    @Ctx() ctx: Context,
  ): Promise<ModelCardSectionRevision> {
    return ctx.services.modelCards.setSection(ctx.actor, { modelName, ref }, title, body);
  }

  @Query(() => [ModelCardSectionRevision], {
    description:
      'Every revision of one human-written card section of a model, newest first; a page at a time, `after` being the `id` of the last revision of the previous page.',
  })
  async modelCardSectionHistory(
    @Arg('modelName', () => String) modelName: string,
    @Arg('title', () => String) title: string,
    @Args(() => ListPageArgs) { first, after }: ListPageArgs,
    @Ctx() ctx: Context,
  ): Promise<ModelCardSectionRevision[]> {
    return ctx.services.modelCards.sectionHistory(modelName, title, toListPage(first, after));
  }
}
