"""Verified artifact downloads: SHA-256 checked while streaming, nothing left behind on a mismatch."""

from __future__ import annotations

import hashlib
import inspect
import os
import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterable, Awaitable, Callable, Iterable, Mapping, Union
from urllib.parse import quote

import httpx

from ._errors import (
    BAD_RESPONSE,
    BAD_USER_INPUT,
    CHECKSUM_MISSING,
    NETWORK_ERROR,
    UNSUPPORTED_SOURCE,
    ChecksumMismatchError,
    PedigreeError,
)
from ._http import HttpTransport
from ._resolve import ResolvedVersion

#: Bytes of one file as a fetcher hands them over: an (async) iterable of chunks, or all of them.
ByteSource = Union[bytes, Iterable[bytes], AsyncIterable[bytes]]


@dataclass(frozen=True)
class ArtifactFile:
    """One file of a directory artifact; ``path`` is relative to the artifact's root, "/"-separated."""

    path: str
    open: Callable[[], Union[ByteSource, Awaitable[ByteSource]]]


@dataclass(frozen=True)
class ArtifactFiles:
    """A directory artifact from a fetcher: its checksum is the manifest digest, as Pedigree computes it."""

    files: list[ArtifactFile] = field(default_factory=list)


#: Fetches sources the client cannot fetch itself (s3://, gs://, https://, hf://, ...) with your own client and
#: credentials: returns the bytes of a single-file artifact, or ArtifactFiles. Sync or async.
ArtifactFetcher = Callable[[str], Union[ByteSource, ArtifactFiles, Awaitable[Union[ByteSource, ArtifactFiles]]]]


@dataclass(frozen=True)
class DownloadResult:
    version: ResolvedVersion
    #: The directory the artifact is in.
    dir: Path
    #: The files written, relative to ``dir``, sorted.
    files: list[str]
    #: "sha256:…" computed from the bytes written; equal to the registry's checksum.
    checksum: str
    #: True when ``dir`` already held exactly this version's bytes and nothing was fetched.
    reused: bool


ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts"


def manifest_digest(entries: Iterable[tuple[str, str]]) -> str:
    """Pedigree's directory checksum: SHA-256 over ``relative/path<TAB>sha256hex\\n`` lines sorted by path.
    The server sorts by UTF-16 code units (JavaScript's order), so this does too."""
    h = hashlib.sha256()
    for path, sha in sorted(entries, key=lambda e: e[0].encode("utf-16-be")):
        h.update(f"{path}\t{sha}\n".encode())
    return f"sha256:{h.hexdigest()}"


async def download_artifact(
    http: HttpTransport,
    version: ResolvedVersion,
    uri: str,
    dir: str | os.PathLike[str],
    fetchers: Mapping[str, ArtifactFetcher],
    *,
    overwrite: bool = False,
) -> DownloadResult:
    """Downloads into ``dir`` through a sibling staging directory; only bytes that verify are moved into place
    (one rename), so a mismatch, a broken stream or a crash leaves no partial file in ``dir``."""
    if not version.checksum:
        raise PedigreeError(
            CHECKSUM_MISSING,
            f"{uri} (version {version.version}) has no checksum in the registry: it is unverified, so its bytes "
            "cannot be checked. Attach the checksum first.",
        )
    target = Path(dir).resolve()
    existing = _existing_digest(target, version.source)
    if existing is not None:
        if existing[0] == version.checksum:
            return DownloadResult(version, target, existing[1], existing[0], True)
        if not overwrite:
            raise PedigreeError(
                "CONFLICT",
                f"{target} already holds files that are not version {version.version} of {version.model_name} "
                f"(they hash to {existing[0]}); pass overwrite=True or choose an empty directory",
            )
    kind, where = await _locate(http, version)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f"{target.name}.partial-{secrets.token_hex(6)}")
    staging.mkdir()
    try:
        if kind == "store":
            try:
                files, checksum = await _from_store(http, where, staging)
            except PedigreeError as err:
                # Pedigree verifies what it serves: stored bytes that no longer match their seal are refused (DATA_LOSS), never sent.
                if err.extensions.get("mlflowErrorCode") != "DATA_LOSS":
                    raise
                raise ChecksumMismatchError(uri, version.checksum, None, str(err.extensions.get("serverMessage") or err)) from err
        else:
            scheme = (re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", where) or [None, ""])[1] or ""
            fetcher = fetchers.get(scheme.lower())
            if fetcher is None:
                raise PedigreeError(UNSUPPORTED_SOURCE, f'no fetcher for "{scheme}:" sources ({where}); pass one in the client\'s fetchers')
            files, checksum = await _from_fetcher(fetcher, where, staging)
        if checksum != version.checksum:
            raise ChecksumMismatchError(uri, version.checksum, checksum)
        _move_into_place(staging, target)
        return DownloadResult(version, target, files, checksum, False)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


async def _locate(http: HttpTransport, version: ResolvedVersion) -> tuple[str, str]:
    uri = version.source
    if uri.startswith(("runs:", "models:")):
        res = await http.get("/api/2.0/mlflow/model-versions/get-download-uri", {"name": version.model_name, "version": str(version.version)})
        body = _json(res)
        if res.status_code >= 400 or not body.get("artifact_uri"):
            raise _mlflow_error(res.status_code, body, f"locating the artifact of {version.model_name} version {version.version}")
        uri = str(body["artifact_uri"])
    m = re.match(r"^mlflow-artifacts:(?://[^/]*)?/(.*)$", uri)
    if m:
        return "store", m.group(1).rstrip("/")
    return "external", uri


async def _from_store(http: HttpTransport, path: str, staging: Path) -> tuple[list[str], str]:
    listed = await _list_store(http, path)
    if listed is None:
        name = path.rsplit("/", 1)[-1]
        sha = await _store_get(http, path, staging / name)
        return [name], f"sha256:{sha}"
    entries = [(rel, await _store_get(http, f"{path}/{rel}", staging.joinpath(*rel.split("/")))) for rel in listed]
    return sorted((e[0] for e in entries), key=lambda p: p.encode("utf-16-be")), manifest_digest(entries)


async def _list_store(http: HttpTransport, path: str) -> list[str] | None:
    out: list[str] = []

    async def walk(rel: str) -> bool:
        full = f"{path}/{rel}" if rel else path
        res = await http.get(ARTIFACTS, {"path": full})
        body = _json(res)
        if res.status_code >= 400:
            raise _mlflow_error(res.status_code, body, f"listing artifacts under {full}")
        files = body.get("files") or []
        if not files:
            return False
        for f in files:
            name = str(f["path"]).rsplit("/", 1)[-1]
            child = f"{rel}/{name}" if rel else name
            if f.get("is_dir"):
                await walk(child)
            else:
                out.append(child)
        return True

    return out if await walk("") else None


async def _store_get(http: HttpTransport, path: str, file: Path) -> str:
    url_path = f"{ARTIFACTS}/{'/'.join(quote(s, safe='') for s in path.split('/'))}"
    try:
        async with http.stream(url_path) as res:
            if res.status_code >= 400:
                await res.aread()
                raise _mlflow_error(res.status_code, _json(res), f"downloading {path}")
            return await _write(res.aiter_bytes(), file)
    except httpx.HTTPError as err:
        raise PedigreeError(NETWORK_ERROR, f"the artifact stream broke off: {type(err).__name__}: {err}", retryable=True) from err


async def _from_fetcher(fetcher: ArtifactFetcher, uri: str, staging: Path) -> tuple[list[str], str]:
    got: Any = fetcher(uri)
    if inspect.isawaitable(got):
        got = await got
    if isinstance(got, ArtifactFiles):
        entries = []
        for f in got.files:
            rel = _safe_relative(f.path)
            body: Any = f.open()
            if inspect.isawaitable(body):
                body = await body
            entries.append((rel, await _write_any(body, staging.joinpath(*rel.split("/")))))
        return sorted((e[0] for e in entries), key=lambda p: p.encode("utf-16-be")), manifest_digest(entries)
    name = _safe_relative(re.sub(r"[?#].*$", "", uri).rstrip("/").rsplit("/", 1)[-1] or "artifact")
    return [name], f"sha256:{await _write_any(got, staging / name)}"


async def _write_any(body: Any, file: Path) -> str:
    try:
        if isinstance(body, (bytes, bytearray)):
            return await _write(_once(bytes(body)), file)
        if hasattr(body, "__aiter__"):
            return await _write(body, file)
        return await _write(_from_sync(body), file)
    except PedigreeError:
        raise
    except Exception as err:  # noqa: BLE001 - any failure of the user's stream is a broken download
        raise PedigreeError(NETWORK_ERROR, f"the artifact stream broke off: {type(err).__name__}: {err}", retryable=True) from err


async def _once(b: bytes) -> AsyncIterable[bytes]:
    yield b


async def _from_sync(it: Iterable[bytes]) -> AsyncIterable[bytes]:
    for chunk in it:
        yield chunk


async def _write(chunks: AsyncIterable[bytes], file: Path) -> str:
    """Writes a stream to a new file, hashing as it goes; returns the hex SHA-256."""
    file.parent.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    with open(file, "xb") as out:
        async for chunk in chunks:
            h.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return h.hexdigest()


def _existing_digest(target: Path, source: str) -> tuple[str, list[str]] | None:
    """What ``target`` holds now, hashed the way the version's artifact is; None when missing or empty."""
    if not target.exists():
        return None
    if not target.is_dir():
        raise PedigreeError(BAD_USER_INPUT, f"{target} exists and is not a directory")
    files = sorted((p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()), key=lambda p: p.encode("utf-16-be"))
    if not files:
        return None
    entries = [(rel, _file_sha256(target.joinpath(*rel.split("/")))) for rel in files]
    name = source.rstrip("/").rsplit("/", 1)[-1]
    if len(entries) == 1 and entries[0][0] == name:
        return f"sha256:{entries[0][1]}", [name]
    return manifest_digest(entries), files


def _file_sha256(file: Path) -> str:
    h = hashlib.sha256()
    with open(file, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _safe_relative(path: str) -> str:
    segments = [s for s in path.replace("\\", "/").split("/") if s not in ("", ".")]
    if not segments or ".." in segments:
        raise PedigreeError(BAD_USER_INPUT, f"an artifact file path must be relative and stay inside the artifact; got {path!r}")
    return "/".join(segments)


def _move_into_place(staging: Path, target: Path) -> None:
    old = target.with_name(f"{target.name}.old-{secrets.token_hex(6)}")
    had = target.exists()
    if had:
        os.replace(target, old)
    try:
        os.replace(staging, target)
    except BaseException:
        if had:
            os.replace(old, target)
        raise
    if had:
        shutil.rmtree(old, ignore_errors=True)


def _json(res: httpx.Response) -> dict[str, Any]:
    try:
        body = res.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _mlflow_error(status: int, body: Mapping[str, Any], what: str) -> PedigreeError:
    code = {404: "NOT_FOUND", 401: "UNAUTHENTICATED", 403: "FORBIDDEN"}.get(status) or str(body.get("error_code") or BAD_RESPONSE)
    message = body.get("message")
    return PedigreeError(
        code,
        f"{what}: the server answered {status}" + (f" ({message})" if message else ""),
        status=status,
        extensions={"code": code, **({"mlflowErrorCode": body["error_code"], "serverMessage": message} if body.get("error_code") else {})},
        retryable=status >= 500 or status == 429,
    )
