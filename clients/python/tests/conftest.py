"""Fixtures for the suite. The end-to-end tests need a real Pedigree: the repository's
test/e2e/client-python.e2e.test.ts starts one (a server process behind a fault-injecting
proxy, a second server on the same database for writes, and an HTTP control endpoint for
faults) and runs pytest with these variables set; without them the e2e tests are skipped."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
import secrets
from typing import Any, Iterator

import httpx
import pytest

URL = os.environ.get("PEDIGREE_TEST_URL")
WRITER = os.environ.get("PEDIGREE_TEST_WRITER_URL")
HARNESS = os.environ.get("PEDIGREE_TEST_HARNESS")
TOKEN = os.environ.get("PEDIGREE_TEST_TOKEN", "")
STORE = os.environ.get("PEDIGREE_TEST_ARTIFACT_DIR")

e2e = pytest.mark.skipif(not (URL and WRITER and HARNESS and TOKEN and STORE), reason="needs a Pedigree started by test/e2e/client-python.e2e.test.ts")


def uniq(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(5)}"


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Server:
    """The writer server (always up) and the fault controls of the served one."""

    def __init__(self) -> None:
        assert WRITER and HARNESS
        self.url = URL
        self.writer = WRITER
        self.http = httpx.Client(timeout=120, headers={"authorization": f"Bearer {TOKEN}"})

    def gql(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        res = self.http.post(f"{self.writer}/graphql", json={"query": query, "variables": variables or {}})
        body = res.json()
        if body.get("errors"):
            raise AssertionError(f"GraphQL errors: {body['errors']}")
        return body["data"]

    def control(self, what: str, **params: str) -> Any:
        method = "GET" if what == "info" else "POST"
        res = httpx.request(method, f"{HARNESS}/{what}", params=params, timeout=180)
        res.raise_for_status()
        return res.json()

    def stored_file(self, path: str) -> Path:
        """Where the servers' artifact store keeps ``path`` on disk (to change it behind Pedigree's back)."""
        assert STORE
        return Path(STORE, *path.split("/"))

    def put_artifact(self, path: str, data: bytes) -> str:
        res = self.http.put(f"{self.writer}/api/2.0/mlflow-artifacts/artifacts/{path}", content=data)
        res.raise_for_status()
        return f"mlflow-artifacts:/{path}"

    def register(self, model: str, source: str, checksum: str) -> int:
        try:
            self.gql("mutation($n: String!) { createRegisteredModel(input: { name: $n }) { id } }", {"n": model})
        except AssertionError:
            pass
        d = self.gql(
            "mutation($m: String!, $s: String!, $c: String!) { createModelVersion(input: { modelName: $m, source: $s, checksum: $c }) { version } }",
            {"m": model, "s": source, "c": checksum},
        )
        return int(d["createModelVersion"]["version"])

    def model_with_versions(self, n: int, prefix: str) -> str:
        name = uniq(prefix)
        for i in range(1, n + 1):
            data = f"weights of {name} v{i}\n".encode()
            self.register(name, self.put_artifact(f"clients/{name}/v{i}/model.bin", data), sha256(data))
        return name

    def move(self, model: str, alias: str, version: int) -> str:
        d = self.gql(
            "mutation($m: String!, $a: String!, $v: Int!) { setRegisteredModelAlias(modelName: $m, alias: $a, version: $v) { sequence } }",
            {"m": model, "a": alias, "v": version},
        )
        return str(d["setRegisteredModelAlias"]["sequence"])

    def visible(self, sequence: str) -> None:
        """Returns once the served replica has applied ``sequence``. The test's writes go through the writer, a
        second replica; the served one sees them within its event poll interval, so a test that next reads through
        the API (not the subscription) waits here first, as a real client would with a consistency token."""
        direct = self.control("info")["directUrl"]
        res = self.http.post(direct, json={"query": "{ __typename }"}, headers={"pedigree-min-sequence": sequence})
        body = res.json()
        if res.status_code != 200 or body.get("errors"):
            raise AssertionError(f"the served replica did not reach sequence {sequence}: {res.status_code} {body}")

    def move_visible(self, model: str, alias: str, version: int) -> str:
        """move(), then visible(): the served replica answers with the new target."""
        sequence = self.move(model, alias, version)
        self.visible(sequence)
        return sequence

    def alias_moves(self, model: str, alias: str) -> list[tuple[str, int | None, int | None]]:
        out: list[tuple[str, int | None, int | None]] = []
        after = None
        while True:
            d = self.gql(
                "query($m: String!, $a: String!, $after: String) { aliasHistory(modelName: $m, alias: $a, first: 500, after: $after) "
                "{ edges { node { sequence previousVersion version } } pageInfo { hasNextPage endCursor } } }",
                {"m": model, "a": alias, "after": after},
            )["aliasHistory"]
            out += [(e["node"]["sequence"], e["node"]["previousVersion"], e["node"]["version"]) for e in d["edges"]]
            if not d["pageInfo"]["hasNextPage"]:
                return out
            after = d["pageInfo"]["endCursor"]

    def predictions_created(self, model: str) -> int:
        d = self.gql("query($m: String) { predictionVolume(modelName: $m, first: 500) { edges { node { count } } } }", {"m": model})
        return sum(int(e["node"]["count"]) for e in d["predictionVolume"]["edges"])

    def trace(self, ids: list[str]) -> dict[str, tuple[str, int] | None]:
        """tracePrediction for each id (15 per request): id -> (model, version) or None."""
        out: dict[str, tuple[str, int] | None] = {}
        for i in range(0, len(ids), 15):
            chunk = ids[i:i + 15]
            fields = " ".join(f"t{j}: tracePrediction(id: $i{j}) {{ prediction {{ id }} modelVersion {{ version model {{ name }} }} }}" for j in range(len(chunk)))
            query = f"query({', '.join(f'$i{j}: String!' for j in range(len(chunk)))}) {{ {fields} }}"
            res = self.http.post(f"{self.writer}/graphql", json={"query": query, "variables": {f"i{j}": pid for j, pid in enumerate(chunk)}})
            data = res.json().get("data") or {}
            for j, pid in enumerate(chunk):
                t = data.get(f"t{j}")
                out[pid] = (t["modelVersion"]["model"]["name"], int(t["modelVersion"]["version"])) if t and t["prediction"]["id"] == pid else None
        return out


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.http.close()
