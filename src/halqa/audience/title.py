"""The metadata of a title to target, validated: a JSON file or a dict in, ``NewTitle`` out.

Every problem becomes one ``UserError`` naming the file, the field and what is
accepted (unknown genre spellings get a "did you mean"). Genres and themes are
checked against the store's open vocabularies, so user-added terms work.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from halqa.audience.data import TitleBatch
from halqa.audience.features import metadata_tokens
from halqa.catalog import rules as contract
from halqa.catalog import taxonomy
from halqa.errors import DataError, UserError

REQUIRED = ("name", "kind", "genres", "language")


def _ruled(rule: contract.Rule) -> BeforeValidator:
    """A field checked by its rule in the row contract: the verdict a titles row gets from
    ingest."""
    return BeforeValidator(rule.parse)


class NewTitle(BaseModel):
    """A title described by metadata only (it has no events yet)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, _ruled(contract.TITLES["name"])]
    kind: Annotated[str, _ruled(contract.TITLES["kind"])]
    genres: list[str] = Field(min_length=1)
    language: Annotated[str, _ruled(contract.LANGUAGE)] = Field(
        validation_alias=AliasChoices("language", "original_language")
    )
    title_id: Annotated[str | None, _ruled(contract.TITLES["parent_id"])] = None
    themes: list[str] = []
    creator_ids: list[str] = []
    region: Annotated[str | None, _ruled(contract.REGION)] = None
    release_date: Annotated[date | None, _ruled(contract.TITLES["release_date"])] = None
    names: dict[str, str] = {}
    synopses: dict[str, str] = {}
    synopsis: str | None = None
    tags: list[str] = []
    available_regions: list[Annotated[str, _ruled(contract.REGION)]] | None = None
    # Canonical title columns that targeting does not use, accepted so a titles row works as is
    # (checked by the same rules as a titles row).
    parent_id: Annotated[str | None, _ruled(contract.TITLES["parent_id"])] = None
    duration_s: Annotated[int | None, _ruled(contract.TITLES["duration_s"])] = None
    age_rating: Annotated[str | None, _ruled(contract.TITLES["age_rating"])] = None
    country: Annotated[str | None, _ruled(contract.TITLES["country"])] = None
    added_at: Annotated[datetime | None, _ruled(contract.TITLES["added_at"])] = None

    def text(self) -> str:
        """Everything a reader could match on: names, synopses and tags, in every script."""
        parts = [
            self.name,
            *self.names.values(),
            *self.synopses.values(),
            self.synopsis or "",
            *self.tags,
        ]
        return " ".join(p for p in parts if p)

    def tokens(self) -> list[tuple[str, float]]:
        year = float(self.release_date.year) if self.release_date else None
        return metadata_tokens(
            genres=self.genres,
            themes=self.themes,
            creators=self.creator_ids,
            languages=[self.language],
            region=self.region,
            kind=self.kind,
            year=year,
        )

    def batch(self) -> TitleBatch:
        release = pd.Timestamp(self.release_date).timestamp() if self.release_date else np.nan
        return TitleBatch([self.tokens()], [self.text()], np.array([release]))


def parse_title(
    raw: Any,
    *,
    source: str = "title",
    genres: set[str] | None = None,
    themes: set[str] | None = None,
) -> NewTitle:
    """Validate ``raw`` (a dict); ``genres``/``themes`` are the vocabularies to check against."""
    if not isinstance(raw, dict):
        raise DataError(
            f"{source}: expected a JSON object with at least the fields {', '.join(REQUIRED)}, "
            f"got {type(raw).__name__ if raw is not None else 'null'}"
        )
    missing = [
        f for f in REQUIRED if f not in raw and not (f == "language" and "original_language" in raw)
    ]
    if missing:
        raise DataError(
            f"{source}: missing field{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(a title needs {', '.join(REQUIRED)})"
        )
    if "language" in raw and "original_language" in raw:
        if raw["language"] != raw["original_language"]:
            raise DataError(
                f"{source}: fields 'language' ({raw['language']}) and 'original_language' "
                f"({raw['original_language']}) disagree; give one"
            )
        raw = {k: v for k, v in raw.items() if k != "original_language"}
    try:
        title = NewTitle.model_validate(raw)
    except ValidationError as exc:
        raise DataError(f"{source}: {_first_problem(exc)}") from None
    title.genres = _check_terms(title.genres, genres, "genre", taxonomy.GENRE_ALIASES, source)
    title.themes = _check_terms(title.themes, themes, "theme", {}, source)
    return title


def load_title(
    path: str | Path, *, genres: set[str] | None = None, themes: set[str] | None = None
) -> NewTitle:
    """Read and validate a new-title JSON file."""
    p = Path(path)
    if not p.exists():
        raise UserError(f"{p}: no such title file")
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(
            f"{p}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except UnicodeDecodeError:
        raise DataError(f"{p}: not UTF-8 text") from None
    return parse_title(raw, source=str(p), genres=genres, themes=themes)


def _first_problem(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(x) for x in err["loc"]) or "title"
    if err["type"] == "extra_forbidden":
        known = ", ".join(NewTitle.model_fields)
        return (
            f"unknown field '{where}'"
            f"{taxonomy.suggest(str(err['loc'][0]), list(NewTitle.model_fields))} "
            f"(accepted: {known})"
        )
    message = err["msg"].removeprefix("Value error, ")
    return (
        f"field '{where}': {message} "
        f"(got {json.dumps(err.get('input'), ensure_ascii=False, default=str)})"
    )


def _check_terms(
    values: list[str], vocabulary: set[str] | None, what: str, aliases: dict[str, str], source: str
) -> list[str]:
    allowed = vocabulary if vocabulary is not None else _builtin(what)
    out = []
    for value in values:
        term = taxonomy.slug(value)
        term = aliases.get(term, term)
        if term not in allowed:
            raise DataError(
                f"{source}: field '{what}s': unknown {what} '{value}'"
                f"{taxonomy.suggest(term, sorted(allowed))} (see `halqa taxonomy`)"
            )
        out.append(term)
    return out


def _builtin(what: str) -> set[str]:
    terms = taxonomy.MUSIC_GENRES + taxonomy.SCREEN_GENRES if what == "genre" else taxonomy.THEMES
    return {t.id for t in terms}
