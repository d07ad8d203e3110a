"""models:/ URIs, parsed like the server parses them (model names may contain "/")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Union

from ._errors import BAD_USER_INPUT, PedigreeError

_MODEL_NAME = re.compile(r"^[A-Za-z0-9_\-./]{1,256}$")
_ALIAS_NAME = re.compile(r"^[A-Za-z0-9_\-.]{1,128}$")


@dataclass(frozen=True)
class ModelRef:
    """A model version by number or by alias (exactly one)."""

    model_name: str
    version: int | None = None
    alias: str | None = None

    def __post_init__(self) -> None:
        if not self.model_name or (self.version is None) == (self.alias is None):
            raise PedigreeError(BAD_USER_INPUT, "a model reference takes model_name and exactly one of version and alias")

    def uri(self) -> str:
        return f"models:/{self.model_name}/{self.version}" if self.version is not None else f"models:/{self.model_name}@{self.alias}"

    def to_input(self) -> dict[str, object]:
        if self.version is not None:
            return {"modelName": self.model_name, "version": self.version}
        return {"modelName": self.model_name, "alias": self.alias}


@dataclass(frozen=True)
class ParsedUri:
    kind: Literal["version", "alias", "stage"]
    model_name: str
    version: int | None = None
    alias: str | None = None
    stage: str | None = None


def _bad(uri: str, why: str) -> PedigreeError:
    return PedigreeError(
        BAD_USER_INPUT,
        f"a model URI is models:/NAME/VERSION, models:/NAME@ALIAS or models:/NAME/STAGE; {why} (got {uri[:80]!r})",
    )


def parse_model_uri(uri: str) -> ParsedUri:
    if not isinstance(uri, str) or not uri.startswith("models:/") or len(uri) > 600 or len(uri) == len("models:/"):
        raise _bad(str(uri), "it does not start with models:/")
    rest = uri[len("models:/"):]
    at = rest.rfind("@")
    if at >= 0:
        name, alias = rest[:at], rest[at + 1:]
        if not _MODEL_NAME.match(name):
            raise _bad(uri, "the model name is not valid")
        if not _ALIAS_NAME.match(alias):
            raise _bad(uri, "the alias is not valid")
        return ParsedUri("alias", name, alias=alias)
    slash = rest.rfind("/")
    if slash <= 0:
        raise _bad(uri, "the version, alias or stage is missing")
    name, last = rest[:slash], rest[slash + 1:]
    if not _MODEL_NAME.match(name):
        raise _bad(uri, "the model name is not valid")
    if re.fullmatch(r"\d+", last):
        return ParsedUri("version", name, version=int(last))
    if last.lower() == "latest":
        return ParsedUri("alias", name, alias="latest")
    if not re.fullmatch(r"[A-Za-z]+", last):
        raise _bad(uri, f'"{last}" is neither a version number nor a stage')
    return ParsedUri("stage", name, stage=last.upper())


RefLike = Union[str, ModelRef]


def to_model_ref(ref: RefLike) -> ModelRef:
    """A ModelRef from ``models:/m/3``, ``models:/m@prod`` or a ModelRef; stage URIs name no fixed version."""
    if isinstance(ref, ModelRef):
        return ref
    p = parse_model_uri(ref)
    if p.kind == "version":
        return ModelRef(p.model_name, version=p.version)
    if p.kind == "alias":
        return ModelRef(p.model_name, alias=p.alias)
    raise PedigreeError(BAD_USER_INPUT, f"a stage URI ({ref}) names no fixed version; use models:/NAME/VERSION or models:/NAME@ALIAS")
