import type { IncomingMessage, ServerResponse } from 'node:http';
import { badInput } from '../errors.js';
import type { CommitSequences } from '../events/commit-sequence.js';

/** The answer's header on every transport: the sequence the request's writes committed at (its consistency token). */
export const SEQUENCE_HEADER = 'pedigree-sequence';
/** The request's header: answer only once this replica has applied this sequence. */
export const MIN_SEQUENCE_HEADER = 'pedigree-min-sequence';
/** The same as a URL query parameter (and, in a GraphQL request, in `extensions`). */
export const MIN_SEQUENCE_PARAM = 'minSequence';

/**
 * The consistency token a request carries, if any: the `Pedigree-Min-Sequence`
 * header, else the `minSequence` query parameter, else `extensions.minSequence`
 * of a GraphQL request. Two different values are BAD_USER_INPUT; the value
 * itself is checked by the consistency gate.
 */
export function minSequenceOf(req: IncomingMessage, url: URL, extensions?: unknown): string | null {
  const found = new Set<string>();
  const header = req.headers[MIN_SEQUENCE_HEADER];
  for (const v of Array.isArray(header) ? header : header === undefined ? [] : [header]) found.add(v.trim());
  for (const v of url.searchParams.getAll(MIN_SEQUENCE_PARAM)) found.add(v.trim());
  if (extensions && typeof extensions === 'object' && MIN_SEQUENCE_PARAM in extensions) {
    const v = (extensions as Record<string, unknown>)[MIN_SEQUENCE_PARAM];
    found.add(typeof v === 'number' ? String(v) : (v as string));
  }
  if (found.size > 1)
    throw badInput(
      `the request carries ${found.size} different consistency tokens (Pedigree-Min-Sequence, ?minSequence=, extensions.minSequence); send one`,
      { field: 'minSequence' },
    );
  const [only] = found;
  return only ?? null;
}

/**
 * Adds `Pedigree-Sequence` to the response as its head is written, when the
 * request committed a write: every route (GraphQL, MLflow, OpenLineage, the
 * artifact proxy) writes its head through `writeHead`, explicitly or not.
 */
export function stampCommitSequence(res: ServerResponse, sequences: CommitSequences): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    const sequence = sequences.sequence;
    if (sequence !== null && !this.headersSent) this.setHeader(SEQUENCE_HEADER, sequence);
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}
