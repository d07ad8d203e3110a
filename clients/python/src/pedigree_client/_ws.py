"""The graphql-transport-ws protocol (graphql-ws) over one shared websocket."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from dataclasses import dataclass
from typing import Any, Callable

import websockets
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from ._errors import CLOSED, PedigreeError

log = logging.getLogger("pedigree_client")

#: Close codes no retry can fix: bad request, no token, bad or revoked token, subprotocol, duplicate id.
FATAL_CLOSE = {4400, 4401, 4403, 4406, 4409}


@dataclass(frozen=True)
class Closed:
    """The socket under a subscription closed (or never opened)."""

    code: int | None
    reason: str

    @property
    def fatal(self) -> bool:
        return self.code in FATAL_CLOSE


@dataclass(frozen=True)
class Refused:
    """The server answered the subscription with GraphQL errors (then completes it)."""

    errors: list[dict[str, Any]]


class Subscription:
    """One subscription's messages: dicts (``next`` payloads), then ``Closed`` or ``Refused`` or ``None`` (completed)."""

    def __init__(self, conn: "SubscriptionConnection", sid: str) -> None:
        self._conn = conn
        self.id = sid
        self.queue: asyncio.Queue[dict[str, Any] | Closed | Refused | None] = asyncio.Queue()
        self.done = False

    async def get(self) -> dict[str, Any] | Closed | Refused | None:
        return await self.queue.get()

    async def cancel(self) -> None:
        if self.done:
            return
        self.done = True
        await self._conn._complete(self)


class SubscriptionConnection:
    """One websocket shared by a client's subscriptions. It never reconnects
    by itself: a closed or dead socket ends every subscription on it with
    ``Closed``, and each owner resubscribes with ``after:`` its last sequence,
    which opens a new socket. A websocket ping every ``ping_interval_s`` that
    is not answered within ``ping_timeout_s`` closes a socket that went silent
    without closing (a dead peer, a black-holing proxy)."""

    def __init__(
        self,
        ws_url: str,
        authorization: Callable[[], str | None],
        *,
        ping_interval_s: float,
        ping_timeout_s: float,
        connect_timeout_s: float,
    ) -> None:
        self._url = ws_url
        self._authorization = authorization
        self._ping_interval = ping_interval_s
        self._ping_timeout = ping_timeout_s
        self._connect_timeout = connect_timeout_s
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._subs: dict[str, Subscription] = {}
        self._ids = itertools.count(1)
        self._lock = asyncio.Lock()
        self._closed = False
        self.generation = 0

    @property
    def connected(self) -> bool:
        return self._ws is not None

    async def subscribe(self, query: str, variables: dict[str, Any]) -> Subscription:
        """Starts a subscription; a failure to connect is delivered as ``Closed`` on it."""
        if self._closed:
            raise PedigreeError(CLOSED, "the client is closed")
        sub = Subscription(self, str(next(self._ids)))
        try:
            ws = await self._connection()
            self._subs[sub.id] = sub
            await ws.send(json.dumps({"id": sub.id, "type": "subscribe", "payload": {"query": query, "variables": variables}}))
        except (OSError, ConnectionClosed, asyncio.TimeoutError, websockets.exceptions.InvalidHandshake, _AckError) as err:
            self._subs.pop(sub.id, None)
            sub.done = True
            code = err.code if isinstance(err, _AckError) else getattr(getattr(err, "rcvd", None), "code", None)
            sub.queue.put_nowait(Closed(code, f"{type(err).__name__}: {err}"))
        return sub

    def terminate(self) -> None:
        """Drops the socket at once, as if the network had (for failover drills and tests)."""
        ws = self._ws
        if ws is not None:
            ws.transport.abort()

    async def aclose(self) -> None:
        self._closed = True
        ws = self._ws
        if ws is not None:
            await ws.close(1000, "client closed")
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    async def _complete(self, sub: Subscription) -> None:
        self._subs.pop(sub.id, None)
        ws = self._ws
        if ws is not None:
            try:
                await ws.send(json.dumps({"id": sub.id, "type": "complete"}))
            except ConnectionClosed:
                pass

    async def _connection(self) -> ClientConnection:
        async with self._lock:
            if self._ws is not None:
                return self._ws
            ws = await asyncio.wait_for(
                connect(
                    self._url,
                    subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
                    ping_interval=self._ping_interval,
                    ping_timeout=self._ping_timeout,
                    open_timeout=self._connect_timeout,
                    close_timeout=2,
                    max_size=2**24,
                ),
                self._connect_timeout,
            )
            try:
                auth = self._authorization()
                await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": auth} if auth else {}}))
                while True:
                    msg = json.loads(await asyncio.wait_for(ws.recv(), self._connect_timeout))
                    if msg.get("type") == "connection_ack":
                        break
                    if msg.get("type") == "ping":
                        await ws.send(json.dumps({"type": "pong"}))
            except ConnectionClosed as err:
                await ws.close()
                raise _AckError(err.rcvd.code if err.rcvd else None, err.rcvd.reason if err.rcvd else "closed before connection_ack") from err
            except BaseException:
                ws.transport.abort()
                raise
            self._ws = ws
            self.generation += 1
            self._reader = asyncio.create_task(self._read(ws))
            return ws

    async def _read(self, ws: ClientConnection) -> None:
        closed = Closed(None, "connection lost")
        try:
            async for raw in ws:
                msg = json.loads(raw)
                kind = msg.get("type")
                if kind == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
                    continue
                sub = self._subs.get(str(msg.get("id")))
                if sub is None:
                    continue
                if kind == "next":
                    sub.queue.put_nowait(msg.get("payload") or {})
                elif kind == "error":
                    self._subs.pop(sub.id, None)
                    sub.done = True
                    sub.queue.put_nowait(Refused(list(msg.get("payload") or [])))
                elif kind == "complete":
                    self._subs.pop(sub.id, None)
                    sub.done = True
                    sub.queue.put_nowait(None)
            closed = Closed(ws.close_code, ws.close_reason or "")
        except ConnectionClosed as err:
            closed = Closed(err.rcvd.code if err.rcvd else None, err.rcvd.reason if err.rcvd else "connection lost")
        except Exception as err:  # noqa: BLE001 - a broken socket in any form ends its subscriptions
            closed = Closed(None, f"{type(err).__name__}: {err}")
        finally:
            if self._ws is ws:
                self._ws = None
            log.debug("pedigree: websocket closed", extra={"code": closed.code, "reason": closed.reason})
            subs = list(self._subs.values())
            self._subs.clear()
            for sub in subs:
                sub.done = True
                sub.queue.put_nowait(closed)


class _AckError(Exception):
    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed {code}: {reason}")
        self.code = code
