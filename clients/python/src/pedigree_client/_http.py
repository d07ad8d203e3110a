"""GraphQL over HTTP and the artifact proxy, with the token and the consistency token."""

from __future__ import annotations

import json
import re
from typing import Any, Literal, Mapping

import httpx

from ._errors import BAD_RESPONSE, NETWORK_ERROR, TIMEOUT, PedigreeError

#: The sequence a write committed at, on the response (issue 20's consistency token).
SEQUENCE_HEADER = "pedigree-sequence"
#: A read carrying it is answered only once the server has applied that sequence.
MIN_SEQUENCE_HEADER = "pedigree-min-sequence"

_SEQ = re.compile(r"^\d{1,30}$")


class HttpTransport:
    """Remembers the highest sequence of the client's own writes (from the
    response's ``extensions.sequence``, the ``Pedigree-Sequence`` header, or a
    ``sequence`` field of the mutation's result) and sends it as
    ``Pedigree-Min-Sequence`` on reads. A server that ignores the header
    answers as before."""

    def __init__(self, base_url: str, token: str | None, timeout_s: float, client: httpx.AsyncClient | None = None) -> None:
        self.base_url = base_url
        self.graphql_url = f"{base_url}/graphql"
        self._token = token
        self._min_sequence: int | None = None
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)))

    def __repr__(self) -> str:
        return f"HttpTransport(base_url={self.base_url!r}, token={'[redacted]' if self._token else None})"

    @property
    def min_sequence(self) -> str | None:
        return None if self._min_sequence is None else str(self._min_sequence)

    def note_sequence(self, value: object) -> None:
        """Raises the remembered write sequence (never lowers it)."""
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            return
        text = str(value)
        if not _SEQ.match(text):
            return
        n = int(text)
        if self._min_sequence is None or n > self._min_sequence:
            self._min_sequence = n

    def authorization(self) -> str | None:
        return f"Bearer {self._token}" if self._token else None

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        h = dict(extra or {})
        auth = self.authorization()
        if auth:
            h["authorization"] = auth
        return h

    async def graphql(self, query: str, variables: Mapping[str, Any], kind: Literal["query", "mutation"], at_least: str | None = None) -> Any:
        """One operation; raises PedigreeError with the server's ``extensions.code``. A read is answered at
        least at this client's own writes, and at ``at_least`` when given (a log position the caller read)."""
        try:
            return await self._graphql_once(query, variables, kind, at_least)
        except PedigreeError as err:
            # A pooled keep-alive connection the server closed (it restarted) fails the first request on it:
            # a read is retried once on a fresh connection. A write is not: it may have committed.
            if kind == "query" and err.code == NETWORK_ERROR:
                return await self._graphql_once(query, variables, kind, at_least)
            raise

    async def _graphql_once(self, query: str, variables: Mapping[str, Any], kind: Literal["query", "mutation"], at_least: str | None = None) -> Any:
        headers = self.headers({"content-type": "application/json", "accept": "application/graphql-response+json, application/json"})
        floor = self._min_sequence
        if at_least is not None and (floor is None or int(at_least) > floor):
            floor = int(at_least)
        if kind == "query" and floor is not None:
            headers[MIN_SEQUENCE_HEADER] = str(floor)
        try:
            res = await self._client.post(self.graphql_url, headers=headers, content=json.dumps({"query": query, "variables": dict(variables)}))
        except httpx.TimeoutException as err:
            raise PedigreeError(TIMEOUT, f"POST {self.graphql_url} timed out", retryable=True) from err
        except httpx.HTTPError as err:
            raise PedigreeError(NETWORK_ERROR, f"POST {self.graphql_url} failed: {type(err).__name__}: {err}", retryable=True) from err
        try:
            body = res.json()
        except ValueError:
            raise PedigreeError(
                BAD_RESPONSE,
                f"{self.graphql_url} answered {res.status_code} without GraphQL JSON: {res.text[:200]}",
                status=res.status_code,
                retryable=res.status_code >= 500 or res.status_code in (408, 429),
            ) from None
        if not isinstance(body, dict):
            raise PedigreeError(BAD_RESPONSE, f"{self.graphql_url} answered {res.status_code} with a non-object", status=res.status_code)
        if kind == "mutation":
            self.note_sequence(res.headers.get(SEQUENCE_HEADER))
            ext = body.get("extensions")
            if isinstance(ext, dict):
                self.note_sequence(ext.get("sequence"))
            data = body.get("data")
            if isinstance(data, dict):
                for value in data.values():
                    if isinstance(value, dict) and "sequence" in value:
                        self.note_sequence(value["sequence"])
        errors = body.get("errors")
        if errors:
            raise PedigreeError.from_graphql(errors, res.status_code)
        if body.get("data") is None or res.status_code >= 400:
            raise PedigreeError(BAD_RESPONSE, f"{self.graphql_url} answered {res.status_code} with no data", status=res.status_code, retryable=res.status_code >= 500)
        return body["data"]

    async def get(self, path: str, params: Mapping[str, str] | None = None) -> httpx.Response:
        try:
            return await self._client.get(f"{self.base_url}{path}", params=params, headers=self.headers())
        except httpx.TimeoutException as err:
            raise PedigreeError(TIMEOUT, f"GET {self.base_url}{path} timed out", retryable=True) from err
        except httpx.HTTPError as err:
            raise PedigreeError(NETWORK_ERROR, f"GET {self.base_url}{path} failed: {type(err).__name__}: {err}", retryable=True) from err

    def stream(self, path: str) -> Any:
        """An ``async with`` streaming GET on a server path (artifact downloads: a stall of 5 minutes fails it)."""
        return self._client.stream("GET", f"{self.base_url}{path}", headers=self.headers(), timeout=httpx.Timeout(connect=10.0, read=300.0, write=60.0, pool=10.0))

    async def aclose(self) -> None:
        await self._client.aclose()
