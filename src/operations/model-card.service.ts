import { badInput, notFound } from '../errors.js';
import { appendEvent, EventType } from '../events/event-log.js';
import type { Caller } from '../governance/policy.js';
import { statement } from '../graph/cypher.js';
import type { Executor, Tx } from '../graph/executor.js';
import type { RegistryLookup } from '../registry/lookup.js';
import type { VersionRef } from '../registry/types.js';
import {
  GENERATED_SECTION_COUNT,
  renderModelCard,
  sectionKey,
  titleFor,
  type CardData,
  type CardSectionRecord,
  type ModelCard,
} from './model-card.js';
import { unknownAfter, type ListPage } from '../paging.js';

const Q = {
  data: statement('operations/model-card-data'),
  setSection: statement('operations/set-card-section'),
  history: statement('operations/card-section-history'),
};

export const MAX_SECTION_BODY = 20_000;
/** Current human-written sections of one model, or of one version (a section with a new title past it is refused). */
export const MAX_HUMAN_SECTIONS = 40;
/** Sections of a rendered card: the generated ones, and the human ones of the model and of the version. */
export const MAX_CARD_SECTIONS = GENERATED_SECTION_COUNT + 2 * MAX_HUMAN_SECTIONS;

export interface CardSectionRevision extends CardSectionRecord {
  /** Names the revision (the `after` of a history page). */
  id: string;
  version: number | null;
}

/**
 * Model cards: generated sections are rendered from the graph on every read
 * (one statement for the whole card), human-written sections are stored as
 * revisions on the model or on one version.
 */
export class ModelCardService {
  constructor(
    private readonly executor: Executor,
    private readonly registry: RegistryLookup,
  ) {}

  async modelCard(ref: VersionRef): Promise<ModelCard & { data: CardData }> {
    const data = await this.executor.readTx(async (tx) => {
      const v = await this.registry.requireVersion(tx, ref);
      return this.cardData(tx, v.id);
    }, 'modelCard');
    return { ...renderModelCard(data), data };
  }

  /** The card's raw data for a version inside the caller's transaction (attestations read it too). */
  async cardData(tx: Tx, versionId: string): Promise<CardData> {
    const [row] = await tx.run<CardData>(Q.data, { versionId });
    if (!row) throw new Error(`model-card-data found no version ${versionId}`);
    return row;
  }

  /**
   * Writes a new revision of a human-written section, model-wide (`modelName`)
   * or for one version (`ref`). An empty body clears it (a revision too).
   */
  async setSection(
    caller: Pick<Caller, 'name'>,
    target: { modelName?: string | null; ref?: VersionRef | null },
    title: string,
    body: string,
  ): Promise<CardSectionRevision> {
    if (!!target.modelName === !!target.ref)
      throw badInput('give exactly one of modelName (the whole model) and ref (one version)', { field: 'ref' });
    const key = sectionKey(title);
    if (typeof body !== 'string' || body.length > MAX_SECTION_BODY)
      throw badInput(`body must be at most ${MAX_SECTION_BODY} characters of Markdown`, { field: 'body' });
    return this.executor.writeTx(async (tx) => {
      let modelName: string;
      let versionId: string | null = null;
      let version: number | null = null;
      if (target.ref) {
        const v = await this.registry.requireVersion(tx, target.ref);
        modelName = v.modelName;
        versionId = v.id;
        version = v.version;
      } else {
        modelName = target.modelName!;
      }
      const [row] = await tx.run<{
        section: CardSectionRecord & { id: string };
        previousRevision: number | null;
        subjectId: string;
        full: boolean;
      }>(Q.setSection, {
        modelName,
        versionId,
        key,
        title: titleFor(key, title),
        body,
        actor: caller.name,
        maxSections: MAX_HUMAN_SECTIONS,
      });
      if (!row) throw notFound(`no registered model named "${modelName}"`, { field: 'modelName' });
      if (row.full) {
        throw badInput(
          `a model, or a version, has at most ${MAX_HUMAN_SECTIONS} human-written card sections; write to an existing title instead`,
          { field: 'title', limit: MAX_HUMAN_SECTIONS },
        );
      }
      await appendEvent(tx, {
        type: EventType.MODEL_CARD_SECTION_SET,
        actor: caller.name,
        modelName,
        version,
        subjectId: row.subjectId,
        before: row!.previousRevision ? { revision: row!.previousRevision } : null,
        after: { key, title: row!.section.title, revision: row!.section.revision, scope: row!.section.scope },
      });
      return { ...row!.section, version };
    }, 'setModelCardSection');
  }

  /**
   * A page of the revisions of a section of a model (model-wide and per version), newest first, after the revision with
   * id `after`.
   */
  async sectionHistory(modelName: string, title: string, page: ListPage): Promise<CardSectionRevision[]> {
    const key = sectionKey(title);
    const [row] = await this.executor.read<{ known: boolean; sections: CardSectionRevision[] }>(Q.history, {
      modelName,
      key,
      after: page.after,
      limit: page.first,
    });
    if (!row!.known) throw unknownAfter('revision of this section');
    return row!.sections.map((s) => ({ ...s, version: s.version ?? null }));
  }
}
