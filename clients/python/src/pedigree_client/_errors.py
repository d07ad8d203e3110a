"""Typed errors. ``code`` is the server's ``extensions.code`` when the server
refused, or one of the client's own codes. Messages never carry the token."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

#: The bytes read do not hash to the registry's checksum.
CHECKSUM_MISMATCH = "CHECKSUM_MISMATCH"
#: The version has no checksum (registered unverified): nothing to verify against.
CHECKSUM_MISSING = "CHECKSUM_MISSING"
#: The server could not be reached, or the connection broke. Retryable.
NETWORK_ERROR = "NETWORK_ERROR"
#: An answer that is not GraphQL JSON (a proxy's error page, a 5xx).
BAD_RESPONSE = "BAD_RESPONSE"
#: A request took longer than the client's request timeout. Retryable.
TIMEOUT = "TIMEOUT"
#: No fetcher for the artifact's scheme.
UNSUPPORTED_SOURCE = "UNSUPPORTED_SOURCE"
#: The prediction logger's spool is full (on_full="raise").
SPOOL_FULL = "SPOOL_FULL"
#: The client or logger was closed.
CLOSED = "CLOSED"
#: Bad arguments to a client method (caught before any request).
BAD_USER_INPUT = "BAD_USER_INPUT"


class PedigreeError(Exception):
    """Every error the client raises."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        extensions: Mapping[str, Any] | None = None,
        errors: Sequence[Mapping[str, Any]] | None = None,
        status: int | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extensions: dict[str, Any] = dict(extensions or {})
        self.errors: list[dict[str, Any]] = [dict(e) for e in (errors or [])]
        self.status = status
        self.retryable = retryable

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, status={self.status!r})"

    @classmethod
    def from_graphql(cls, errors: Sequence[Mapping[str, Any]], status: int | None) -> "PedigreeError":
        first = errors[0] if errors else {"message": "unknown error"}
        ext = first.get("extensions") or {}
        code = ext.get("code") if isinstance(ext.get("code"), str) else "INTERNAL_SERVER_ERROR"
        retryable = status == 503 or code in ("SERVICE_UNAVAILABLE", "INTERNAL_SERVER_ERROR") or (status is not None and status >= 500)
        return cls(str(code), str(first.get("message", "")), extensions=ext, errors=errors, status=status, retryable=retryable)


class ChecksumMismatchError(PedigreeError):
    """The artifact's bytes do not hash to the checksum the registry holds.

    ``actual`` is what the client read; it is None when Pedigree itself refused to
    serve stored bytes that no longer match their seal (the message then carries
    what the server found)."""

    def __init__(self, uri: str, expected: str, actual: str | None, server_message: str | None = None) -> None:
        found = (
            f"the bytes read hash to {actual}"
            if actual is not None
            else f"the server refused to serve them ({server_message or 'the stored bytes do not match their seal'})"
        )
        super().__init__(
            CHECKSUM_MISMATCH,
            f"the artifact of {uri} must hash to {expected} (the registry's checksum); {found}. Nothing was written.",
            extensions={"code": CHECKSUM_MISMATCH, "expected": expected, "actual": actual},
        )
        self.expected = expected
        self.actual = actual


class SpoolFullError(PedigreeError):
    """The prediction spool holds ``max_pending`` unsent predictions."""

    def __init__(self, max_pending: int) -> None:
        super().__init__(
            SPOOL_FULL,
            f"the prediction spool holds its maximum of {max_pending} unsent predictions; this one was not accepted "
            "(the server has been unreachable or slower than the logging rate)",
        )
