export { PedigreeClient, type PedigreeClientOptions, type DeploymentRecord } from './client.js';
export { AliasWatch, type AliasChange, type ChangeHandler, type WatchOptions } from './watch.js';
export {
  PredictionLogger,
  SERVER_MAX_PREDICTIONS_PER_CALL,
  type PredictionLoggerOptions,
  type PredictionLoggerStats,
} from './predictions.js';
export {
  manifestDigest,
  type ArtifactFetcher,
  type ArtifactFileSource,
  type ByteSource,
  type DownloadOptions,
  type DownloadResult,
} from './download.js';
export type { ResolvedVersion, ResolveCacheOptions } from './resolve.js';
export { ChecksumMismatchError, ClientCode, PedigreeError, SpoolFullError, type GraphQLErrorShape } from './errors.js';
export { parseModelUri, refUri, toModelRef, type ModelRef, type ParsedModelUri } from './uri.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export type { HeartbeatOptions } from './subscriptions.js';
export type { Logger } from './logger-iface.js';
export type { FetchLike } from './http.js';
