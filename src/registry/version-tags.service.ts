import { notFound } from '../errors.js';
import { appendEvent, EventType } from '../events/event-log.js';
import type { Caller } from '../governance/policy.js';
import { statement } from '../graph/cypher.js';
import type { Executor } from '../graph/executor.js';
import { allOrNothing, assertBulkSize, atItem } from './bulk.js';
import type { RegistryLookup } from './lookup.js';
import { assertNotFixedTag } from './prompts.js';
import { checkRef } from './refs.js';
import type { VersionRecord, VersionRef } from './types.js';
import { assertTag, MAX_TAGS } from './validation.js';
import { tooManyTags, versionTagSet, VersionTags, type VersionTagChange } from './version-tags.js';

const Q = {
  setVersionTag: statement('registry/set-version-tag'),
  deleteVersionTag: statement('registry/delete-version-tag'),
};

/**
 * A model version's tags: set (one, or many all or nothing) and deleted, each
 * change a VERSION_TAG_SET or VERSION_TAG_DELETED event in its transaction.
 * A prompt's markers are fixed (src/registry/prompts.ts); under load, tag
 * changes run as one batch (src/registry/version-tags.ts).
 */
export class VersionTagsService {
  private readonly versionTags = new VersionTags();

  constructor(
    private readonly executor: Executor,
    private readonly lookup: RegistryLookup,
  ) {}

  async setVersionTag(
    caller: Pick<Caller, 'name'>,
    ref: VersionRef,
    key: string,
    value: string,
  ): Promise<VersionRecord> {
    assertTag(key, value);
    assertNotFixedTag(key);
    // The ref's shape before the write queues: a malformed one is refused here, not inside a batch.
    checkRef(ref);
    const change: VersionTagChange = { ref, key, value, actor: caller.name };
    return this.executor.writeTx(
      async (tx) => {
        const v = await this.lookup.requireVersion(tx, ref);
        const [row] = await tx.run<{ version: VersionRecord; previous: string | null; full: boolean }>(
          Q.setVersionTag,
          { versionId: v.id, key, value, maxTags: MAX_TAGS },
        );
        if (row!.full) throw tooManyTags();
        await appendEvent(tx, versionTagSet(caller.name, v, key, value, row!.previous));
        return row!.version;
      },
      'setModelVersionTag',
      { batch: { kind: this.versionTags.batch, item: change } },
    );
  }

  /**
   * Sets tags on versions (several on one version, or across versions) in one
   * transaction, all or nothing: each change is what setModelVersionTag does
   * (the same rules, the same VERSION_TAG_SET event), and when one fails
   * nothing is written and the error names it (`tags[i]`). Setting a tag to
   * the value it has is harmless to repeat.
   */
  async setVersionTags(
    caller: Pick<Caller, 'name'>,
    changes: readonly { ref: VersionRef; key: string; value: string }[],
  ): Promise<VersionRecord[]> {
    assertBulkSize(changes.length, 'tags', 'tag changes');
    changes.forEach((c, i) =>
      atItem('tags', i, () => {
        assertTag(c.key, c.value);
        assertNotFixedTag(c.key);
        checkRef(c.ref);
      }),
    );
    if (changes.length === 0) return [];
    return this.executor.writeTx(
      async (tx) =>
        allOrNothing(
          'tags',
          await this.versionTags.setIn(
            tx,
            changes.map((c) => ({ ...c, actor: caller.name })),
          ),
        ),
      'setModelVersionTags',
      {
        alone: true,
      },
    );
  }

  async deleteVersionTag(caller: Pick<Caller, 'name'>, ref: VersionRef, key: string): Promise<VersionRecord> {
    assertTag(key, null);
    assertNotFixedTag(key);
    return this.executor.writeTx(async (tx) => {
      const v = await this.lookup.requireVersion(tx, ref);
      const [row] = await tx.run<{ version: VersionRecord; previous: string }>(Q.deleteVersionTag, {
        versionId: v.id,
        key,
      });
      if (!row) throw notFound(`version ${v.version} of "${v.modelName}" has no tag "${key}"`);
      await appendEvent(tx, {
        type: EventType.VERSION_TAG_DELETED,
        actor: caller.name,
        modelName: v.modelName,
        version: v.version,
        subjectId: v.id,
        before: { [key]: row.previous },
      });
      return row.version;
    }, 'deleteModelVersionTag');
  }
}
