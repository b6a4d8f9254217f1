"""Request and response bodies of the API, validated by pydantic.

Every field of a title, member or event is checked by its rule in the row contract
(``halqa.catalog.rules``), the table ``halqa ingest`` builds its SQL from: a row gets the same
verdict, message and normalisation here as in a file. Timestamps are UTC: ISO-8601 with or
without zone, or unix seconds (below 1e11) or milliseconds.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from halqa.catalog import rules as contract


def _ruled(rule: contract.Rule) -> Any:
    """The field's rule as a pydantic validator (its reason becomes the 422's message)."""
    return BeforeValidator(rule.parse)


Id = Annotated[str, _ruled(contract.TITLES["parent_id"])]
Text = Annotated[str, _ruled(contract.TITLES["name"])]
MemberId = Annotated[str, _ruled(contract.MEMBERS["member_id"])]
Timestamp = Annotated[datetime, _ruled(contract.EVENTS["ts"])]


def _language(value: str) -> str:
    return contract.LANGUAGE.parse(value)


# Field types shared by titles and members: validated and normalised where they are declared.
Country = Annotated[str, _ruled(contract.MEMBERS["country"])]
Region = Annotated[str, _ruled(contract.REGION)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class EventIn(Strict):
    """One event: who did what to which title, when (UTC)."""

    member_id: MemberId
    title_id: Id
    event_type: Annotated[str, _ruled(contract.EVENTS["event_type"])] = Field(
        description="play, view, listen, complete, like, dislike, skip, share, rate, add_to_list, ..."
    )
    ts: Timestamp = Field(
        description="ISO-8601 (with or without zone) or unix seconds (< 1e11) or milliseconds; "
        "stored as UTC; at most the horizon after now (HALQA_TIMESTAMP_HORIZON_DAYS)"
    )
    value: Annotated[float | None, _ruled(contract.EVENTS["value"])] = None
    device: Annotated[str | None, _ruled(contract.EVENTS["device"])] = None
    source: Annotated[str | None, _ruled(contract.EVENTS["source"])] = None


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
    kind: Annotated[str, _ruled(contract.TITLES["kind"])]
    name: Text
    parent_id: Id | None = None
    original_language: Annotated[str | None, _ruled(contract.TITLES["original_language"])] = None
    names: dict[Annotated[str, StringConstraints(max_length=20)], Text] | None = None
    synopses: (
        dict[
            Annotated[str, StringConstraints(max_length=20)],
            Annotated[str, StringConstraints(max_length=20000)],
        ]
        | None
    ) = None
    genres: list[Id] | None = Field(default=None, max_length=50)
    themes: list[Id] | None = Field(default=None, max_length=50)
    release_date: Annotated[date | None, _ruled(contract.TITLES["release_date"])] = None
    duration_s: Annotated[int | None, _ruled(contract.TITLES["duration_s"])] = None
    age_rating: Annotated[str | None, _ruled(contract.TITLES["age_rating"])] = None
    country: Country | None = None
    region: Region | None = None
    creator_ids: list[Id] | None = Field(default=None, max_length=200)
    available_regions: list[Region] | None = Field(default=None, max_length=20)
    added_at: Annotated[datetime | None, _ruled(contract.TITLES["added_at"])] = None

    @model_validator(mode="after")
    def _not_own_parent(self) -> TitleIn:
        if self.parent_id is not None and self.parent_id == self.title_id:
            raise ValueError(contract.SELF_PARENT)
        return self

    @field_validator("names", "synopses")
    @classmethod
    def _lang_keys(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return None if value is None else {_language(k): v for k, v in value.items()}


class MemberIn(Strict):
    """A member to insert or replace. Pseudonymous: never a name, e-mail or phone number."""

    member_id: MemberId
    age_band: Annotated[str | None, _ruled(contract.MEMBERS["age_band"])] = None
    gender: Annotated[str | None, _ruled(contract.MEMBERS["gender"])] = None
    country: Country | None = None
    region: Region | None = None
    city: Annotated[str | None, _ruled(contract.MEMBERS["city"])] = None
    languages: list[Annotated[str, _ruled(contract.LANGUAGE)]] | None = Field(
        default=None, max_length=20
    )
    occupation: Annotated[str | None, _ruled(contract.MEMBERS["occupation"])] = None
    consent_analytics: Annotated[bool, _ruled(contract.MEMBERS["consent_analytics"])] = False
    consent_personalisation: Annotated[
        bool, _ruled(contract.MEMBERS["consent_personalisation"])
    ] = False
    consent_marketing: Annotated[bool, _ruled(contract.MEMBERS["consent_marketing"])] = False
    consent_at: Annotated[datetime | None, _ruled(contract.MEMBERS["consent_at"])] = None
    joined_at: Annotated[datetime | None, _ruled(contract.MEMBERS["joined_at"])] = None


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


ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    """The one shape of every list endpoint: ``Page[TitleOut]``, ``Page[MemberOut]``, ..."""

    items: list[ItemT]
    total: int = Field(description="how many items match, over all pages")
    limit: int = Field(description="the most items one page holds")
    offset: int = Field(description="how many matching items come before this page")

