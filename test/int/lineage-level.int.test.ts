import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statement } from '../../src/graph/cypher.js';
import { LINEAGE_RELATIONS } from '../../src/provenance/lineage.js';
import { uniq } from '../support/graphql.js';
import { startTestServer, type TestServer } from '../support/server.js';

// The grouped walk's level statement at its budget: it reads at most $room
// new nodes and, when there were more, says so in a row of its own (`cut`, no
// set), so the walk keeps exactly what fits and stops. The walk's budget is
// 100,000 nodes; here the statement is run with a small room.

const level = statement('provenance/lineage-level');
const root = statement('provenance/lineage-root');

interface Row {
  cut: boolean | null;
  attachedTo: string | null;
  relation: string | null;
  kind: string | null;
  up: boolean | null;
  count: number;
  members: { eid: string; id: string }[];
  onward: string[];
}

let t: TestServer;
let eid = '';
let id = '';
let predictions: string[] = [];

beforeAll(async () => {
  t = await startTestServer();
  const model = uniq('budget');
  await t.app.services.registry.models.createModel({ name: 'test' }, { name: model });
  const v = await t.app.services.registry.versions.createVersion(
    { name: 'test' },
    { modelName: model, source: 's3://budget/model', checksum: `sha256:${'b'.repeat(64)}` },
  );
  predictions = Array.from({ length: 30 }, (_, i) => `${model}-${i}`);
  await t.app.services.provenance.predictions.logPredictions(
    { name: 'test' },
    { model: { modelName: model, version: v.version }, predictions: predictions.map((p) => ({ id: p })) },
  );
  id = v.id;
  eid = (await t.app.executor.read<{ eid: string }>(root, { id }))[0]!.eid;
});
afterAll(async () => {
  await t?.close();
});

const read = (room: number, window = 0) =>
  t.app.executor.read<Row>(level, {
    frontier: [{ eid, up: false, unit: id }],
    relations: [...LINEAGE_RELATIONS],
    seen: [eid],
    priorUp: [],
    priorDown: [],
    room,
    above: 8,
    window,
    last: true,
  });
const sets = (rows: Row[]) => rows.filter((r) => !r.cut);

describe('provenance/lineage-level at the budget', () => {
  it('counts all 30 predictions when there is room for them, and says nothing is cut', async () => {
    for (const room of [30, 100]) {
      const rows = await read(room);
      expect(rows.some((r) => r.cut)).toBe(false);
      expect(rows).toEqual([
        {
          cut: null,
          attachedTo: id,
          relation: 'MADE_BY',
          kind: 'Prediction',
          up: false,
          count: 30,
          members: [],
          onward: [],
        },
      ]);
    }
  });

  it('keeps exactly the room when there are more, and adds a row that says the level was cut', async () => {
    for (const room of [29, 10, 1]) {
      const rows = await read(room);
      expect(rows.filter((r) => r.cut)).toEqual([
        { cut: true, attachedTo: null, relation: null, kind: null, up: null, count: 0, members: [], onward: [] },
      ]);
      expect(sets(rows).map((r) => r.count)).toEqual([room]);
    }
    // No room at all: the cut row alone.
    expect(await read(0)).toEqual([expect.objectContaining({ cut: true, count: 0 })]);
  });

  it('returns the first members by id of a set over the threshold, as many as the window', async () => {
    const [set] = sets(await read(100, 3));
    expect(set!.count).toBe(30);
    expect(set!.members.map((m) => m.id)).toEqual([...predictions].sort().slice(0, 3));
  });
});
