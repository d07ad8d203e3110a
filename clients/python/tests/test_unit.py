"""Pure tests: no server."""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
from pathlib import Path

import pytest

from pedigree_client import AsyncPedigreeClient, Backoff, ModelRef, PedigreeError, manifest_digest, parse_model_uri, to_model_ref
from pedigree_client._http import HttpTransport


def test_parses_model_uris_like_the_server() -> None:
    assert parse_model_uri("models:/team/fraud@prod") == parse_model_uri("models:/team/fraud@prod")
    p = parse_model_uri("models:/team/fraud@prod")
    assert (p.kind, p.model_name, p.alias) == ("alias", "team/fraud", "prod")
    p = parse_model_uri("models:/team/fraud/12")
    assert (p.kind, p.model_name, p.version) == ("version", "team/fraud", 12)
    p = parse_model_uri("models:/fraud/Production")
    assert (p.kind, p.stage) == ("stage", "PRODUCTION")
    assert parse_model_uri("models:/fraud/latest").alias == "latest"
    for bad in ["s3://x", "models:/", "models:/fraud", "models:/fraud@", "models:/fr aud/1", "models:/fraud/v-1"]:
        with pytest.raises(PedigreeError) as err:
            parse_model_uri(bad)
        assert err.value.code == "BAD_USER_INPUT"
    assert to_model_ref("models:/m/3") == ModelRef("m", version=3)
    with pytest.raises(PedigreeError):
        to_model_ref("models:/m/staging")
    with pytest.raises(PedigreeError):
        ModelRef("m", version=1, alias="a")


def test_backoff_is_full_jitter_within_its_ceiling() -> None:
    b = Backoff(0.1, 2.0)
    rng = random.Random(1)
    for attempt in range(40):
        ceiling = min(2.0, 0.1 * 2**attempt)
        delays = [b.delay(attempt, rng) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8


def test_manifest_digest_sorts_by_utf16_code_units_like_the_server() -> None:
    # JavaScript compares UTF-16 code units: U+1F600 (a surrogate pair, 0xD83D…) sorts before U+FFFF.
    entries = [("\uffff.bin", "a" * 64), ("\U0001F600.bin", "b" * 64), ("a/b.txt", "c" * 64)]
    lines = "".join(f"{p}\t{s}\n" for p, s in [entries[2], entries[1], entries[0]])
    assert manifest_digest(entries) == "sha256:" + hashlib.sha256(lines.encode()).hexdigest()


def test_the_token_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "pdg_" + "s" * 43
    monkeypatch.setenv("PEDIGREE_TOKEN", secret)
    monkeypatch.setenv("PEDIGREE_URL", "http://127.0.0.1:9/graphql")

    async def run() -> None:
        c = AsyncPedigreeClient()
        assert c.url == "http://127.0.0.1:9"
        assert secret not in repr(c) and "[redacted]" in repr(c)
        assert c._http.authorization() == f"Bearer {secret}"
        with pytest.raises(PedigreeError) as err:
            await c.resolve("models:/m/1")
        assert err.value.code == "NETWORK_ERROR" and err.value.retryable
        assert secret not in str(err.value) and secret not in repr(err.value)
        await c.aclose()

    asyncio.run(run())


def test_the_write_sequence_only_rises() -> None:
    t = HttpTransport("http://127.0.0.1:9", None, 1)
    assert t.min_sequence is None
    for value in ["12", 7, "not a number", None, True, "99999999999999999999"]:
        t.note_sequence(value)
    assert t.min_sequence == "99999999999999999999"
    asyncio.run(t.aclose())


def test_a_spool_left_on_disk_is_recovered_and_a_torn_line_skipped(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    rows = [{"id": f"p{i}", "modelName": "m", "version": 1, "at": "2025-01-01T00:00:00+00:00"} for i in range(5)]
    (spool / "batch-000000000003.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows) + '{"id": "torn", "mod')
    (spool / "batch-000000000004.jsonl").write_text(json.dumps(rows[0]) + "\n")  # the same id again: kept once

    async def run() -> None:
        c = AsyncPedigreeClient("http://127.0.0.1:9", "t", request_timeout_s=0.5)
        logger = c.prediction_logger(spool_dir=spool, backoff=Backoff(0.01, 0.05))
        assert logger.stats().pending == 5
        logger.log("p9", "models:/m/2")
        assert await logger.close(0.2) == 6
        await c.aclose()

    asyncio.run(run())
    kept = sorted(p.name for p in spool.iterdir())
    assert kept[:2] == ["batch-000000000003.jsonl", "batch-000000000004.jsonl"]
    assert any(json.loads(line)["id"] == "p9" for f in spool.iterdir() for line in f.read_text().splitlines() if line.startswith("{") and line.endswith("}"))
