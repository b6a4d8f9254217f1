"""Request and response bodies of the API, validated by pydantic.

Every field of a title, member or event is checked by its rule in the row contract
(``halqa.catalog.rules``), the table ``halqa ingest`` builds its SQL from: a row gets the same
verdict, message and normalisation here as in a file. Timestamps are UTC: ISO-8601 with or
without zone, or unix seconds (below 1e11) or milliseconds.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import Query
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
        description=(
            "play, view, listen, complete, like, dislike, skip, share, rate, add_to_list, ..."
        )
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


class HealthOut(BaseModel):
    status: Literal["ok", "damaged"]


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
# The paging parameters of every list endpoint.
Limit = Annotated[int, Query(ge=1, le=1000, description="the most items to answer")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="how many matching items to skip")]


class Page(BaseModel, Generic[ItemT]):
    """The one shape of every list endpoint: ``Page[TitleOut]``, ``Page[MemberOut]``, ..."""

    items: list[ItemT]
    total: int = Field(description="how many items match, over all pages")
    limit: int = Field(description="the most items one page holds")
    offset: int = Field(description="how many matching items come before this page")


def file_responses(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of an endpoint that answers a file: bytes of these media types."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"content": {media: binary for media in media_types}}}


def page_of(items: list[Any], limit: int, offset: int) -> dict[str, Any]:
    """A ``Page`` of a list the backend answers whole (a short one: keys, campaigns, seasons)."""
    return {
        "items": items[offset : offset + limit],
        "total": len(items),
        "limit": limit,
        "offset": offset,
    }


# -- what the API answers -----------------------------------------------------------------------
# Rows come from the store as JSON (halqa.service.jsonable): timestamps and dates as ISO-8601 text,
# maps as objects. A column the store has and a model does not name still passes through (extra
# "allow"); tests/service/test_openapi.py checks every model names every column of its table.
# A window length as the service's query and body fields take it: what
# halqa.insights.common.parse_window reads (28d, 4w, 3m, all), written here so the routes do not
# import the insights package (tests/service/test_window_pattern.py keeps the two in step).
WINDOW_PATTERN = r"^(all|[1-9][0-9]{0,3}[dwm]?)$"
IsoTime = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
IsoDate = Annotated[str, Field(json_schema_extra={"format": "date"})]


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class TitleOut(Out):
    """A title as stored; names and synopses by language, byte-exact."""

    title_id: str
    kind: str
    parent_id: str | None = None
    name: str
    original_language: str | None = None
    names: dict[str, str] | None = None
    synopses: dict[str, str] | None = None
    genres: list[str] | None = None
    themes: list[str] | None = None
    release_date: IsoDate | None = None
    duration_s: int | None = None
    age_rating: str | None = None
    country: str | None = None
    region: str | None = None
    creator_ids: list[str] | None = None
    available_regions: list[str] | None = None
    added_at: IsoTime | None = None
    auto_created: bool | None = Field(
        default=None, description="a placeholder made for an event of an unknown title"
    )


class MemberOut(Out):
    """A member as stored (pseudonymous); ``events`` only on a single member's answer."""

    member_id: str
    age_band: str | None = None
    gender: str | None = None
    country: str | None = None
    region: str | None = None
    city: str | None = None
    languages: list[str] | None = None
    occupation: str | None = None
    consent_analytics: bool | None = None
    consent_personalisation: bool | None = None
    consent_marketing: bool | None = None
    consent_at: IsoTime | None = None
    joined_at: IsoTime | None = None
    auto_created: bool | None = None
    events: int | None = Field(default=None, description="how many events the member has")


class EventOut(Out):
    member_id: str
    title_id: str
    event_type: str
    ts: IsoTime
    value: float | None = None
    device: str | None = None
    source: str | None = None


class ConsentChangeOut(Out):
    changed_at: IsoTime
    purpose: str
    old_value: bool | None = None
    new_value: bool | None = None
    consent_at: IsoTime | None = None
    key_id: str | None = None
    role: str | None = None
    source: str | None = None


class KeyInfo(Out):
    """A key as listed: never its secret."""

    key_id: str
    name: str | None = None
    role: str
    created_at: IsoTime
    revoked_at: IsoTime | None = None


class SeasonOut(Out):
    """A season to shade on a time chart: from ``start`` to the day before ``end``."""

    name: str
    calendar: Literal["hijri", "gregorian"]
    start: IsoDate
    end: IsoDate


class CampaignOut(Out):
    campaign: str
    created_at: IsoTime
    title_id: str | None = None
    source: str | None = None
    holdout_share: float | None = None
    exposed: int | None = None
    holdout: int | None = None
    hashed: bool | None = None


# -- insights: aggregates only; a cell under k members is null, a segment under k "suppressed" ----
# Numbers are int when whole (halqa.insights.common.num): ``int | float`` keeps them so.
Number = int | float
Counts = dict[str, int | None]


class WindowOut(Out):
    start: IsoDate | IsoTime | None = None
    end: IsoDate | IsoTime | None = None
    days: int | None = None
    weeks: int | None = None


class LiftRow(Out):
    item: str
    name: str | None = None
    segment_count: int
    segment_share: Number | None = None
    others_share: Number | None = None
    lift: Number | None = None
    lift_low: Number | None = None
    lift_high: Number | None = None
    over_indexes: bool
    segment_members: int | None = None


class TrendRow(Out):
    rank: int
    item: str
    name: str | None = None
    count: int
    share: Number | None = None
    members: int | None = None
    baseline: int | None = None
    growth: Number | None = None
    growth_low: Number | None = None
    growth_high: Number | None = None
    rising: bool | None = None


class TrendsOut(Out):
    """Top and rising items of a segment, the baseline they are measured against, its lift."""

    segment: dict[str, str]
    segment_label: str
    as_of: IsoDate
    window: WindowOut
    k: int
    suppressed: bool
    reason: str | None = None
    by: str | None = None
    baseline: dict[str, Any] | None = None
    totals: dict[str, int | None] | None = None
    top: list[TrendRow] = []
    rising: list[dict[str, Any]] = Field(
        default=[], description="items growing significantly against the baseline"
    )
    season: dict[str, Any] | None = None
    lift: list[LiftRow] = []


class LiftOut(Out):
    """What a segment over-indexes on against everyone else (Katz 95% interval)."""

    segment: dict[str, str]
    by: str
    window: WindowOut
    k: int
    segment_total: int | None = None
    others_total: int | None = None
    suppressed: bool
    reason: str | None = None
    rows: list[LiftRow]


class TalentBlock(Out):
    suppressed: bool
    reason: str | None = None
    active_members_per_week: dict[str, Number | None] | None = None
    tested: int | None = None
    rows: list[dict[str, Any]]


class TalentOut(Out):
    """Rising Moroccan emerging creators, overall and per region (rows under k suppressed)."""

    as_of: IsoDate
    window: WindowOut
    method: str
    emerging_years: int
    k: int
    local_creators: int
    overall: TalentBlock
    regions: dict[str, TalentBlock]


class TimelineSeries(Out):
    item: str
    plays: list[int | None] = Field(description="one per week; null: under k members")


class TimelineOut(Out):
    """Weekly plays of a segment's biggest items; ``partial`` flags weeks cut by the window."""

    segment: dict[str, str]
    by: str
    k: int
    weeks: list[IsoDate] = Field(description="the Monday of each week")
    partial: list[bool]
    window: WindowOut
    series: list[TimelineSeries]


class RegionRow(Out):
    region: str
    plays: int | None = None
    members: int | None = None
    top_genre: str | None = None
    suppressed: bool


class RegionsOut(Out):
    """Plays, members and leading genre per region (a region under k members shows none)."""

    segment: dict[str, str]
    k: int
    window_days: int
    rows: list[RegionRow]


class Label(Out):
    id: str
    en: str | None = None
    fr: str | None = None
    ar: str | None = None


class LabelsOut(Out):
    """Genre, theme and region labels in English, French and Arabic,
    and the filters' vocabularies."""

    genres: list[Label]
    themes: list[Label]
    regions: list[Label]
    age_bands: list[str]
    kinds: list[str]
    languages: dict[str, str] = Field(description="the interface's language tags and their names")


class ProfileOut(Out):
    """One title or creator: who plays it (k-suppressed), its weekly plays,
    what its fans also like."""

    entity: Literal["title", "creator"]
    id: str
    name: str | None = None
    k: int
    window: WindowOut
    audience: dict[str, Counts]
    timeline: dict[str, list[str | int | bool | None]]
    fans_also_like: dict[str, Any]


class SearchOut(Out):
    """Titles and creators whose name or id holds the text (no member is ever searched)."""

    titles: list[dict[str, Any]]
    creators: list[dict[str, Any]]


# -- audience (member-level rows: admin and analyst) and the service itself ----------------------
# These answers come whole from halqa.audience; the models name what a client may rely on.
class TargetOut(Out):
    """A new title's audience: its size, a k-suppressed breakdown and the first member rows."""

    title: str | None = None
    title_id: str | None = None
    size: int
    candidates: int | None = None
    already_reached: int | None = None
    breakdown: dict[str, Any] | None = None
    method: dict[str, Any] | None = None
    members: list[dict[str, Any]]


class ExportOut(Out):
    """A recorded campaign: who was exposed, who was held back, who was dropped for consent."""

    campaign: str
    exposed: int | None = None
    holdout: int | None = None
    breakdown: dict[str, Any] | None = None
    first_exported: list[dict[str, Any]] = []


class LookalikeOut(Out):
    """Members most like a seed audience (the seed's own members excluded)."""

    members: list[dict[str, Any]]


class CampaignLiftOut(Out):
    """Conversion of exposed vs holdout members and the lift, with intervals."""

    campaign: str | None = None
    groups: dict[str, Any]
    lift: dict[str, Any] | None = None


class WhoAmIOut(BaseModel):
    key_id: str
    name: str
    role: str


class HealthDetailsOut(Out):
    """Everything an operator wants about one server (admin only: it names the store's path)."""

    version: str
    status: Literal["ok", "damaged"]
    problem: str | None = None
    store: str
    schema_version: int | None = None
    recommendations: dict[str, Any]
    uptime_s: float
    write_queue: int
    writer: dict[str, Any]


# -- the studio's answers -----------------------------------------------------------------------
# The studio's own models (halqa.studio.common) are not imported here: the studio package loads
# only when one of its routes runs. These name what those answers carry; the rest passes through.
ProposalStatus = Literal["pending", "accepted", "rejected"]
JobStatus = Literal["queued", "running", "done", "failed"]


class DecisionOut(Out):
    status: Literal["accepted", "rejected"]
    by: str
    at: IsoTime
    note: str | None = None
    key_id: str | None = Field(None, description="The API key that decided, over the API.")


class ProposalOut(Out):
    """A generated script block, piece or cut with its provenance, out of the work until a
    person accepts it."""

    id: str
    proposal: str = Field(description="The id again, for older readers.")
    kind: str = Field(description="script.block, music.piece, vfx.trailer, …")
    subject: str
    status: ProposalStatus
    payload: Any = None
    provenance: dict[str, Any] = Field(
        description="What made it: tool, generator, model, backend, parameters, inputs, time."
    )
    artifacts: list[str] = Field(default_factory=list)
    created_at: IsoTime
    decision: DecisionOut | None = None
    owner: str | None = Field(None, description="The API key it belongs to (None: shared).")


class DecidedOut(ProposalOut):
    """The proposal after the decision, with what the decision did (a script block's insertion)."""

    by: str


class MusicStep(Out):
    step: str
    at: IsoTime


class MusicJobOut(Out):
    """A composition job; ``result`` holds the files, loudness and proposal once it is done."""

    id: str
    kind: str
    status: JobStatus
    params: dict[str, Any]
    progress: list[MusicStep]
    created_at: IsoTime
    finished_at: IsoTime | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    owner: str | None = None


class NotesTrack(Out):
    name: str
    drum: bool
    notes: list[list[float]] = Field(description="[start beat, length in beats, MIDI pitch].")


class MusicNotesOut(Out):
    """A finished piece's notes per track, for a piano roll (pitches may be fractional)."""

    bar_beats: float
    beats: float
    tempo: float
    tracks: list[NotesTrack]


class MusicCatalogueOut(Out):
    """Every style, mode (cents up and down in the default tuning) and rhythm, with sources."""

    styles: dict[str, dict[str, Any]]
    maqam_styles: list[str]
    modes: dict[str, dict[str, Any]]
    tuning: str
    rhythms: dict[str, dict[str, Any]]


class LookOut(Out):
    name: str
    about: str
    cube: str = Field(description="Where to download it as a .cube.")


class LooksOut(Out):
    looks: list[LookOut]


class MediaOut(Out):
    name: str
    bytes: int


class VfxJobOut(Out):
    """A visual-effects job; ``progress`` runs from 0 to 1, ``result`` names its outputs."""

    id: str
    request: dict[str, Any]
    status: JobStatus
    progress: float
    created_at: IsoTime
    started_at: IsoTime | None = None
    finished_at: IsoTime | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    owner: str | None = None
