"""Pedigree client for serving systems: resolve model URIs from a subscription-fed cache, follow aliases exactly
once and in order, download artifacts verified against the registry's SHA-256, and log predictions reliably."""

from ._backoff import Backoff
from ._client import AsyncPedigreeClient
from ._download import ArtifactFetcher, ArtifactFile, ArtifactFiles, DownloadResult, manifest_digest
from ._errors import (
    BAD_RESPONSE,
    BAD_USER_INPUT,
    CHECKSUM_MISMATCH,
    CHECKSUM_MISSING,
    CLOSED,
    NETWORK_ERROR,
    SPOOL_FULL,
    TIMEOUT,
    UNSUPPORTED_SOURCE,
    ChecksumMismatchError,
    PedigreeError,
    SpoolFullError,
)
from ._predictions import SERVER_MAX_PREDICTIONS_PER_CALL, PredictionLogger, PredictionLoggerStats
from ._resolve import ResolvedVersion
from ._sync import PedigreeClient, SyncPredictionLogger, Watch
from ._uri import ModelRef, ParsedUri, parse_model_uri, to_model_ref
from ._watch import AliasChange, AliasWatch

__all__ = [
    "AliasChange",
    "AliasWatch",
    "ArtifactFetcher",
    "ArtifactFile",
    "ArtifactFiles",
    "AsyncPedigreeClient",
    "Backoff",
    "BAD_RESPONSE",
    "BAD_USER_INPUT",
    "CHECKSUM_MISMATCH",
    "CHECKSUM_MISSING",
    "CLOSED",
    "ChecksumMismatchError",
    "DownloadResult",
    "ModelRef",
    "NETWORK_ERROR",
    "ParsedUri",
    "PedigreeClient",
    "PedigreeError",
    "PredictionLogger",
    "PredictionLoggerStats",
    "ResolvedVersion",
    "SERVER_MAX_PREDICTIONS_PER_CALL",
    "SPOOL_FULL",
    "SpoolFullError",
    "SyncPredictionLogger",
    "TIMEOUT",
    "UNSUPPORTED_SOURCE",
    "Watch",
    "manifest_digest",
    "parse_model_uri",
    "to_model_ref",
]
