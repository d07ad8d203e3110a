import { badInput, DomainError } from '../errors.js';
import { appendEvents, EventType, type NewEvent } from '../events/event-log.js';
import { statement } from '../graph/cypher.js';
import type { Outcome, Tx, WriteBatch } from '../graph/executor.js';
import type { GovernanceGuard } from '../governance/guard.js';
import type { Caller } from '../governance/policy.js';
import { resolveRefsIn, unresolved } from './refs.js';
import type { AliasMove, VersionRecord } from './types.js';
import { MAX_ALIASES } from './validation.js';

const Q = {
  lock: statement('registry/lock-aliases'),
  point: statement('registry/point-aliases'),
};

/** One `setRegisteredModelAlias`, its names checked. */
export interface AliasMoveRequest {
  caller: Caller;
  modelName: string;
  alias: string;
  version: number;
}

/** The ALIAS_SET (or promotion, rollback) event of a move from `previous` to `target`. */
export function aliasMoved(
  actor: string,
  target: VersionRecord,
  alias: string,
  previous: VersionRecord | null,
  opts: { eventType?: string; reason?: string } = {},
): NewEvent {
  return {
    type: opts.eventType ?? EventType.ALIAS_SET,
    actor,
    modelName: target.modelName,
    alias,
    version: target.version,
    subjectId: target.id,
    before: previous ? { version: previous.version } : null,
    after: { version: target.version, ...(opts.reason ? { reason: opts.reason } : {}) },
  };
}

export function tooManyAliases(): DomainError {
  return badInput(`a model has at most ${MAX_ALIASES} aliases; move or delete one instead`, {
    field: 'alias',
    limit: MAX_ALIASES,
  });
}

/**
 * A group commit's run of alias moves as one batch (src/graph/executor.ts):
 * four statements whatever the count — targets resolved, the aliases locked
 * and read, each alias pointed at its last target, the events — where one by
 * one takes three per move. Moves of one alias chain: each move's previous
 * version is the one before it in the batch, exactly as one by one.
 */
export class AliasMoves {
  readonly batch: WriteBatch<AliasMoveRequest, AliasMove> = {
    name: 'setRegisteredModelAlias',
    run: (tx, items) => this.moveIn(tx, items),
  };

  constructor(private readonly guard: GovernanceGuard) {}

  private async moveIn(tx: Tx, items: readonly AliasMoveRequest[]): Promise<Outcome<AliasMove>[]> {
    const outcomes = new Array<Outcome<AliasMove> | undefined>(items.length);
    const refs = items.map((m) => ({ modelName: m.modelName, version: m.version }));
    const targets = await resolveRefsIn(tx, refs);
    for (let i = 0; i < items.length; i++) {
      const missing = unresolved(refs[i]!, targets[i]!);
      if (missing) {
        outcomes[i] = { ok: false, error: missing };
        continue;
      }
      // Governance: a protected alias moves only through an approved request (GATE_FAILED).
      try {
        await this.guard.aliasChange(tx, items[i]!.caller, {
          model: targets[i]!.model!,
          alias: items[i]!.alias,
          kind: 'set',
          version: items[i]!.version,
        });
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        outcomes[i] = { ok: false, error: err };
      }
    }
    const open = items.flatMap((_, i) => (outcomes[i] ? [] : [i]));
    if (open.length === 0) return outcomes as Outcome<AliasMove>[];

    const pairKey = (i: number) => JSON.stringify([items[i]!.modelName, items[i]!.alias]);
    const pairs = [
      ...new Map(open.map((i) => [pairKey(i), { modelName: items[i]!.modelName, alias: items[i]!.alias }])).entries(),
    ]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, p]) => p);
    const state = await tx.run<{
      modelName: string;
      alias: string;
      exists: boolean;
      previous: VersionRecord | null;
      aliases: number;
    }>(Q.lock, { pairs });
    const pointer = new Map(
      state.map((s) => [JSON.stringify([s.modelName, s.alias]), { exists: s.exists, current: s.previous }]),
    );
    const counts = new Map(state.map((s) => [s.modelName, s.aliases]));
    const moved: { i: number; previous: VersionRecord | null }[] = [];
    for (const i of open) {
      const p = pointer.get(pairKey(i))!;
      const target = targets[i]!.version!;
      if (!p.exists) {
        // Creating it would pass the model's cap: refused, after this batch took its locks.
        if (counts.get(items[i]!.modelName)! >= MAX_ALIASES) {
          outcomes[i] = { ok: false, error: tooManyAliases(), afterWrite: true };
          continue;
        }
        counts.set(items[i]!.modelName, counts.get(items[i]!.modelName)! + 1);
        p.exists = true;
      }
      moved.push({ i, previous: p.current });
      p.current = target;
    }
    const finals = new Map(
      moved.map(({ i }) => [
        pairKey(i),
        { modelName: items[i]!.modelName, alias: items[i]!.alias, versionId: targets[i]!.version!.id },
      ]),
    );
    await tx.run(Q.point, { moves: [...finals.values()] });
    const events = await appendEvents(
      tx,
      moved.map(({ i, previous }) =>
        aliasMoved(items[i]!.caller.name, targets[i]!.version!, items[i]!.alias, previous),
      ),
    );
    moved.forEach(({ i, previous }, k) => {
      const m = items[i]!;
      outcomes[i] = {
        ok: true,
        value: {
          modelName: m.modelName,
          alias: m.alias,
          version: targets[i]!.version,
          previousVersion: previous,
          sequence: events[k]!.sequence,
          at: events[k]!.at,
        },
      };
    });
    return outcomes as Outcome<AliasMove>[];
  }
}
