import { randomUUID } from 'node:crypto';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError } from '../errors.js';
import type { Logger } from '../logger.js';

/** Codes that graphql-js, Apollo and our own rules produce on purpose; anything else is masked. */
const PUBLIC_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'GATE_FAILED',
  'CHECKSUM_MISMATCH',
  'LIMIT_EXCEEDED',
  'UNAVAILABLE',
]);

/**
 * Expected errors keep their code and message; anything else becomes
 * INTERNAL_SERVER_ERROR with a log id, and the details go to the log only
 * (no stack traces, no Cypher, no driver messages reach a client).
 */
export function createErrorFormatter(log: Logger, opts: { hideSchemaDetails?: boolean } = {}) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const shown = opts.hideSchemaDetails ? { ...formatted, message: withoutSuggestions(formatted.message) } : formatted;
    return mask(shown, error);
  };

  function mask(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    const original = unwrapResolverError(error);
    const code = clientErrorCode(error);
    if (original instanceof DomainError) {
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { ...original.details, code: original.code },
      };
    }
    // graphql-js and Apollo errors (parse, validation, variable coercion) and
    // GraphQLErrors raised on purpose with a public code are the client's to see.
    if (code !== 'INTERNAL_SERVER_ERROR') {
      const { stacktrace: _drop, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, message: capped(formatted.message), extensions: { ...extensions, code } };
    }
    const logId = randomUUID();
    log.error({ logId, err: original, path: formatted.path }, 'internal error');
    return {
      message: `internal error (log id ${logId})`,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR', logId },
    };
  }
}

/**
 * The `extensions.code` the client is shown for `error` (the formatter's
 * decision, so /metrics counts what clients see): a DomainError's code, a
 * public code a GraphQLError carries, BAD_REQUEST for one Apollo Server
 * refuses the request with (HTTP 400) without a code (an APQ hash that is not
 * the text's, an unknown persisted-query version), else INTERNAL_SERVER_ERROR.
 * Resolver errors arrive wrapped, their DomainError as originalError, with no
 * code yet.
 */
export function clientErrorCode(error: unknown): string {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) return original.code;
  const code = error instanceof GraphQLError ? error.extensions?.code : undefined;
  if (
    original === error &&
    error instanceof GraphQLError &&
    code === undefined &&
    (error.extensions?.http as { status?: unknown } | undefined)?.status === 400
  )
    return 'BAD_REQUEST';
  return original instanceof GraphQLError && typeof code === 'string' && PUBLIC_CODES.has(code)
    ? code
    : 'INTERNAL_SERVER_ERROR';
}

/**
 * `error` with `extensions.code` set to `code` unless it already has one:
 * graphql-js leaves parse, validation and variable errors without a code,
 * which the formatter would otherwise mask as INTERNAL_SERVER_ERROR.
 */
export function withCode(error: GraphQLError, code: string): GraphQLError {
  if (typeof error.extensions.code === 'string') return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

/**
 * Drops graphql-js's "Did you mean …?" hints: with introspection off they would
 * leak field, type and argument names one guess at a time.
 */
export function withoutSuggestions(message: string): string {
  // A scan rather than /\s*Did you mean [^?]*\?/g, which is quadratic over a
  // long run of blanks (messages quote variable values, up to the body limit).
  let out = '';
  let from = 0;
  for (;;) {
    const at = message.indexOf(SUGGESTION, from);
    const end = at < 0 ? -1 : message.indexOf('?', at + SUGGESTION.length);
    if (end < 0) return out + message.slice(from);
    out += message.slice(from, at).trimEnd();
    from = end + 1;
  }
}

const SUGGESTION = 'Did you mean ';

/**
 * graphql-js quotes the offending value in variable-coercion messages; a
 * 1 MB argument must not come back as a 1 MB error.
 */
const MAX_MESSAGE = 400;
function capped(message: string): string {
  return message.length <= MAX_MESSAGE
    ? message
    : `${message.slice(0, MAX_MESSAGE)}… (${message.length - MAX_MESSAGE} more characters)`;
}
