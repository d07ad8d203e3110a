"""resolve(): alias URIs from a subscription-fed cache whenever it can vouch for its answer."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any, Callable

from ._http import HttpTransport
from ._uri import parse_model_uri
from ._watch import AliasChange, AliasWatch


@dataclass(frozen=True)
class ResolvedVersion:
    """A model version as resolve() and download() see it; ``source`` and ``checksum`` never change."""

    id: str
    model_name: str
    version: int
    #: The artifact URI (s3://…, mlflow-artifacts:/…, runs:/…).
    source: str
    #: "sha256:<64 hex>", or None while the version is unverified.
    checksum: str | None


RESOLVE = """query PedigreeResolve($uri: String!) {
  resolveModelUri(uri: $uri) { id version source checksum model { name } }
}"""


class _Entry:
    def __init__(self) -> None:
        self.watch: AliasWatch | None = None
        self.confirmed = False
        self.through = 0
        self.last_used = time.monotonic()


class ResolveCache:
    """Answers an alias from its subscription when the cache can vouch for it,
    and from the API before its first state, while its socket is down or
    replaying, after a reconnect until an API read agrees with it, and when
    the client's own last write is newer than what the cache has seen. Version
    URIs reuse a record for ``version_ttl_s``; stage URIs and ``@latest``
    always ask the server."""

    def __init__(
        self,
        http: HttpTransport,
        make_watch: Callable[[str, str, Callable[[AliasChange], None]], AliasWatch],
        *,
        enabled: bool = True,
        max_aliases: int = 100,
        version_ttl_s: float = 60.0,
    ) -> None:
        self._http = http
        self._make_watch = make_watch
        self._enabled = enabled
        self._max_aliases = max_aliases
        self._ttl = version_ttl_s
        self._aliases: dict[str, _Entry] = {}
        self._records: dict[tuple[str, int], tuple[ResolvedVersion, float]] = {}
        self._fetching: dict[tuple[str, int], asyncio.Task[ResolvedVersion | None]] = {}
        #: Server round trips resolve() waited for (background fetches of a moved alias's version are not counted).
        self.api_calls = 0

    async def resolve(self, uri: str) -> ResolvedVersion | None:
        p = parse_model_uri(uri)
        if p.kind == "version":
            assert p.version is not None
            return await self._version(p.model_name, p.version)
        if p.kind == "stage" or p.alias == "latest" or not self._enabled:
            return await self._api(uri)
        assert p.alias is not None
        key = f"{p.model_name}@{p.alias}"
        entry = self._aliases.get(key)
        min_seq = None if self._http.min_sequence is None else int(self._http.min_sequence)
        if entry is not None and entry.watch is not None:
            entry.last_used = time.monotonic()
            w = entry.watch
            if entry.confirmed and w.subscribed and w.pending == 0 and (min_seq is None or min_seq <= entry.through):
                return None if w.current_version is None else await self._version(p.model_name, w.current_version)
        record = await self._api(uri)
        if entry is not None and entry.watch is not None:
            w = entry.watch
            if w.subscribed and w.pending == 0 and (None if record is None else record.version) == w.current_version:
                entry.confirmed = True
                if min_seq is not None and min_seq > entry.through:
                    entry.through = min_seq
        elif entry is None:
            self._follow(p.model_name, p.alias, key)
        return record

    def peek(self, model_name: str, alias: str) -> int | None:
        """The alias's version if the cache can vouch for it now (no request): the prediction logger pins with it."""
        entry = self._aliases.get(f"{model_name}@{alias}")
        if entry is None or entry.watch is None or not entry.confirmed or not entry.watch.subscribed or entry.watch.pending:
            return None
        return entry.watch.current_version

    async def aclose(self) -> None:
        entries = list(self._aliases.values())
        self._aliases.clear()
        await asyncio.gather(*(e.watch.close() for e in entries if e.watch is not None))
        for task in self._fetching.values():
            task.cancel()

    def _follow(self, model_name: str, alias: str, key: str) -> None:
        if len(self._aliases) >= self._max_aliases:
            oldest_key = min(self._aliases, key=lambda k: self._aliases[k].last_used)
            old = self._aliases.pop(oldest_key)
            if old.watch is not None:
                asyncio.ensure_future(old.watch.close())
        entry = _Entry()

        def on_change(change: AliasChange) -> None:
            seq = int(change.sequence)
            if seq > entry.through:
                entry.through = seq
            if change.type == "CURRENT":
                entry.confirmed = True
            if change.version is not None:
                # Fetch the new version's record now, so the next resolve() needs no round trip.
                asyncio.ensure_future(self._version(model_name, change.version, counted=False))

        def on_subscribed(up: bool) -> None:
            if not up:
                entry.confirmed = False

        entry.watch = self._make_watch(model_name, alias, on_change)
        entry.watch.on_subscribed(on_subscribed)
        self._aliases[key] = entry

    async def _version(self, model_name: str, version: int, counted: bool = True) -> ResolvedVersion | None:
        key = (model_name, version)
        hit = self._records.get(key)
        if hit is not None and hit[1] > time.monotonic():
            return hit[0]
        task = self._fetching.get(key)
        if task is None:
            task = asyncio.ensure_future(self._api(f"models:/{model_name}/{version}", counted=counted))
            self._fetching[key] = task
            task.add_done_callback(lambda _t: self._fetching.pop(key, None))
        try:
            return await asyncio.shield(task)
        except Exception:
            if not counted:
                return None
            raise

    async def _api(self, uri: str, counted: bool = True) -> ResolvedVersion | None:
        if counted:
            self.api_calls += 1
        data: dict[str, Any] = await self._http.graphql(RESOLVE, {"uri": uri}, "query")
        v = data["resolveModelUri"]
        if v is None:
            return None
        record = ResolvedVersion(id=v["id"], model_name=v["model"]["name"], version=int(v["version"]), source=v["source"], checksum=v["checksum"])
        # A version without a checksum may get one attached later; only a complete record is reused.
        if record.checksum is not None:
            self._records[(record.model_name, record.version)] = (record, time.monotonic() + self._ttl)
            if len(self._records) > 10_000:
                self._records.pop(next(iter(self._records)))
        return record
