"""The Python client against a real Pedigree (see conftest.py for who starts it)."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable

import pytest

from pedigree_client import (
    AliasChange,
    ArtifactFile,
    ArtifactFiles,
    AsyncPedigreeClient,
    Backoff,
    ChecksumMismatchError,
    PedigreeClient,
    PedigreeError,
    SpoolFullError,
    manifest_digest,
)

from .conftest import TOKEN, URL, Server, e2e, sha256, uniq

pytestmark = e2e


def client(**options: Any) -> AsyncPedigreeClient:
    """A client for the served server, with test-friendly heartbeat and backoff."""
    opts: dict[str, Any] = dict(token=TOKEN, ping_interval_s=0.5, ping_timeout_s=1.0, connect_timeout_s=3.0, backoff=Backoff(0.05, 1.0))
    opts.update(options)
    return AsyncPedigreeClient(URL, **opts)


def arun(test: Awaitable[None], timeout_s: float = 300.0) -> None:
    """Runs a test's coroutine with a bound, so a hang fails with the test's name and a traceback of where it waited."""

    async def bounded() -> None:
        await asyncio.wait_for(test, timeout_s)

    asyncio.run(bounded())


async def until(what: str, check: Callable[[], bool | Awaitable[bool]], timeout_s: float = 30.0) -> None:
    end = time.monotonic() + timeout_s
    while True:
        r = check()
        if asyncio.iscoroutine(r):
            r = await r
        if r:
            return
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.025)


async def start_watch(c: AsyncPedigreeClient, name: str, seen: list[AliasChange], handler: Any = None, **options: Any) -> Any:
    """Watches NAME@serving (recording into ``seen`` unless ``handler`` does) and waits for the CURRENT state."""
    w = c.watch(name, "serving", handler or seen.append, **options)
    await w.ready()
    await until("the current state", lambda: len(seen) == 1)
    return w


def moves_of(seen: list[AliasChange]) -> list[tuple[str, int | None, int | None]]:
    return [(c.sequence, c.previous_version, c.version) for c in seen]


# ------------------------------------------------------------------------------------------ resolve


def test_resolve_alias_version_and_stage(server: Server) -> None:
    name = server.model_with_versions(2, "py-resolve")
    server.move_visible(name, "serving", 2)

    async def run() -> None:
        async with client() as c:
            v = await c.resolve(f"models:/{name}@serving")
            assert v is not None and (v.model_name, v.version) == (name, 2)
            assert v.source == f"mlflow-artifacts:/clients/{name}/v2/model.bin"
            assert v.checksum == sha256(f"weights of {name} v2\n".encode())
            assert (await c.resolve(f"models:/{name}/1")).version == 1  # type: ignore[union-attr]
            assert (await c.resolve(f"models:/{name}/development")).version == 2  # type: ignore[union-attr]
            assert await c.resolve(f"models:/{name}@nowhere") is None
            assert await c.resolve(f"models:/{name}/99") is None
            with pytest.raises(PedigreeError) as bad:
                await c.resolve("s3://not-a-model-uri")
            assert bad.value.code == "BAD_USER_INPUT"

    arun(run())


def test_resolve_cache_follows_moves_and_falls_back_while_down(server: Server) -> None:
    name = server.model_with_versions(3, "py-cache")
    server.move_visible(name, "serving", 1)
    uri = f"models:/{name}@serving"

    async def cached(c: AsyncPedigreeClient) -> bool:
        before = c.resolve_api_calls
        await c.resolve(uri)
        return c.resolve_api_calls == before

    async def run() -> None:
        async with client() as c:
            assert (await c.resolve(uri)).version == 1  # type: ignore[union-attr]
            await until("the cache to answer", lambda: cached(c))
            calls = c.resolve_api_calls
            server.move(name, "serving", 3)

            async def moved() -> bool:
                v = await c.resolve(uri)
                return v is not None and v.version == 3

            await until("the cache to see the move", moved)
            assert c.resolve_api_calls == calls
            # (Through threads: a blocking call here would also stop the client noticing its socket close.)
            await asyncio.to_thread(server.control, "kill-connections")
            await asyncio.to_thread(server.move_visible, name, "serving", 2)
            during = c.resolve_api_calls
            assert (await c.resolve(uri)).version == 2  # type: ignore[union-attr]
            assert c.resolve_api_calls == during + 1

            async def cached_again() -> bool:
                before = c.resolve_api_calls
                v = await c.resolve(uri)
                return v is not None and v.version == 2 and c.resolve_api_calls == before

            await until("the cache to answer again", cached_again)

    arun(run())


def test_own_writes_are_read_back_and_the_sequence_is_remembered(server: Server) -> None:
    name = server.model_with_versions(2, "py-consistency")
    server.move_visible(name, "serving", 1)
    uri = f"models:/{name}@serving"

    async def run() -> None:
        async with client() as c:
            # HTTP goes straight to the server; only the websocket passes the proxy, so the test can hold back events.
            c._http.graphql_url = server.control("info")["directUrl"]
            sent: list[str | None] = []

            async def record(request: Any) -> None:
                if b"PedigreeResolve" in request.content:
                    sent.append(request.headers.get("pedigree-min-sequence"))

            c._http._client.event_hooks["request"].append(record)
            await c.resolve(uri)
            assert c.last_write_sequence is None and sent == [None]

            async def cached() -> bool:
                n = len(sent)
                await c.resolve(uri)
                return len(sent) == n

            await until("the cache to answer", cached)
            # The socket stays open but passes nothing: the cache cannot see the write that follows.
            await asyncio.to_thread(server.control, "blackhole", on="1")
            try:
                moved = await c.request(
                    'mutation($m: String!, $v: Int!) { setRegisteredModelAlias(modelName: $m, alias: "serving", version: $v) { sequence } }',
                    {"m": name, "v": 2},
                )
                seq = moved["setRegisteredModelAlias"]["sequence"]
                assert c.last_write_sequence == seq
                calls = c.resolve_api_calls
                assert (await c.resolve(uri)).version == 2  # type: ignore[union-attr]
                assert c.resolve_api_calls == calls + 1
                assert sent[-1] == seq
            finally:
                await asyncio.to_thread(server.control, "blackhole", on="0")
                await asyncio.to_thread(server.control, "kill-connections")

    arun(run())


# -------------------------------------------------------------------------------------------- watch


def test_watch_200_moves_with_5_websocket_kills(server: Server) -> None:
    name = server.model_with_versions(4, "py-watch")
    server.move_visible(name, "serving", 1)

    async def run() -> None:
        async with client() as c:
            seen: list[AliasChange] = []
            w = await start_watch(c, name, seen)
            assert (seen[0].type, seen[0].version, seen[0].previous_version) == ("CURRENT", 1, None)
            kills = 0
            for i in range(200):
                await asyncio.to_thread(server.move, name, "serving", ((i + 1) % 4) + 1)
                if i % 40 == 20:
                    await asyncio.to_thread(server.control, "kill-connections")
                    kills += 1
            assert kills == 5
            truth = server.alias_moves(name, "serving")[1:]
            assert len(truth) == 200
            await until("all 200 moves", lambda: len(seen) >= 201, 60)
            await asyncio.sleep(0.5)
            assert moves_of(seen[1:]) == truth
            assert w.last_sequence == truth[-1][0]

    arun(run())


def test_watch_across_a_server_restart(server: Server) -> None:
    name = server.model_with_versions(3, "py-watch-restart")
    server.move_visible(name, "serving", 1)

    async def run() -> None:
        async with client() as c:
            seen: list[AliasChange] = []
            w = await start_watch(c, name, seen)

            def mover() -> None:
                for i in range(60):
                    server.move(name, "serving", ((i + 1) % 3) + 1)
                    time.sleep(0.02)

            moving = asyncio.create_task(asyncio.to_thread(mover))
            await asyncio.sleep(0.2)
            await asyncio.to_thread(server.control, "restart", mode="term")
            await moving
            truth = server.alias_moves(name, "serving")[1:]
            await until("all moves", lambda: len(seen) >= len(truth) + 1, 60)
            await asyncio.sleep(0.3)
            assert moves_of(seen[1:]) == truth
            await w.close()

    arun(run())


def test_slow_handler_loses_nothing(server: Server) -> None:
    name = server.model_with_versions(2, "py-watch-slow")
    server.move_visible(name, "serving", 1)

    async def run() -> None:
        async with client() as c:
            seen: list[AliasChange] = []

            def slow(change: AliasChange) -> None:  # a plain function: runs in a worker thread
                seen.append(change)
                time.sleep(0.03)

            w = await start_watch(c, name, seen, slow, max_queued=4)
            most = 0
            for i in range(30):
                await asyncio.to_thread(server.move, name, "serving", 2 if i % 2 == 0 else 1)
                most = max(most, w.pending)
            truth = server.alias_moves(name, "serving")[1:]
            await until("all moves", lambda: len(seen) >= 31, 30)
            assert moves_of(seen[1:]) == truth
            assert most <= 4
            await w.close()

    arun(run())


def test_heartbeat_notices_a_dead_socket(server: Server) -> None:
    name = server.model_with_versions(2, "py-watch-dead")
    server.move_visible(name, "serving", 1)

    async def run() -> None:
        async with client() as c:
            seen: list[AliasChange] = []
            w = await start_watch(c, name, seen)
            await until("the subscription", lambda: w.subscribed)
            generation = c._ws.generation
            server.control("blackhole", on="1")
            server.move(name, "serving", 2)
            # The websocket ping (0.5 s) goes unanswered for 1 s: the socket is declared dead.
            await until("the socket to be declared dead", lambda: not w.subscribed, 10)
            server.control("blackhole", on="0")
            server.control("kill-connections")
            await until("the move", lambda: len(seen) == 2, 20)
            assert (seen[1].previous_version, seen[1].version) == (1, 2)
            assert c._ws.generation > generation
            await w.close()

    arun(run())


def test_resume_after_and_a_bad_token_is_a_typed_error_without_secrets(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    name = server.model_with_versions(2, "py-watch-after")
    first = server.move(name, "serving", 1)
    second = server.move_visible(name, "serving", 2)
    token = "pdg_" + secrets.token_urlsafe(32)

    async def run() -> None:
        async with client() as c:
            seen: list[AliasChange] = []
            w = c.watch(name, "serving", seen.append, after=first)
            await until("the replayed move", lambda: len(seen) == 1)
            assert (seen[0].sequence, seen[0].previous_version, seen[0].version, seen[0].type) == (second, 1, 2, "ALIAS_SET")
            await w.close()
        caplog.set_level(logging.DEBUG, logger="pedigree_client")
        async with client(token=token) as bad:
            errors: list[BaseException] = []
            refused = bad.watch(name, "serving", lambda _c: None, after=first, on_error=errors.append)
            with pytest.raises(PedigreeError) as ended:
                await asyncio.wait_for(refused.wait(), 30)
            assert ended.value.code in ("FORBIDDEN", "UNAUTHENTICATED")
            assert len(errors) == 1
            with pytest.raises(PedigreeError) as via_http:
                await bad.resolve(f"models:/{name}/1")
            assert via_http.value.code == "UNAUTHENTICATED" and via_http.value.status == 401
            for text in [caplog.text, str(ended.value), repr(ended.value), str(via_http.value), repr(bad), repr(bad._http)]:
                assert token not in text

    arun(run())


# ----------------------------------------------------------------------------------------- download


def test_download_verifies_refuses_tampered_and_records_deployment_only_after(server: Server, tmp_path: Path) -> None:
    name = uniq("py-download")
    good = os.urandom(300_000)
    server.register(name, server.put_artifact(f"clients/{name}/good/model.bin", good), sha256(good))
    # Version 2 is registered with its true checksum; then its stored file is changed on disk, behind Pedigree's back.
    stored = os.urandom(300_000)
    server.register(name, server.put_artifact(f"clients/{name}/tampered/model.bin", stored), sha256(stored))
    server.stored_file(f"clients/{name}/tampered/model.bin").write_bytes(stored[:1000] + bytes([stored[1000] ^ 1]) + stored[1001:])

    async def run() -> None:
        async with client() as c:
            target = tmp_path / name / "v1"
            ok = await c.download(f"models:/{name}/1", target, deployment={"name": f"{name}-api", "environment": "test"})
            assert (ok.files, ok.checksum, ok.reused) == (["model.bin"], sha256(good), False)
            assert (target / "model.bin").read_bytes() == good
            dep = server.gql("query($n: String!) { deployment(name: $n) { serving { checksum modelVersion { version } } } }", {"n": f"{name}-api"})
            assert dep["deployment"]["serving"] == [{"checksum": sha256(good), "modelVersion": {"version": 1}}]
            assert (await c.download(f"models:/{name}/1", target)).reused

            bad_dir = tmp_path / name / "v2"
            with pytest.raises(ChecksumMismatchError) as err:
                await c.download(f"models:/{name}/2", bad_dir, deployment={"name": f"{name}-bad", "environment": "test"})
            # Pedigree verifies what it serves, so the changed bytes never leave the server: the client says so.
            assert err.value.code == "CHECKSUM_MISMATCH" and err.value.expected == sha256(stored) and err.value.actual is None
            assert "does not match its seal" in str(err.value)
            assert not bad_dir.exists()
            assert sorted(p.name for p in (tmp_path / name).iterdir()) == ["v1"]
            none = server.gql("query($n: String!) { deployment(name: $n) { id } }", {"n": f"{name}-bad"})
            assert none["deployment"] is None

    arun(run())


def test_download_directory_artifact_and_refuse_foreign_directory(server: Server, tmp_path: Path) -> None:
    name = uniq("py-download-dir")
    files = {"MLmodel": b"flavors: {}\n", "data/weights.bin": os.urandom(50_000), "data/vocab.txt": b"a\nb\n"}
    for p, b in files.items():
        server.put_artifact(f"clients/{name}/model/{p}", b)
    digest = manifest_digest((p, sha256(b)[7:]) for p, b in files.items())
    server.register(name, f"mlflow-artifacts:/clients/{name}/model", digest)

    async def run() -> None:
        async with client() as c:
            r = await c.download(f"models:/{name}/1", tmp_path / name)
            assert r.files == ["MLmodel", "data/vocab.txt", "data/weights.bin"] and r.checksum == digest
            assert (tmp_path / name / "data" / "weights.bin").read_bytes() == files["data/weights.bin"]
            other = tmp_path / "other"
            other.mkdir()
            (other / "mine.txt").write_text("not a model")
            with pytest.raises(PedigreeError) as err:
                await c.download(f"models:/{name}/1", other)
            assert err.value.code == "CONFLICT"
            assert [p.name for p in other.iterdir()] == ["mine.txt"]
            assert len((await c.download(f"models:/{name}/1", other, overwrite=True)).files) == 3
            assert not (other / "mine.txt").exists()

    arun(run())


def test_download_through_a_user_fetcher_verifies_and_leaves_nothing_from_a_broken_stream(server: Server, tmp_path: Path) -> None:
    name = uniq("py-download-hook")
    good = os.urandom(100_000)
    server.register(name, f"s3://bucket/{name}/model.onnx", sha256(good))
    mode = {"now": "good"}

    async def s3(uri: str) -> AsyncIterator[bytes]:
        assert uri == f"s3://bucket/{name}/model.onnx"
        if mode["now"] == "good":
            yield good[:50_000]
            yield good[50_000:]
        elif mode["now"] == "tampered":
            yield good[:-1] + b"!"
        else:
            yield good[:40_000]
            raise ConnectionResetError("peer went away")

    def dir_fetcher(uri: str) -> ArtifactFiles:
        return ArtifactFiles([ArtifactFile("model.onnx", lambda: good)])

    async def run() -> None:
        async with client(fetchers={"s3": s3}) as c:
            r = await c.download(f"models:/{name}/1", tmp_path / name)
            assert r.files == ["model.onnx"] and (tmp_path / name / "model.onnx").read_bytes() == good
            for m, code in (("tampered", "CHECKSUM_MISMATCH"), ("broken", "NETWORK_ERROR")):
                mode["now"] = m
                with pytest.raises(PedigreeError) as err:
                    await c.download(f"models:/{name}/1", tmp_path / f"{name}-{m}")
                assert err.value.code == code
                assert [p for p in tmp_path.iterdir() if p.name.startswith(f"{name}-{m}")] == []
        async with client() as c:
            with pytest.raises(PedigreeError) as err:
                await c.download(f"models:/{name}/1", tmp_path / "nohook")
            assert err.value.code == "UNSUPPORTED_SOURCE"
        # A fetcher may also hand over a directory: then the manifest digest is what must match.
        async with client(fetchers={"s3": dir_fetcher}) as c:
            with pytest.raises(ChecksumMismatchError):
                await c.download(f"models:/{name}/1", tmp_path / "as-dir")
            assert not (tmp_path / "as-dir").exists()

    arun(run())


# --------------------------------------------------------------------------------- prediction logger


def test_50000_predictions_with_two_server_restarts(server: Server) -> None:
    name = server.model_with_versions(2, "py-logger")
    run_id = uniq("p")
    ids = [f"{run_id}-{i}" for i in range(50_000)]

    async def run() -> None:
        async with client() as c:
            logger = c.prediction_logger(batch_size=1_000, flush_interval_s=0.1, max_pending=60_000, backoff=Backoff(0.05, 1.0))
            logged_during: list[int] = []

            async def restarts() -> None:
                await until("a fifth of them sent", lambda: logger.stats().sent >= 10_000, 180)
                before = logger.stats().sent + logger.stats().pending
                await asyncio.to_thread(server.control, "restart", mode="term")
                await until("half of them sent", lambda: logger.stats().sent >= 25_000, 180)
                # A crash: requests in flight die with the process, their transactions committed or not.
                await asyncio.to_thread(server.control, "restart", mode="kill")
                logged_during.append(logger.stats().sent + logger.stats().pending - before)

            restarting = asyncio.create_task(restarts())
            for i, pid in enumerate(ids):
                logger.log(pid, f"models:/{name}/{1 if i % 2 == 0 else 2}", f"s3://inputs/{i}.json")
                # Logging keeps pace with the server (a serving process's rate), so it goes on through both restarts.
                if logger.stats().pending >= 5_000:
                    await until("the spool to drain a little", lambda: logger.stats().pending < 2_500, 180)
            await restarting
            await logger.flush(180)
            stats = logger.stats()
            assert (stats.pending, stats.dead_lettered, stats.sent) == (0, 0, 50_000)
            # A batch the server committed just before a crash, its answer lost, is sent again and then counts as
            # not new: the client's own tally may fall short; the server's count below is the one that must be exact.
            assert stats.created <= 50_000
            assert stats.retries > 0 and logged_during[0] > 0
            assert await logger.close() == 0

    arun(run())
    # The server's own count of predictions created for the model: each of the 50,000 ids exactly once
    # (the logger sent no other id for this model), and a random sample traced through GraphQL.
    assert server.predictions_created(name) == 50_000
    import random

    sample = random.Random(7).sample(ids, 3_000)
    traced = server.trace(sample)
    assert [pid for pid, t in traced.items() if t is None or t[0] != name] == []
    assert all(traced[pid] == (name, 1 if int(pid.rsplit("-", 1)[1]) % 2 == 0 else 2) for pid in sample)


def test_spool_on_disk_survives_the_client_and_says_when_full(server: Server, tmp_path: Path) -> None:
    name = server.model_with_versions(1, "py-spool")
    spool = tmp_path / "spool"
    run_id = uniq("s")

    async def run() -> None:
        async with client() as c:
            server.control("blackhole", on="1")
            server.control("kill-connections")
            try:
                a = c.prediction_logger(spool_dir=spool, flush_interval_s=0.05, max_pending=100, backoff=Backoff(0.05, 0.2))
                for i in range(100):
                    a.log(f"{run_id}-{i}", f"models:/{name}/1")
                with pytest.raises(SpoolFullError):
                    a.log(f"{run_id}-overflow", f"models:/{name}/1")
                a.log(f"{run_id}-3", f"models:/{name}/1")  # already spooled: a no-op, not an overflow
                assert await a.close(0.3) == 100
                assert any(p.name.startswith("batch-") for p in spool.iterdir())
                dropped: list[PedigreeError] = []
                b = c.prediction_logger(
                    spool_dir=spool,
                    flush_interval_s=0.05,
                    max_pending=100,
                    on_full="drop",
                    backoff=Backoff(0.05, 0.2),
                    on_error=lambda e, n, retry: dropped.append(e) if e.code == "SPOOL_FULL" else None,
                )
                assert b.stats().pending == 100
                b.log(f"{run_id}-extra", f"models:/{name}/1")
                assert b.stats().dropped == 1 and len(dropped) == 1
            finally:
                server.control("blackhole", on="0")
                server.control("kill-connections")
            await b.flush(60)
            s = b.stats()
            assert (s.pending, s.sent, s.created) == (0, 100, 100)
            await b.close()
            assert not any(p.name.startswith("batch-") for p in spool.iterdir())

    arun(run())
    assert server.predictions_created(name) == 100


def test_dead_letters_what_the_server_refuses_for_good() -> None:
    async def run() -> None:
        async with client() as c:
            refused: list[PedigreeError] = []
            logger = c.prediction_logger(flush_interval_s=0.05, on_error=lambda e, n, retry: None if retry else refused.append(e))
            logger.log(uniq("orphan"), f"models:/{uniq('no-such-model')}/1")
            await logger.flush(30)
            s = logger.stats()
            assert (s.pending, s.dead_lettered, s.sent) == (0, 1, 0)
            assert [e.code for e in refused] == ["NOT_FOUND"]
            await logger.close()

    arun(run())


# ------------------------------------------------------------------------------------- the sync facade


def test_sync_facade_resolves_watches_downloads_and_logs(server: Server, tmp_path: Path) -> None:
    name = server.model_with_versions(2, "py-sync")
    server.move_visible(name, "serving", 1)
    with PedigreeClient(URL, TOKEN, ping_interval_s=0.5, ping_timeout_s=1.0, backoff=Backoff(0.05, 1.0)) as c:
        assert "pdg_" not in repr(c) and "[redacted]" in repr(c)
        assert c.resolve(f"models:/{name}@serving").version == 1  # type: ignore[union-attr]
        seen: list[AliasChange] = []
        got = threading.Event()

        def on_change(change: AliasChange) -> None:
            seen.append(change)
            if len(seen) == 2:
                got.set()

        w = c.watch(name, "serving", on_change)
        w.ready(30)
        server.move(name, "serving", 2)
        assert got.wait(30)
        assert [(s.type, s.version) for s in seen] == [("CURRENT", 1), ("ALIAS_SET", 2)]
        w.close()
        r = c.download(f"models:/{name}/2", tmp_path / "m")
        assert (tmp_path / "m" / "model.bin").read_bytes() == f"weights of {name} v2\n".encode()
        assert r.checksum == sha256(f"weights of {name} v2\n".encode())
        logger = c.prediction_logger(flush_interval_s=0.05)
        pid = uniq("sync")
        threads = [threading.Thread(target=logger.log, args=(f"{pid}-{i}", f"models:/{name}/2")) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        logger.flush(30)
        assert logger.stats().created == 20
        assert logger.close() == 0
    assert server.trace([f"{pid}-0"])[f"{pid}-0"] == (name, 2)
