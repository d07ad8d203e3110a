import { badInput } from '../errors.js';
import { STAGES, type Stage, type VersionRef } from './types.js';
import { assertAliasName, assertModelName, assertVersionNumber, LATEST } from './validation.js';

export type ParsedUri = { kind: 'ref'; ref: VersionRef } | { kind: 'stage'; modelName: string; stage: Stage };

/** models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/STAGE (stage names case-insensitive). */
export function parseModelUri(uri: string): ParsedUri {
  const bad = (why: string) =>
    badInput(`uri must be models:/NAME/VERSION, models:/NAME@ALIAS or models:/NAME/STAGE; ${why}`, { field: 'uri' });
  if (typeof uri !== 'string' || uri.length > 600) throw bad('it is too long');
  const m = /^models:\/(.+)$/.exec(uri);
  if (!m) throw bad(`got ${JSON.stringify(uri.slice(0, 80))}`);
  const rest = m[1]!;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const modelName = rest.slice(0, at);
    const alias = rest.slice(at + 1);
    assertModelName(modelName, 'uri');
    if (alias !== LATEST) assertAliasName(alias, 'uri alias');
    return { kind: 'ref', ref: { modelName, alias } };
  }
  const slash = rest.lastIndexOf('/');
  if (slash <= 0) throw bad('the version, alias or stage is missing');
  const modelName = rest.slice(0, slash);
  const last = rest.slice(slash + 1);
  assertModelName(modelName, 'uri');
  if (/^\d+$/.test(last)) {
    const version = Number(last);
    assertVersionNumber(version, 'uri version');
    return { kind: 'ref', ref: { modelName, version } };
  }
  const stage = last.toUpperCase();
  if (last.toLowerCase() === LATEST) return { kind: 'ref', ref: { modelName, alias: LATEST } };
  if (!(STAGES as readonly string[]).includes(stage))
    throw bad(`"${last}" is neither a version number nor a stage (${STAGES.join(', ')})`);
  return { kind: 'stage', modelName, stage: stage as Stage };
}
