"""Request and response bodies of the API, validated by pydantic.

Validation mirrors what ``halqa ingest`` accepts (the same vocabularies from
``halqa.catalog.taxonomy``), so a row the API takes is a row an ingest would
take. Timestamps are UTC: ISO-8601 with or without zone, or unix seconds/ms.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from halqa.catalog import taxonomy

Id = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\s\x00-\x1f]+$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
_EARLIEST = datetime(1900, 1, 1)


def _utc_naive(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _choice(value: str, choices: tuple[str, ...], field: str) -> str:
    if value not in choices:
        raise ValueError(f"'{value}' is not a valid {field}: use one of {', '.join(choices)}{taxonomy.suggest(value, choices)}")
    return value


def _language(value: str) -> str:
    tag = taxonomy.normalise_language(value)
    if tag is None:
        raise ValueError(f"'{value}' is not a BCP-47 language tag (e.g. ary, ary-Latn, ar, fr, zgh, en)")
    return tag


def _region(value: str) -> str:
    region = taxonomy.normalise_region(value)
    if region is None:
        raise ValueError(f"'{value}' is not a Moroccan region: use one of {', '.join(taxonomy.REGION_IDS)}")
    return region


# Field types shared by titles and members: validated and normalised where they are declared.
Country = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$"), AfterValidator(str.upper)]
Region = Annotated[str, AfterValidator(_region)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class EventIn(Strict):
    """One event: who did what to which title, when (UTC)."""

    member_id: Id
    title_id: Id
    event_type: Annotated[str, StringConstraints(min_length=1, max_length=40)] = Field(
        description="play, view, listen, complete, like, dislike, skip, share, rate, add_to_list, ...")
    ts: datetime = Field(description="ISO-8601 (with or without zone) or unix seconds/milliseconds; stored as UTC")
    value: float | None = Field(default=None, ge=-1e9, le=1e9, allow_inf_nan=False)
    device: Annotated[str, StringConstraints(max_length=40)] | None = None
    source: Annotated[str, StringConstraints(max_length=40)] | None = None

    @field_validator("event_type")
    @classmethod
    def _event_type(cls, value: str) -> str:
        folded = value.strip().lower()
        return _choice(taxonomy.EVENT_ALIASES.get(folded, folded), taxonomy.EVENT_TYPES, "event type")

    @field_validator("ts")
    @classmethod
    def _ts(cls, value: datetime) -> datetime:
        value = _utc_naive(value)
        latest = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=1)
        if not _EARLIEST <= value <= latest:
            raise ValueError(f"{value.isoformat()} is outside 1900-01-01 .. tomorrow (UTC)")
        return value


class EventBatchIn(Strict):
    events: list[EventIn] = Field(min_length=1, max_length=10_000)


class EventOutcome(BaseModel):
    index: int
    status: Literal["accepted", "duplicate", "rejected"]
    field: str | None = None
    reason: str | None = None


class EventResult(BaseModel):
    accepted: int
    duplicates: int
    rejected: int
    outcomes: list[EventOutcome] = Field(description="one per posted event, in order")


class TitleIn(Strict):
    """A title to insert or replace; columns as in ``docs/data-model.md``."""

    title_id: Id
    kind: str
    name: Text
    parent_id: Id | None = None
    original_language: str | None = None
    names: dict[Annotated[str, StringConstraints(max_length=20)], Text] | None = None
    synopses: dict[Annotated[str, StringConstraints(max_length=20)], Annotated[str, StringConstraints(max_length=20000)]] | None = None
    genres: list[Id] | None = Field(default=None, max_length=50)
    themes: list[Id] | None = Field(default=None, max_length=50)
    release_date: date | None = None
    duration_s: int | None = Field(default=None, ge=0, le=10_000_000)
    age_rating: str | None = None
    country: Country | None = None
    region: Region | None = None
    creator_ids: list[Id] | None = Field(default=None, max_length=200)
    available_regions: list[Region] | None = Field(default=None, max_length=20)
    added_at: datetime | None = None

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        return _choice(value.strip().lower(), taxonomy.KINDS, "kind")

    @field_validator("original_language")
    @classmethod
    def _lang(cls, value: str | None) -> str | None:
        return None if value is None else _language(value)

    @field_validator("names", "synopses")
    @classmethod
    def _lang_keys(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return None if value is None else {_language(k): v for k, v in value.items()}

    @field_validator("age_rating")
    @classmethod
    def _rating(cls, value: str | None) -> str | None:
        return None if value is None else _choice(value, taxonomy.AGE_RATINGS, "age rating")

    @field_validator("added_at")
    @classmethod
    def _added(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _utc_naive(value)


class MemberIn(Strict):
    """A member to insert or replace. Pseudonymous: never a name, e-mail or phone number."""

    member_id: Id
    age_band: str | None = None
    gender: str | None = None
    country: Country | None = None
    region: Region | None = None
    city: Annotated[str, StringConstraints(max_length=100)] | None = None
    languages: list[str] | None = Field(default=None, max_length=20)
    occupation: Annotated[str, StringConstraints(max_length=100)] | None = None
    consent_analytics: bool = False
    consent_personalisation: bool = False
    consent_marketing: bool = False
    consent_at: datetime | None = None
    joined_at: datetime | None = None

    @field_validator("member_id")
    @classmethod
    def _pseudonymous(cls, value: str) -> str:
        if "@" in value or value.lstrip("+").replace(" ", "").isdigit() and len(value) >= 9:
            raise ValueError("member_id looks like an e-mail or phone number; use a pseudonymous id")
        return value

    @field_validator("age_band")
    @classmethod
    def _age(cls, value: str | None) -> str | None:
        return None if value is None else _choice(value, taxonomy.AGE_BANDS, "age band")

    @field_validator("gender")
    @classmethod
    def _gender(cls, value: str | None) -> str | None:
        return None if value in (None, "") else _choice(value.upper(), taxonomy.GENDERS, "gender")

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [_language(v) for v in value]

    @field_validator("consent_at", "joined_at")
    @classmethod
    def _times(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _utc_naive(value)


class UpsertResult(BaseModel):
    upserted: int


class KeyIn(Strict):
    role: Literal["admin", "analyst", "creator", "service"]
    name: Annotated[str, StringConstraints(max_length=100)] = ""


class KeyRoleIn(Strict):
    role: Literal["admin", "analyst", "creator", "service"]


class KeyOut(BaseModel):
    key_id: str
    name: str
    role: str
    key: str | None = Field(default=None, description="the plain key; shown once, at creation")


class Page(BaseModel):
    total: int
    items: list[dict[str, Any]]
