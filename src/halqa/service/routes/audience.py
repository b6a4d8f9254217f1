"""Audience targeting for a new title, lookalikes, campaign export and lift (admin, analyst).

These return member-level rows (who is in the audience), so creators may not call them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from halqa.catalog import rules as contract
from halqa.service.deps import Analyst, Backend
from halqa.service.schemas import (
    CampaignLiftOut,
    CampaignOut,
    ExportOut,
    Limit,
    LookalikeOut,
    Offset,
    Page,
    TargetOut,
    page_of,
)

router = APIRouter(prefix="/v1", tags=["audience"])
Campaign = Annotated[str, StringConstraints(pattern=r"^[\w][\w.\-]{0,79}$")]


class NewTitleIn(BaseModel):
    """Metadata of a title nobody has seen yet (the same fields as
    `halqa audience target --title FILE`)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "example": {
                "name": "ⵜⵉⵣⵉ ⵏ ⵓⵙⵙⴰⵏ",
                "kind": "track",
                "genres": ["ahwash"],
                "language": "zgh",
                "region": "souss-massa",
                "synopsis": "ⴰⵀⵡⴰⵛ ⵏ ⵓⵙⵓⵙ",
            }
        },
    )

    # The rules of a titles row (halqa.catalog.rules): the same verdict as
    # `halqa audience target --title FILE`.
    name: Annotated[str, BeforeValidator(contract.TITLES["name"].parse)]
    kind: Annotated[str, BeforeValidator(contract.TITLES["kind"].parse)]
    genres: list[Annotated[str, StringConstraints(min_length=1, max_length=60)]] = Field(
        min_length=1, max_length=20
    )
    language: Annotated[str, BeforeValidator(contract.LANGUAGE.parse)]


class ExportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    campaign: Campaign
    title: NewTitleIn
    top: int = Field(default=1000, ge=1, le=1_000_000)
    holdout: float = Field(default=0.1, ge=0, lt=1)
    hash_salt: Annotated[str, StringConstraints(min_length=8, max_length=200)] | None = None
    title_id: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None,
        description="id the title has (or will have) in the catalogue; conversions to it are "
        "what lift counts (default: the title's own title_id)",
    )


class LookalikeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seed: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=100_000
    )
    size: int = Field(default=1000, ge=1, le=1_000_000)


@router.post(
    "/audience/target",
    response_model=TargetOut,
    response_model_exclude_unset=True,
    summary="Audience of a new title from metadata: size, breakdown, members",
)
def target(
    title: NewTitleIn,
    backend: Backend,
    _: Analyst,
    top: Annotated[int, Query(ge=1, le=1_000_000)] = 1000,
    rows: Annotated[int, Query(ge=0, le=1000, description="member rows to return")] = 20,
) -> dict[str, Any]:
    return backend.target(title.model_dump(), top, rows)


@router.post(
    "/audience/export",
    response_model=ExportOut,
    response_model_exclude_unset=True,
    status_code=201,
    summary="Record a campaign: marketing consent only, a random holdout kept back for measurement",
)
def export(body: Annotated[ExportIn, Body()], backend: Backend, _: Analyst) -> dict[str, Any]:
    title = body.title.model_dump()
    if body.title_id:
        title["title_id"] = body.title_id
    return backend.export_campaign(title, body.campaign, body.top, body.holdout, body.hash_salt)


@router.post(
    "/audience/lookalike",
    response_model=LookalikeOut,
    response_model_exclude_unset=True,
    summary="Grow a seed audience with the most similar members",
)
def lookalike(body: LookalikeIn, backend: Backend, _: Analyst) -> dict[str, Any]:
    return backend.lookalike(body.seed, body.size)


@router.get(
    "/campaigns",
    response_model=Page[CampaignOut],
    summary="Campaigns recorded by exports, newest first",
)
def campaigns(
    backend: Backend, _: Analyst, limit: Limit = 1000, offset: Offset = 0
) -> dict[str, Any]:
    return page_of(backend.campaigns(), limit, offset)


@router.get(
    "/campaigns/{campaign}/lift",
    response_model=CampaignLiftOut,
    response_model_exclude_unset=True,
    summary="Conversion of exposed vs holdout, lift with intervals",
)
def lift(
    campaign: Annotated[str, Path(pattern=r"^[\w][\w.\-]{0,79}$")],
    backend: Backend,
    _: Analyst,
    detect: Annotated[
        float | None, Query(gt=0, lt=1, description="plan: lift to detect next time")
    ] = None,
    title_id: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="title counted as a conversion (default: the one the export recorded)",
        ),
    ] = None,
) -> dict[str, Any]:
    return backend.campaign_lift(campaign, detect, title_id)
