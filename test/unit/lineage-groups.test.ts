import { describe, expect, it } from 'vitest';
import {
  groupId,
  groupLevel,
  parseGrouping,
  widestExpansion,
  type LevelBucket,
} from '../../src/provenance/lineage-groups.js';

// One level of the grouped lineage, as the database counted it, decided:
// what is shown, what is a group, what the walk goes on from and under which
// node or group, and which parents had members only counted.

const member = (i: number) => ({ eid: `e${i}`, id: `n${String(i).padStart(2, '0')}` });
const bucket = (o: Partial<LevelBucket> & Pick<LevelBucket, 'count'>): LevelBucket => ({
  attachedTo: 'root',
  relation: 'MADE_BY',
  kind: 'Prediction',
  up: false,
  members: [],
  onward: [],
  ...o,
});

describe('groupLevel', () => {
  it('shows a set of at most the threshold, walks on from its members under themselves, and reports nothing counted', () => {
    const members = [member(2), member(1)];
    const g = groupLevel([bucket({ count: 2, members, onward: ['e1'] })], 1, parseGrouping({ above: 2 }));
    expect(g.shown).toEqual([
      { ...member(1), kind: 'Prediction', depth: 1 },
      { ...member(2), kind: 'Prediction', depth: 1 },
    ]);
    expect(g.groups).toEqual([]);
    expect(g.edges).toEqual([]); // between shown nodes the graph's own edges are read later
    expect(g.frontier).toEqual([{ eid: 'e1', up: false, unit: 'n01' }]);
    expect(g.counted).toEqual(new Set());
    expect(g.reached).toBe(2);
  });

  it('groups a larger set, shows the opened members by id, and walks on from the rest under the group', () => {
    const id = groupId('root', 'USED', 'Run', true);
    const members = [member(3), member(1), member(2)]; // the database returns the widest window asked for
    const g = groupLevel(
      [bucket({ relation: 'USED', kind: 'Run', up: true, count: 10, members, onward: ['e1', 'e7', 'e9'] })],
      2,
      parseGrouping({ above: 8, expand: [{ group: id, show: 2 }] }),
    );
    expect(g.shown.map((n) => n.id)).toEqual(['n01', 'n02']);
    expect(g.groups).toEqual([
      { id, kind: 'Run', relation: 'USED', count: 8, shown: 2, depth: 2, attachedTo: 'root', upstream: true },
    ]);
    expect(g.edges).toEqual([{ from: 'root', to: id, relation: 'USED' }]);
    expect(g.frontier).toEqual([
      { eid: 'e1', up: true, unit: 'n01' },
      { eid: 'e7', up: true, unit: id },
      { eid: 'e9', up: true, unit: id },
    ]);
    // 10 members, 2 shown and 2 more walked on from: 6 were only counted under root.
    expect(g.counted).toEqual(new Set(['root']));
  });

  it('ties a shown member of a group, and the group itself, to the group it hangs under', () => {
    const parent = groupId('root', 'USED', 'Run', false);
    const id = groupId(parent, 'PRODUCED_BY', 'ModelVersion', false);
    const g = groupLevel(
      [
        bucket({
          attachedTo: parent,
          relation: 'PRODUCED_BY',
          kind: 'ModelVersion',
          count: 3,
          members: [member(1)],
          onward: [],
        }),
      ],
      2,
      parseGrouping({ above: 1, expand: [{ group: id, show: 1 }] }),
    );
    expect(g.edges).toEqual([
      { from: 'n01', to: parent, relation: 'PRODUCED_BY' },
      { from: id, to: parent, relation: 'PRODUCED_BY' },
    ]);
    expect(g.counted).toEqual(new Set([parent]));
  });

  it('orders sets by the node or group they hang under, relation and kind, upstream first', () => {
    const g = groupLevel(
      [
        bucket({ attachedTo: 'b', count: 1, members: [member(1)] }),
        bucket({ attachedTo: 'a', relation: 'USED', count: 1, members: [member(2)] }),
        bucket({ attachedTo: 'a', relation: 'MADE_BY', up: false, count: 1, members: [member(3)] }),
        bucket({ attachedTo: 'a', relation: 'MADE_BY', up: true, count: 1, members: [member(4)] }),
      ],
      1,
      parseGrouping({}),
    );
    expect(g.shown.map((n) => n.id)).toEqual(['n04', 'n03', 'n02', 'n01']);
  });

  it('refuses a level that returned fewer members than it must show', () => {
    expect(() => groupLevel([bucket({ count: 3, members: [member(1)] })], 1, parseGrouping({}))).toThrow(
      /3 members of Prediction via MADE_BY to show, 1 returned/,
    );
  });

  it('asks the database for as many members by id as the widest expansion', () => {
    expect(widestExpansion(parseGrouping({}))).toBe(0);
    expect(
      widestExpansion(
        parseGrouping({
          expand: [
            { group: groupId('a', 'USED', 'Run', true), show: 25 },
            { group: groupId('b', 'USED', 'Run', true), show: 3 },
          ],
        }),
      ),
    ).toBe(25);
  });
});
