"""AsyncPedigreeClient: resolve, watch, download and log predictions, on asyncio."""

from __future__ import annotations

import logging
import os
import re
from typing import Any, Callable, Mapping, Sequence

from ._backoff import Backoff
from ._download import ArtifactFetcher, DownloadResult, download_artifact
from ._errors import BAD_USER_INPUT, CLOSED, PedigreeError
from ._http import HttpTransport
from ._predictions import PredictionLogger
from ._resolve import ResolveCache, ResolvedVersion
from ._uri import ModelRef, RefLike, parse_model_uri, to_model_ref
from ._watch import AliasChange, AliasWatch, ChangeHandler
from ._ws import SubscriptionConnection

log = logging.getLogger("pedigree_client")


class AsyncPedigreeClient:
    """A client for serving systems. One per process; ``await client.aclose()`` (or ``async with``) on shutdown.

    ``url`` defaults to ``PEDIGREE_URL`` and ``token`` to ``PEDIGREE_TOKEN``; the token is sent as
    ``Authorization: Bearer …`` and in the websocket's connection_init, and never logged or shown in ``repr``.
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        request_timeout_s: float = 30.0,
        ping_interval_s: float = 10.0,
        ping_timeout_s: float = 5.0,
        connect_timeout_s: float = 10.0,
        backoff: Backoff = Backoff(),
        fetchers: Mapping[str, ArtifactFetcher] | None = None,
        cache: bool = True,
        cache_max_aliases: int = 100,
        version_ttl_s: float = 60.0,
    ) -> None:
        url = url or os.environ.get("PEDIGREE_URL")
        if not url:
            raise PedigreeError(BAD_USER_INPUT, "the server URL is required: pass url or set PEDIGREE_URL")
        if not re.match(r"^https?://", url):
            raise PedigreeError(BAD_USER_INPUT, f"the server URL must be http(s)://...; got {url[:100]!r}")
        self.url = re.sub(r"/graphql$", "", url.rstrip("/"))
        token = token if token is not None else os.environ.get("PEDIGREE_TOKEN")
        self._http = HttpTransport(self.url, token or None, request_timeout_s)
        self._ws = SubscriptionConnection(
            re.sub(r"^http", "ws", self.url) + "/graphql",
            self._http.authorization,
            ping_interval_s=ping_interval_s,
            ping_timeout_s=ping_timeout_s,
            connect_timeout_s=connect_timeout_s,
        )
        self._backoff = backoff
        self._fetchers = dict(fetchers or {})
        self._cache = ResolveCache(
            self._http,
            lambda m, a, h: self._new_watch(m, a, h, inline=True),
            enabled=cache,
            max_aliases=cache_max_aliases,
            version_ttl_s=version_ttl_s,
        )
        self._watches: set[AliasWatch] = set()
        self._loggers: set[PredictionLogger] = set()
        self._closed = False

    def __repr__(self) -> str:
        return f"AsyncPedigreeClient(url={self.url!r}, token={'[redacted]' if self._http.authorization() else None})"

    async def __aenter__(self) -> "AsyncPedigreeClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def last_write_sequence(self) -> str | None:
        """The highest sequence this client's own writes committed at (sent as Pedigree-Min-Sequence on reads)."""
        return self._http.min_sequence

    @property
    def resolve_api_calls(self) -> int:
        """How many resolve() calls went to the server (the rest came from the cache)."""
        return self._cache.api_calls

    async def resolve(self, uri: str) -> ResolvedVersion | None:
        """``models:/NAME@ALIAS``, ``models:/NAME/VERSION`` or ``models:/NAME/STAGE`` -> version, source and checksum
        (None when nothing matches). Aliases come from a cache kept current by a subscription whenever it can
        vouch for its answer, otherwise from the server."""
        self._open()
        return await self._cache.resolve(uri)

    def watch(
        self,
        model_name: str,
        alias: str,
        on_change: ChangeHandler,
        *,
        after: str | None = None,
        max_queued: int = 10_000,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> AliasWatch:
        """Follows an alias: ``on_change`` gets every move exactly once and in order, across disconnects and server
        restarts, starting with the current state (type CURRENT) unless ``after`` resumes from a saved sequence.
        ``on_change`` may be async; a plain function runs in a worker thread."""
        self._open()
        return self._new_watch(model_name, alias, on_change, after=after, max_queued=max_queued, on_error=on_error)

    def _new_watch(self, model_name: str, alias: str, handler: ChangeHandler, *, inline: bool = False, **kw: Any) -> AliasWatch:
        w = AliasWatch(model_name, alias, handler, http=self._http, ws=self._ws, backoff=self._backoff, inline=inline, **kw)
        if not inline:
            self._watches.add(w)
        return w

    async def download(
        self,
        uri: str,
        dir: str | os.PathLike[str],
        *,
        overwrite: bool = False,
        deployment: Mapping[str, Any] | None = None,
    ) -> DownloadResult:
        """Downloads the artifact of ``uri``'s version into ``dir``, verifying SHA-256 against the registry's checksum
        while it streams; raises ChecksumMismatchError (CHECKSUM_MISMATCH) and leaves nothing in ``dir`` when the bytes
        differ. With ``deployment`` ({"name", "environment", "endpoint"?, "weight"?}) the deployment is recorded, with
        the checksum computed from the bytes, only after they verified."""
        self._open()
        parsed = parse_model_uri(uri)
        version = await self._cache.resolve(uri)
        if version is None:
            raise PedigreeError("NOT_FOUND", f"{uri} names no model version")
        result = await download_artifact(self._http, version, uri, dir, self._fetchers, overwrite=overwrite)
        if deployment is not None:
            ref = (
                ModelRef(parsed.model_name, alias=parsed.alias)
                if parsed.kind == "alias" and parsed.alias != "latest"
                else ModelRef(version.model_name, version=version.version)
            )
            await self.record_deployment(deployment, [{"ref": ref, "checksum": result.checksum, "weight": deployment.get("weight")}])
        return result

    async def record_deployment(self, deployment: Mapping[str, Any], models: Sequence[Mapping[str, Any]]) -> str:
        """Records what a deployment serves; each checksum must be computed from the bytes loaded (download() returns
        it). Returns the deployment's id."""
        payload = {
            "name": deployment["name"],
            "environment": deployment["environment"],
            "endpoint": deployment.get("endpoint"),
            "models": [{"ref": to_model_ref(m["ref"]).to_input(), "checksum": m["checksum"], "weight": m.get("weight")} for m in models],
        }
        data = await self._http.graphql(
            "mutation PedigreeRecordDeployment($input: RecordDeploymentInput!) { recordDeployment(input: $input) { id } }",
            {"input": payload},
            "mutation",
        )
        return str(data["recordDeployment"]["id"])

    def prediction_logger(self, **options: Any) -> PredictionLogger:
        """A buffered, batching, retrying prediction logger (see PredictionLogger for the options); close it before
        exiting."""
        self._open()
        logger = PredictionLogger(self._http, self._cache.peek, **options)
        self._loggers.add(logger)
        return logger

    async def request(self, query: str, variables: Mapping[str, Any] | None = None) -> Any:
        """Any GraphQL operation with the token, the consistency token and typed errors."""
        self._open()
        if re.match(r"^\s*(?:#[^\n]*\n\s*)*mutation\b", query):
            return await self._http.graphql(query, variables or {}, "mutation")
        return await self._http.graphql(query, variables or {}, "query")

    def drop_connection(self) -> None:
        """Drops the websocket as if the network had: subscriptions resume on a new one. For failover drills."""
        self._ws.terminate()

    async def aclose(self) -> None:
        """Stops loggers (after sending what they hold, within their close timeout), watches and the socket."""
        if self._closed:
            return
        self._closed = True
        for logger in list(self._loggers):
            await logger.close()
        for w in list(self._watches):
            await w.close()
        await self._cache.aclose()
        await self._ws.aclose()
        await self._http.aclose()

    def _open(self) -> None:
        if self._closed:
            raise PedigreeError(CLOSED, "the client is closed")


__all__ = ["AsyncPedigreeClient", "AliasChange", "RefLike"]
