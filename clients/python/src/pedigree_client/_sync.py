"""PedigreeClient: the same API without asyncio, for threaded servers and scripts."""

from __future__ import annotations

import asyncio
import os
import threading
from datetime import datetime
from typing import Any, Awaitable, Callable, Mapping, TypeVar

from ._client import AsyncPedigreeClient
from ._download import DownloadResult
from ._predictions import PredictionLogger, PredictionLoggerStats
from ._resolve import ResolvedVersion
from ._uri import RefLike
from ._watch import AliasChange, AliasWatch

T = TypeVar("T")


class PedigreeClient:
    """Runs an AsyncPedigreeClient on its own event loop thread; every method blocks until done. Watch handlers
    run in worker threads; ``PredictionLogger.log`` may be called from any thread. Use ``with`` or call close()."""

    def __init__(self, url: str | None = None, token: str | None = None, **options: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="pedigree-client", daemon=True)
        self._thread.start()

        async def make() -> AsyncPedigreeClient:
            return AsyncPedigreeClient(url, token, **options)

        try:
            self._client = self._run(make())
        except BaseException:
            self._stop_loop()
            raise

    def __repr__(self) -> str:
        return repr(self._client).replace("AsyncPedigreeClient", "PedigreeClient", 1)

    def __enter__(self) -> "PedigreeClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        return self._client.url

    @property
    def last_write_sequence(self) -> str | None:
        return self._client.last_write_sequence

    @property
    def resolve_api_calls(self) -> int:
        return self._client.resolve_api_calls

    def resolve(self, uri: str) -> ResolvedVersion | None:
        return self._run(self._client.resolve(uri))

    def watch(self, model_name: str, alias: str, on_change: Callable[[AliasChange], None], **options: Any) -> "Watch":
        async def make() -> AliasWatch:
            return self._client.watch(model_name, alias, on_change, **options)

        return Watch(self, self._run(make()))

    def download(self, uri: str, dir: str | os.PathLike[str], **options: Any) -> DownloadResult:
        return self._run(self._client.download(uri, dir, **options))

    def record_deployment(self, deployment: Mapping[str, Any], models: list[Mapping[str, Any]]) -> str:
        return self._run(self._client.record_deployment(deployment, models))

    def prediction_logger(self, **options: Any) -> "SyncPredictionLogger":
        async def make() -> PredictionLogger:
            return self._client.prediction_logger(**options)

        return SyncPredictionLogger(self, self._run(make()))

    def request(self, query: str, variables: Mapping[str, Any] | None = None) -> Any:
        return self._run(self._client.request(query, variables))

    def drop_connection(self) -> None:
        self._loop.call_soon_threadsafe(self._client.drop_connection)

    def close(self) -> None:
        if self._loop.is_closed():
            return
        try:
            self._run(self._client.aclose())
        finally:
            self._stop_loop()

    def _run(self, coro: Awaitable[T], timeout: float | None = None) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


class Watch:
    """A running watch (see AsyncPedigreeClient.watch)."""

    def __init__(self, client: PedigreeClient, watch: AliasWatch) -> None:
        self._client = client
        self._watch = watch

    @property
    def last_sequence(self) -> str | None:
        return self._watch.last_sequence

    @property
    def current_version(self) -> int | None:
        return self._watch.current_version

    @property
    def pending(self) -> int:
        return self._watch.pending

    @property
    def subscribed(self) -> bool:
        return self._watch.subscribed

    def ready(self, timeout: float | None = None) -> None:
        self._client._run(self._watch.ready(), timeout)

    def wait(self, timeout: float | None = None) -> None:
        """Blocks until the watch ends; raises the error that ended it."""
        self._client._run(self._watch.wait(), timeout)

    def close(self) -> None:
        self._client._run(self._watch.close())


class SyncPredictionLogger:
    """A PredictionLogger for threaded code: ``log`` never blocks on the network."""

    def __init__(self, client: PedigreeClient, logger: PredictionLogger) -> None:
        self._client = client
        self._logger = logger

    def log(self, prediction_id: str, model: RefLike, input_ref: str | None = None, at: datetime | None = None) -> None:
        self._logger.log(prediction_id, model, input_ref, at)

    def stats(self) -> PredictionLoggerStats:
        return self._logger.stats()

    def flush(self, timeout_s: float | None = None) -> None:
        self._client._run(self._logger.flush(timeout_s))

    def close(self, timeout_s: float = 30.0) -> int:
        return self._client._run(self._logger.close(timeout_s))
