"""Who or what made a studio asset, from which inputs, with which settings.

A ``Provenance`` is attached to every generated block, piece, image or cut: as a
sidecar JSON next to the asset (``<asset>.provenance.json``), inside proposals, and in
the C2PA manifest of media files. Inputs are named by content hash, so a provenance
record says exactly which motif, brief or source clip was used without copying it.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from halqa import __version__
from halqa.errors import DataError

SIDECAR_SUFFIX = ".provenance.json"
_CHUNK = 1 << 20

InputRole = Literal["source", "motif", "brief", "reference", "prompt", "model", "training"]


def sha256_text(text: str) -> str:
    """Hex SHA-256 of a text's UTF-8 bytes (prompts and inline inputs are named by this)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks (source clips can be gigabytes)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    return digest.hexdigest()


class InputRef(BaseModel):
    """One input an asset was made from, named by its content hash."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, description="A path or a label for an inline input.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    role: InputRole = "source"

    @classmethod
    def of_file(cls, path: str | os.PathLike[str], role: InputRole = "source") -> InputRef:
        return cls(name=str(path), sha256=sha256_file(path), role=role)

    @classmethod
    def of_text(cls, label: str, text: str, role: InputRole = "source") -> InputRef:
        return cls(name=label, sha256=sha256_text(text), role=role)


class Provenance(BaseModel):
    """The record of how an asset came to be.

    ``tool`` is the halqa task (``script.draft``, ``music.compose``, ``vfx.trailer``);
    ``generator`` the algorithm or module that produced it; ``model`` and ``backend``
    name a language model and where it ran, when one was used. ``human`` is true for
    assets a person made and halqa only transformed (a grade applied to a person's clip).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    tool: str = Field(min_length=1)
    generator: str = Field(min_length=1)
    model: str | None = None
    backend: str | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    prompt_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    inputs: tuple[InputRef, ...] = ()
    human: bool = False
    created_at: datetime
    halqa_version: str = __version__

    @classmethod
    def make(
        cls,
        *,
        tool: str,
        generator: str,
        model: str | None = None,
        backend: str | None = None,
        parameters: dict[str, Any] | None = None,
        inputs: list[InputRef] | tuple[InputRef, ...] = (),
        prompt: str | None = None,
        human: bool = False,
        created_at: datetime | None = None,
    ) -> Provenance:
        """A record stamped now (UTC); the prompt itself is kept out, only its hash."""
        return cls(
            tool=tool,
            generator=generator,
            model=model,
            backend=backend,
            parameters=dict(parameters or {}),
            prompt_sha256=sha256_text(prompt) if prompt is not None else None,
            inputs=tuple(inputs),
            human=human,
            created_at=created_at or datetime.now(UTC),
        )

    def identity(self) -> dict[str, Any]:
        """Everything but the time stamp: two runs with the same identity made the same thing."""
        return self.model_dump(mode="json", exclude={"created_at"})


def sidecar_path(asset: str | os.PathLike[str]) -> Path:
    """Where an asset's provenance sidecar lives: beside it, with ``.provenance.json`` appended."""
    path = Path(asset)
    return path.with_name(path.name + SIDECAR_SUFFIX)


def write_sidecar(asset: str | os.PathLike[str], provenance: Provenance) -> Path:
    """Write ``<asset>.provenance.json`` (atomically) naming the asset by its hash."""
    path = sidecar_path(asset)
    body = {
        "asset": Path(asset).name,
        "asset_sha256": sha256_file(asset),
        "provenance": provenance.model_dump(mode="json"),
    }
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_sidecar(asset: str | os.PathLike[str], *, verify: bool = True) -> Provenance:
    """The provenance recorded beside ``asset``; with ``verify`` the asset must be unchanged."""
    path = sidecar_path(asset)
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        provenance = Provenance.model_validate(body["provenance"])
    except FileNotFoundError as exc:
        raise DataError(f"{asset}: no provenance sidecar ({path.name} is missing)") from exc
    except (json.JSONDecodeError, KeyError, TypeError, ValidationError) as exc:
        raise DataError(f"{path}: not a halqa provenance sidecar ({_first_line(exc)})") from exc
    if verify and body.get("asset_sha256") != sha256_file(asset):
        raise DataError(f"{asset}: changed since its provenance was written ({path.name})")
    return provenance


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
