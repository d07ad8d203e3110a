"""A buffered, batching, retrying prediction logger with a bounded spool."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Literal

from ._backoff import Backoff
from ._errors import BAD_USER_INPUT, CLOSED, NETWORK_ERROR, TIMEOUT, PedigreeError, SpoolFullError
from ._http import HttpTransport
from ._uri import ModelRef, RefLike, to_model_ref

log = logging.getLogger("pedigree_client")

#: The server's cap on predictions per logPredictions call (README, Limits).
SERVER_MAX_PREDICTIONS_PER_CALL = 10_000

LOG_PREDICTIONS = """mutation PedigreeLogPredictions($input: LogPredictionsInput!) {
  logPredictions(input: $input) { count created }
}"""

_PERMANENT = {"BAD_USER_INPUT", "NOT_FOUND", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"}


@dataclass
class PredictionLoggerStats:
    #: Logged and not yet acknowledged by the server.
    pending: int = 0
    #: Acknowledged by the server (including ids it already had).
    sent: int = 0
    #: Of those, new to the server.
    created: int = 0
    #: Refused by the server for good (an unknown model, bad input); never retried.
    dead_lettered: int = 0
    #: Dropped by log() because the spool was full (on_full="drop").
    dropped: int = 0
    #: Failed attempts that were retried.
    retries: int = 0


@dataclass
class _Segment:
    n: int
    items: list[dict[str, Any]] = field(default_factory=list)
    bytes: int = 0
    sealed: bool = False
    done: set[str] = field(default_factory=set)
    file: Path | None = None
    fh: Any = None


class PredictionLogger:
    """Buffers predictions and sends them in batches in the background
    (logPredictions, idempotent per prediction id on the server). A batch the
    server did not take (down, restarting, overloaded) is retried with
    jittered backoff until it is taken. ``log()`` is safe from any thread and
    never waits for the network; memory (or disk) is bounded by ``max_pending``.

    When ``max_pending`` predictions are unsent, ``on_full="raise"`` (default)
    makes log() raise SpoolFullError and keep nothing of that call;
    ``on_full="drop"`` drops the new prediction, counts it in
    ``stats().dropped`` and reports it to ``on_error``. With ``spool_dir`` the
    unsent predictions are kept on disk (one file per batch, deleted once the
    server has it) and sent by the next logger opened on the same directory.
    """

    def __init__(
        self,
        http: HttpTransport,
        pin: Callable[[str, str], int | None],
        *,
        deployment: str | None = None,
        batch_size: int = SERVER_MAX_PREDICTIONS_PER_CALL,
        max_batch_bytes: int = 3 * 1024 * 1024,
        flush_interval_s: float = 1.0,
        max_pending: int = 100_000,
        on_full: Literal["raise", "drop"] = "raise",
        spool_dir: str | os.PathLike[str] | None = None,
        backoff: Backoff = Backoff(0.5, 30.0),
        on_error: Callable[[PedigreeError, int, bool], None] | None = None,
    ) -> None:
        self._http = http
        self._pin = pin
        self._deployment = deployment
        self._batch_size = min(SERVER_MAX_PREDICTIONS_PER_CALL, max(1, batch_size))
        self._max_bytes = max_batch_bytes
        self._interval = flush_interval_s
        self._max_pending = max(1, max_pending)
        self._on_full = on_full
        self._spool = Path(spool_dir) if spool_dir is not None else None
        self._backoff = backoff
        self._on_error = on_error
        self._lock = threading.RLock()
        self._segments: list[_Segment] = []
        self._ids: set[str] = set()
        self._next = 1
        self._stats = PredictionLoggerStats()
        self._closed = False
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._progress = asyncio.Condition()
        self._stop = asyncio.Event()
        if self._spool is not None:
            self._recover(self._spool)
        self._task = asyncio.create_task(self._run())
        self._ticker = asyncio.create_task(self._tick())

    def log(self, prediction_id: str, model: RefLike, input_ref: str | None = None, at: datetime | None = None) -> None:
        """Records that ``prediction_id`` was made by ``model`` (``models:/NAME/VERSION``, ``models:/NAME@ALIAS`` or
        a ModelRef). Returns at once. Logging an id again is a no-op. An alias is pinned to the version the client's
        resolve cache holds for it now, when it has one; otherwise the server resolves it when the batch is written:
        pass the version you serve for an exact trace."""
        if not isinstance(prediction_id, str) or not prediction_id or len(prediction_id) > 4096 or "\x00" in prediction_id:
            raise PedigreeError(BAD_USER_INPUT, "a prediction id is a non-empty string of at most 4096 characters without U+0000")
        if input_ref is not None and (len(input_ref) > 4096 or "\x00" in input_ref):
            raise PedigreeError(BAD_USER_INPUT, "input_ref is at most 4096 characters without U+0000")
        ref: ModelRef = to_model_ref(model)
        pinned = self._pin(ref.model_name, ref.alias) if ref.alias is not None and ref.alias != "latest" else None
        item: dict[str, Any] = {"id": prediction_id, "modelName": ref.model_name, "at": (at or datetime.now(timezone.utc)).isoformat()}
        if pinned is not None:
            item["version"] = pinned
        elif ref.version is not None:
            item["version"] = ref.version
        else:
            item["alias"] = ref.alias
        if input_ref:
            item["inputRef"] = input_ref
        if self._deployment:
            item["deployment"] = self._deployment
        with self._lock:
            if self._closed:
                raise PedigreeError(CLOSED, "the prediction logger is closed")
            if prediction_id in self._ids:
                return
            if self._pending() >= self._max_pending:
                err = SpoolFullError(self._max_pending)
                if self._on_full == "drop":
                    self._stats.dropped += 1
                    if self._on_error:
                        self._on_error(err, 1, False)
                    return
                raise err
            self._append(item)

    def stats(self) -> PredictionLoggerStats:
        with self._lock:
            s = PredictionLoggerStats(**vars(self._stats))
            s.pending = self._pending()
            return s

    async def flush(self, timeout_s: float | None = None) -> None:
        """Returns once every prediction logged before the call is acknowledged (or dead-lettered). Raises TIMEOUT
        after ``timeout_s``; nothing is lost then."""
        with self._lock:
            up_to = self._seal_open()
        self._notify()

        async def done() -> None:
            async with self._progress:
                await self._progress.wait_for(lambda: self._oldest() > up_to)

        try:
            await asyncio.wait_for(done(), timeout_s)
        except asyncio.TimeoutError:
            raise PedigreeError(TIMEOUT, f"flush did not finish within {timeout_s} s; {self.stats().pending} predictions are still spooled and being retried", retryable=True) from None

    async def close(self, timeout_s: float = 30.0) -> int:
        """Stops accepting predictions, sends what is spooled (for at most ``timeout_s``) and stops. Returns how
        many were left unsent: with ``spool_dir`` they stay on disk for the next logger; in memory they are lost."""
        with self._lock:
            if self._closed:
                return self._pending()
            self._closed = True
        try:
            await self.flush(timeout_s)
        except PedigreeError:
            pass
        self._stop.set()
        self._wake.set()
        self._ticker.cancel()
        self._task.cancel()
        await asyncio.gather(self._task, self._ticker, return_exceptions=True)
        with self._lock:
            for s in self._segments:
                if s.fh is not None:
                    s.fh.close()
                    s.fh = None
            unsent = self._pending()
        if unsent:
            log.warning("pedigree: prediction logger closed with unsent predictions", extra={"unsent": unsent, "kept": self._spool is not None})
        return unsent

    # -- under the lock ------------------------------------------------------------------------------

    def _pending(self) -> int:
        return sum(len(s.items) for s in self._segments)

    def _oldest(self) -> float:
        with self._lock:
            for s in self._segments:
                if s.items or s.sealed:
                    return s.n
        return float("inf")

    def _append(self, item: dict[str, Any]) -> None:
        seg = self._segments[-1] if self._segments and not self._segments[-1].sealed else self._new_segment()
        line = json.dumps(item, separators=(",", ":")) + "\n"
        if seg.fh is not None:
            seg.fh.write(line)
            seg.fh.flush()
        seg.items.append(item)
        seg.bytes += len(line.encode())
        self._ids.add(item["id"])
        if len(seg.items) >= self._batch_size or seg.bytes >= self._max_bytes:
            self._seal(seg)
            self._notify()

    def _new_segment(self) -> _Segment:
        seg = _Segment(self._next)
        self._next += 1
        if self._spool is not None:
            seg.file = self._spool / f"batch-{seg.n:012d}.jsonl"
            seg.fh = open(seg.file, "a", encoding="utf-8")
            os.chmod(seg.file, 0o600)
        self._segments.append(seg)
        return seg

    def _seal_open(self) -> int:
        if self._segments and not self._segments[-1].sealed and self._segments[-1].items:
            self._seal(self._segments[-1])
        return self._next - 1

    def _seal(self, seg: _Segment) -> None:
        seg.sealed = True
        if seg.fh is not None:
            os.fsync(seg.fh.fileno())
            seg.fh.close()
            seg.fh = None

    def _recover(self, spool: Path) -> None:
        """Loads the batches a previous logger left; a torn last line (a crash mid-write) is skipped."""
        spool.mkdir(parents=True, exist_ok=True, mode=0o700)
        files = sorted(f for f in spool.iterdir() if re.fullmatch(r"batch-\d+\.jsonl", f.name))
        for f in files:
            n = int(re.findall(r"\d+", f.name)[0])
            seg = _Segment(n, sealed=True, file=f)
            for line in f.read_text(encoding="utf-8").splitlines():
                try:
                    item = json.loads(line)
                except ValueError:
                    continue
                if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"] not in self._ids:
                    seg.items.append(item)
                    self._ids.add(item["id"])
            self._segments.append(seg)
            self._next = max(self._next, n + 1)
        if files:
            log.info("pedigree: prediction spool recovered", extra={"batches": len(files), "predictions": self._pending()})

    # -- the sender ----------------------------------------------------------------------------------

    def _notify(self) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._wake.set()
        else:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            with self._lock:
                sealed = self._segments and not self._segments[-1].sealed and self._segments[-1].items
                if sealed:
                    self._seal(self._segments[-1])
            if sealed:
                self._wake.set()

    async def _run(self) -> None:
        attempt = 0
        while True:
            with self._lock:
                seg = next((s for s in self._segments if s.sealed), None)
            if seg is None:
                await self._settle()
                if self._stop.is_set():
                    return
                self._wake.clear()
                with self._lock:
                    again = any(s.sealed for s in self._segments)
                if not again:
                    await self._wake.wait()
                continue
            try:
                await self._send(seg)
                attempt = 0
                self._finish(seg)
                await self._settle()
            except asyncio.CancelledError:
                raise
            except Exception as err:  # noqa: BLE001 - every failure of a batch is retried or dead-lettered
                e = err if isinstance(err, PedigreeError) else PedigreeError(NETWORK_ERROR, f"{type(err).__name__}: {err}", retryable=True)
                with self._lock:
                    self._stats.retries += 1
                delay = self._backoff.delay(attempt)
                attempt += 1
                log.warning("pedigree: prediction batch not taken; retrying", extra={"code": e.code, "predictions": len(seg.items), "retry_in_s": delay})
                if self._on_error:
                    self._on_error(e, len(seg.items), True)
                try:
                    await asyncio.wait_for(self._stop.wait(), delay)
                    return
                except asyncio.TimeoutError:
                    pass

    async def _settle(self) -> None:
        async with self._progress:
            self._progress.notify_all()

    async def _send(self, seg: _Segment) -> None:
        groups: dict[str, list[dict[str, Any]]] = {}
        for item in seg.items:
            key = json.dumps([item["modelName"], item.get("version"), item.get("alias"), item.get("deployment")])
            groups.setdefault(key, []).append(item)
        for key, items in groups.items():
            if key in seg.done:
                continue
            await self._send_group(items)
            seg.done.add(key)

    async def _send_group(self, items: list[dict[str, Any]]) -> None:
        first = items[0]
        model = {"modelName": first["modelName"], "version": first["version"]} if "version" in first else {"modelName": first["modelName"], "alias": first["alias"]}
        payload = {
            "model": model,
            "deployment": first.get("deployment"),
            "predictions": [{"id": i["id"], "at": i["at"], "inputRef": i.get("inputRef")} for i in items],
        }
        try:
            r = await self._http.graphql(LOG_PREDICTIONS, {"input": payload}, "mutation")
        except PedigreeError as err:
            if err.status == 413 and len(items) > 1:
                half = (len(items) + 1) // 2
                await self._send_group(items[:half])
                await self._send_group(items[half:])
                return
            if err.code in _PERMANENT:
                with self._lock:
                    self._stats.dead_lettered += len(items)
                log.error("pedigree: predictions refused by the server; dead-lettered", extra={"code": err.code, "predictions": len(items)})
                self._dead_letter(items, err)
                if self._on_error:
                    self._on_error(err, len(items), False)
                return
            raise
        with self._lock:
            self._stats.sent += len(items)
            self._stats.created += int(r["logPredictions"]["created"])

    def _dead_letter(self, items: list[dict[str, Any]], err: PedigreeError) -> None:
        if self._spool is None:
            return
        path = self._spool / f"dead-{int(time.time() * 1000)}-{os.getpid()}.jsonl"
        with open(path, "a", encoding="utf-8") as f:
            for item in items:
                f.write(json.dumps({**item, "error": {"code": err.code, "message": err.message}}) + "\n")

    def _finish(self, seg: _Segment) -> None:
        with self._lock:
            self._segments.remove(seg)
            for item in seg.items:
                self._ids.discard(item["id"])
        if seg.file is not None:
            try:
                seg.file.unlink()
            except FileNotFoundError:
                pass
