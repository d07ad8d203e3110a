import { badInput, type DomainError } from '../errors.js';
import { appendEvents, EventType, type NewEvent } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Outcome, Tx, WriteBatch } from '../graph/executor.js';
import { resolveRefsIn, unresolved } from './refs.js';
import type { VersionRecord, VersionRef } from './types.js';
import { MAX_TAGS } from './validation.js';

const Q = {
  lock: statement('registry/lock-version-tags'),
  write: statement('registry/write-version-tags'),
};

/** One tag to set on a version, its key and value checked. */
export interface VersionTagChange {
  ref: VersionRef;
  key: string;
  value: string;
  actor: string;
}

export function tooManyTags(): DomainError {
  return badInput(`a model or a version has at most ${MAX_TAGS} tags; set an existing key instead`, {
    field: 'key',
    limit: MAX_TAGS,
  });
}

/** The VERSION_TAG_SET event of one change. */
export function versionTagSet(
  actor: string,
  v: VersionRecord,
  key: string,
  value: string,
  previous: string | null,
): NewEvent {
  return {
    type: EventType.VERSION_TAG_SET,
    actor,
    modelName: v.modelName,
    version: v.version,
    subjectId: v.id,
    before: previous === null ? null : { [key]: previous },
    after: { [key]: value },
  };
}

/**
 * Version tags set as one batch: a group commit's run of `setModelVersionTag`
 * (src/graph/executor.ts) and the all-or-nothing `setModelVersionTags`. Four
 * statements whatever the count — refs resolved, the versions locked and
 * their tags read, every tag written, the events — and each change's previous
 * value is the one before it in the batch, exactly as one by one.
 */
export class VersionTags {
  readonly batch: WriteBatch<VersionTagChange, VersionRecord> = {
    name: 'setModelVersionTag',
    run: (tx, items) => this.setIn(tx, items),
  };

  async setIn(tx: Tx, items: readonly VersionTagChange[]): Promise<Outcome<VersionRecord>[]> {
    const outcomes = new Array<Outcome<VersionRecord> | undefined>(items.length);
    const resolved = await resolveRefsIn(
      tx,
      items.map((c) => c.ref),
    );
    resolved.forEach((r, i) => {
      const missing = unresolved(items[i]!.ref, r);
      if (missing) outcomes[i] = { ok: false, error: missing };
    });
    const open = items.flatMap((_, i) => (outcomes[i] ? [] : [i]));
    if (open.length === 0) return outcomes as Outcome<VersionRecord>[];

    const versionOf = (i: number) => resolved[i]!.version!;
    const ids = [...new Set(open.map((i) => versionOf(i).id))];
    const current = await tx.run<{ id: string; tags: [string, string][] }>(Q.lock, { ids, maxTags: MAX_TAGS });
    const tags = new Map(current.map((c) => [c.id, new Map(c.tags)]));
    const changed: { i: number; previous: string | null }[] = [];
    for (const i of open) {
      const { key, value } = items[i]!;
      const mine = tags.get(versionOf(i).id)!;
      if (!mine.has(key) && mine.size >= MAX_TAGS) {
        outcomes[i] = { ok: false, error: tooManyTags(), afterWrite: true };
        continue;
      }
      changed.push({ i, previous: mine.get(key) ?? null });
      mine.set(key, value);
    }
    // Each (version, key) once, at its last value in the batch.
    const finals = new Map(
      changed.map(({ i }) => [
        JSON.stringify([versionOf(i).id, items[i]!.key]),
        { versionId: versionOf(i).id, key: items[i]!.key, value: items[i]!.value },
      ]),
    );
    const written = new Map(
      (await tx.run<{ id: string; version: VersionRecord }>(Q.write, { tags: [...finals.values()] })).map((r) => [
        r.id,
        r.version,
      ]),
    );
    await appendEvents(
      tx,
      changed.map(({ i, previous }) =>
        versionTagSet(items[i]!.actor, versionOf(i), items[i]!.key, items[i]!.value, previous),
      ),
    );
    for (const { i } of changed) outcomes[i] = { ok: true, value: written.get(versionOf(i).id)! };
    return outcomes as Outcome<VersionRecord>[];
  }
}
