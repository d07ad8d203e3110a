import { ClientCode, PedigreeError } from './errors.js';

/** A model version reference, as `logPredictions` and `recordDeployment` take it. */
export interface ModelRef {
  modelName: string;
  version?: number;
  alias?: string;
}

/** What a `models:/` URI names. Parsed like the server does (model names may contain "/"). */
export type ParsedModelUri =
  | { kind: 'version'; modelName: string; version: number }
  | { kind: 'alias'; modelName: string; alias: string }
  | { kind: 'stage'; modelName: string; stage: string };

const MODEL_NAME = /^[A-Za-z0-9_\-./]{1,256}$/;
const ALIAS_NAME = /^[A-Za-z0-9_\-.]{1,128}$/;

function bad(uri: string, why: string): PedigreeError {
  return new PedigreeError(
    ClientCode.BAD_USER_INPUT,
    `a model URI is models:/NAME/VERSION, models:/NAME@ALIAS or models:/NAME/STAGE; ${why} (got ${JSON.stringify(uri.slice(0, 80))})`,
  );
}

/** models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/STAGE. */
export function parseModelUri(uri: string): ParsedModelUri {
  const m = /^models:\/(.+)$/.exec(uri);
  if (!m || uri.length > 600) throw bad(uri, 'it does not start with models:/');
  const rest = m[1]!;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const modelName = rest.slice(0, at);
    const alias = rest.slice(at + 1);
    if (!MODEL_NAME.test(modelName)) throw bad(uri, 'the model name is not valid');
    if (!ALIAS_NAME.test(alias)) throw bad(uri, 'the alias is not valid');
    return { kind: 'alias', modelName, alias };
  }
  const slash = rest.lastIndexOf('/');
  if (slash <= 0) throw bad(uri, 'the version, alias or stage is missing');
  const modelName = rest.slice(0, slash);
  const last = rest.slice(slash + 1);
  if (!MODEL_NAME.test(modelName)) throw bad(uri, 'the model name is not valid');
  if (/^\d+$/.test(last)) return { kind: 'version', modelName, version: Number(last) };
  if (last.toLowerCase() === 'latest') return { kind: 'alias', modelName, alias: 'latest' };
  if (!/^[A-Za-z]+$/.test(last)) throw bad(uri, `"${last}" is neither a version number nor a stage`);
  return { kind: 'stage', modelName, stage: last.toUpperCase() };
}

/**
 * A ModelRef from a URI (`models:/m/3`, `models:/m@prod`) or a ref object; stage URIs name no fixed version and are
 * refused.
 */
export function toModelRef(ref: string | ModelRef): ModelRef {
  if (typeof ref !== 'string') {
    const hasVersion = ref.version !== undefined && ref.version !== null;
    const hasAlias = ref.alias !== undefined && ref.alias !== null;
    if (!ref.modelName || hasVersion === hasAlias)
      throw new PedigreeError(
        ClientCode.BAD_USER_INPUT,
        'a model reference takes modelName and exactly one of version and alias',
      );
    return hasVersion
      ? { modelName: ref.modelName, version: ref.version! }
      : { modelName: ref.modelName, alias: ref.alias! };
  }
  const p = parseModelUri(ref);
  if (p.kind === 'version') return { modelName: p.modelName, version: p.version };
  if (p.kind === 'alias') return { modelName: p.modelName, alias: p.alias };
  throw new PedigreeError(
    ClientCode.BAD_USER_INPUT,
    `a stage URI (${ref}) names no fixed version; use models:/NAME/VERSION or models:/NAME@ALIAS`,
  );
}

/** `models:/NAME/VERSION` or `models:/NAME@ALIAS`. */
export function refUri(ref: ModelRef): string {
  return ref.version !== undefined
    ? `models:/${ref.modelName}/${ref.version}`
    : `models:/${ref.modelName}@${ref.alias}`;
}
