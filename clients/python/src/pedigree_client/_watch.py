"""Following one alias: every move exactly once and in order, across disconnects."""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Union

from ._backoff import Backoff
from ._errors import BAD_USER_INPUT, PedigreeError
from ._http import HttpTransport
from ._ws import Closed, Refused, SubscriptionConnection

log = logging.getLogger("pedigree_client")


@dataclass(frozen=True)
class AliasChange:
    """One move of an alias, or (type ``CURRENT``) where it pointed when the watch started."""

    model_name: str
    alias: str
    #: ALIAS_SET, ALIAS_DELETED, ROLLBACK, or CURRENT for the state a watch starts from.
    type: str
    #: The version before the move (None when the alias was new; always None for CURRENT).
    previous_version: int | None
    #: The version after the move (None when the alias was deleted or does not exist).
    version: int | None
    #: Position in the event log (a decimal string): persist it and pass it as ``after`` to resume.
    sequence: str
    at: str | None = None
    actor: str | None = None


ChangeHandler = Callable[[AliasChange], Union[None, Awaitable[None]]]

SUBSCRIPTION = """subscription PedigreeAliasChanged($modelName: String!, $alias: String, $after: String) {
  aliasChanged(modelName: $modelName, alias: $alias, after: $after) { sequence type modelName alias previousVersion version at actor }
}"""
LAST_SEQUENCE = "query PedigreeLastSequence { serverInfo { lastSequence } }"
ALIAS_NOW = "query PedigreeAliasNow($modelName: String!, $alias: String!) { modelVersionByAlias(modelName: $modelName, alias: $alias) { version } }"
#: Attempts at reading the alias between two equal log positions before settling for the first.
START_ATTEMPTS = 5
#: A subscription up this long counts as healthy: the next failure backs off from the start again.
STABLE_S = 5.0


class AliasWatch:
    """Moves are queued as they arrive and handed to the handler one at a time
    (the next only after the previous one returned), so a slow handler delays
    moves but never loses them; past ``max_queued`` the subscription is paused
    and later resumed from the log. A plain (non-async) handler runs in a worker
    thread, so it never holds up receiving or the heartbeat."""

    def __init__(
        self,
        model_name: str,
        alias: str,
        handler: ChangeHandler,
        *,
        http: HttpTransport,
        ws: SubscriptionConnection,
        backoff: Backoff,
        after: str | None = None,
        max_queued: int = 10_000,
        on_error: Callable[[BaseException], None] | None = None,
        inline: bool = False,
    ) -> None:
        if after is not None and not re.fullmatch(r"\d{1,30}", after):
            raise PedigreeError(BAD_USER_INPUT, f"after must be a sequence (a decimal string); got {after!r}")
        self.model_name = model_name
        self.alias = alias
        self._handler = handler
        self._http = http
        self._ws = ws
        self._backoff = backoff
        self._after = after
        self._max_queued = max(1, max_queued)
        self._on_error = on_error
        #: A cheap handler run on the event loop itself (the resolve cache's), not in a worker thread.
        self._inline = inline
        self._queue: list[AliasChange] = []
        self._last_received: int | None = None
        self.last_sequence: str | None = after
        self.current_version: int | None = None
        self.subscribed = False
        self._paused = False
        self._resume = asyncio.Event()
        self._has_work = asyncio.Event()
        self._stopped = asyncio.Event()
        self._ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.error: BaseException | None = None
        self._listeners: list[Callable[[bool], None]] = []
        self._task = asyncio.create_task(self._run())
        self._pump_task = asyncio.create_task(self._pump())

    @property
    def pending(self) -> int:
        """Moves received and not yet handled."""
        return len(self._queue)

    async def ready(self) -> None:
        """Returns once the starting state is known and the subscription is requested; raises if the watch cannot start."""
        await asyncio.shield(self._ready)

    async def wait(self) -> None:
        """Returns after close(); raises the error that ended the watch (an auth failure, a refused subscription)."""
        await self._stopped.wait()
        if self.error is not None:
            raise self.error

    def on_subscribed(self, listener: Callable[[bool], None]) -> None:
        self._listeners.append(listener)

    async def close(self) -> None:
        """Stops the watch; moves still queued are not handed on (they are after ``last_sequence``)."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self._set_subscribed(False)
        self._resume.set()
        self._has_work.set()
        for task in (self._task, self._pump_task):
            if task is not asyncio.current_task():
                task.cancel()
        await asyncio.gather(self._task, self._pump_task, return_exceptions=True)
        if not self._ready.done():
            self._ready.set_exception(PedigreeError("CLOSED", "the watch was closed before it started"))
            self._ready.exception()

    def _set_subscribed(self, value: bool) -> None:
        if self.subscribed != value:
            self.subscribed = value
            for listener in self._listeners:
                listener(value)

    async def _starting_point(self) -> tuple[str, int | None]:
        """The alias read between two reads of the log's last sequence that agree
        (see the TypeScript client: under constant writes the first is used)."""
        first: tuple[str, int | None] | None = None
        for _ in range(START_ATTEMPTS):
            before = (await self._http.graphql(LAST_SEQUENCE, {}, "query"))["serverInfo"]["lastSequence"]
            # Read at least at ``before``: a replica's alias view may be behind the log's head (Pedigree-Min-Sequence).
            now = (await self._http.graphql(ALIAS_NOW, {"modelName": self.model_name, "alias": self.alias}, "query", before))["modelVersionByAlias"]
            after = (await self._http.graphql(LAST_SEQUENCE, {}, "query"))["serverInfo"]["lastSequence"]
            state = (str(before), None if now is None else int(now["version"]))
            if before == after:
                return state
            if first is None:
                first = state
        assert first is not None
        return first

    async def _run(self) -> None:
        try:
            if self._after is not None:
                start = self._after
            else:
                start, version = await self._starting_point()
                self._enqueue(AliasChange(self.model_name, self.alias, "CURRENT", None, version, start), initial=True)
            self._last_received = int(start)
            self._ready.set_result(None)
        except BaseException as err:
            self._ready.set_exception(err)
            self._ready.exception()
            await self._fail(err)
            return
        attempt = 0
        while not self._stopped.is_set():
            if self._paused:
                await self._resume.wait()
                self._resume.clear()
                continue
            started = time.monotonic()
            sub = await self._ws.subscribe(SUBSCRIPTION, {"modelName": self.model_name, "alias": self.alias, "after": str(self._last_received)})
            outcome: Closed | Refused | str | None = None
            try:
                while True:
                    if self._ws.connected and not sub.done:
                        self._set_subscribed(True)
                    msg = await sub.get()
                    if isinstance(msg, dict):
                        if msg.get("errors"):
                            outcome = Refused(list(msg["errors"]))
                            break
                        change = (msg.get("data") or {}).get("aliasChanged")
                        if change:
                            attempt = 0
                            self._enqueue(_change(change), initial=False)
                            if self._is_paused():
                                outcome = "paused"
                                break
                        continue
                    outcome = msg
                    break
            finally:
                self._set_subscribed(False)
                await sub.cancel()
            if outcome == "paused":
                continue
            if isinstance(outcome, Refused):
                await self._fail(PedigreeError.from_graphql(outcome.errors, None))
                return
            if isinstance(outcome, Closed) and outcome.fatal:
                code = {4401: "UNAUTHENTICATED", 4403: "FORBIDDEN"}.get(outcome.code or 0, "BAD_REQUEST")
                await self._fail(PedigreeError(code, f"the server closed the subscription socket with {outcome.code}: {outcome.reason}"))
                return
            if time.monotonic() - started > STABLE_S:
                attempt = 0
            delay = self._backoff.delay(attempt)
            attempt += 1
            reason = "completed by the server" if outcome is None else f"closed {outcome.code} {outcome.reason}" if isinstance(outcome, Closed) else str(outcome)
            log.info(
                "pedigree: alias subscription interrupted; resuming after the last sequence",
                extra={"model_name": self.model_name, "alias": self.alias, "after": str(self._last_received), "reason": reason, "retry_in_s": delay},
            )
            try:
                await asyncio.wait_for(self._stopped.wait(), delay)
            except asyncio.TimeoutError:
                pass

    def _is_paused(self) -> bool:
        # A method, not the attribute: the handler pump changes it while this task awaits.
        return self._paused

    def _enqueue(self, change: AliasChange, *, initial: bool) -> None:
        if not initial:
            # While paused, moves still in flight are left to the log: the resumed subscription replays them.
            if self._paused:
                return
            seq = int(change.sequence)
            if self._last_received is not None and seq <= self._last_received:
                return
            self._last_received = seq
        self._queue.append(change)
        if len(self._queue) >= self._max_queued:
            self._paused = True
        self._has_work.set()

    async def _pump(self) -> None:
        while not self._stopped.is_set():
            await self._has_work.wait()
            self._has_work.clear()
            while self._queue and not self._stopped.is_set():
                change = self._queue[0]
                try:
                    if self._inline:
                        self._handler(change)
                    elif inspect.iscoroutinefunction(self._handler):
                        await self._handler(change)
                    else:
                        result = await asyncio.to_thread(self._handler, change)
                        if inspect.isawaitable(result):
                            await result
                except asyncio.CancelledError:
                    raise
                except Exception as err:  # noqa: BLE001 - the handler's failure is reported, the watch goes on
                    log.error("pedigree: alias change handler raised; going on with the next move", extra={"sequence": change.sequence})
                    if self._on_error:
                        self._on_error(err)
                self._queue.pop(0)
                self.last_sequence = change.sequence
                self.current_version = change.version
                if self._paused and len(self._queue) <= self._max_queued // 2:
                    self._paused = False
                    self._resume.set()

    async def _fail(self, err: BaseException) -> None:
        if self._stopped.is_set():
            return
        self.error = err
        log.error("pedigree: alias watch stopped", extra={"model_name": self.model_name, "alias": self.alias, "code": getattr(err, "code", None)})
        if self._on_error:
            self._on_error(err)
        self._stopped.set()
        self._set_subscribed(False)
        self._has_work.set()
        self._pump_task.cancel()


def _change(raw: dict[str, Any]) -> AliasChange:
    return AliasChange(
        model_name=str(raw["modelName"]),
        alias=str(raw["alias"]),
        type=str(raw["type"]),
        previous_version=raw.get("previousVersion"),
        version=raw.get("version"),
        sequence=str(raw["sequence"]),
        at=raw.get("at"),
        actor=raw.get("actor"),
    )
