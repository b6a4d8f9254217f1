"""The studio's proposals over HTTP, for every part (script, music, vfx): list, read, accept,
reject.

One implementation (``halqa.studio.common.decisions``); ``/v1/music/proposals…`` and
``/v1/vfx/proposals…`` call the same functions with their part's kind. A creator key sees and
decides its own proposals (and the studio folder's shared ones), never another key's; a decision
records the key that made it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from halqa.service.deps import Insights, StudioRoot
from halqa.service.keys import Principal
from halqa.service.schemas import DecidedOut, Limit, Offset, Page, ProposalOut, page_of

if TYPE_CHECKING:  # the studio package costs 0.3 s to import: only when a route runs
    from halqa.studio.common import ProposalBook
    from halqa.studio.common.decisions import Caller

router = APIRouter(prefix="/v1", tags=["studio"])
ProposalId = Annotated[
    str, PathParam(pattern=r"^[0-9a-f]{4,64}$", description="A proposal id or a unique prefix.")
]
Status = Literal["pending", "accepted", "rejected"]
Kind = Annotated[
    str | None,
    Query(
        pattern=r"^(script|music|vfx)(\.[a-z]{1,20})?$",
        description="script, music, vfx, or a full kind such as script.block",
    ),
]


class DecisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    by: str | None = Field(
        None, min_length=1, max_length=120, description="Who decided (default: the key's name)."
    )
    note: str | None = Field(None, max_length=2000, description="Why (kept with the decision).")


def _caller(principal: Principal) -> Caller:
    from halqa.studio.common.decisions import Caller

    return Caller(principal.key_id, principal.name, principal.role)


def _book(studio: Path) -> ProposalBook:
    from halqa.studio.common import ProposalBook

    return ProposalBook(studio)


def list_for(
    studio: Path,
    kind: str | None,
    status: str | None,
    principal: Principal,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """One page of the proposals ``principal`` may see (the shape of every list: ``Page``)."""
    from halqa.studio.common.decisions import list_proposals

    found = list_proposals(_book(studio), kind=kind, status=status, caller=_caller(principal))
    return page_of(found, limit, offset)


def decide_for(
    studio: Path,
    kind: str | None,
    pid: str,
    accept: bool,
    body: DecisionBody,
    principal: Principal,
) -> dict[str, Any]:
    from halqa.studio.common.decisions import decide

    return decide(
        _book(studio), pid, accept, by=body.by, note=body.note, kind=kind, caller=_caller(principal)
    )


@router.get(
    "/studio/proposals",
    response_model=Page[ProposalOut],
    summary="Proposals this key may see (script, music, vfx), oldest first",
)
def proposals(
    who: Insights,
    studio: StudioRoot,
    kind: Kind = None,
    status: Status | None = None,
    limit: Limit = 1000,
    offset: Offset = 0,
) -> dict[str, Any]:
    return list_for(studio, kind, status, who, limit, offset)


@router.get(
    "/studio/proposals/{pid}",
    response_model=ProposalOut,
    summary="One proposal with its payload and provenance",
)
def proposal(pid: ProposalId, who: Insights, studio: StudioRoot) -> dict[str, Any]:
    from halqa.studio.common.decisions import describe, get_proposal

    return describe(get_proposal(_book(studio), pid, caller=_caller(who)))


@router.post(
    "/studio/proposals/{pid}/accept",
    response_model=DecidedOut,
    summary="Accept (final); a script block goes into its script",
)
def accept(
    pid: ProposalId, body: DecisionBody, who: Insights, studio: StudioRoot
) -> dict[str, Any]:
    return decide_for(studio, None, pid, True, body, who)


@router.post(
    "/studio/proposals/{pid}/reject",
    response_model=DecidedOut,
    summary="Reject (final): it never enters the work",
)
def reject(
    pid: ProposalId, body: DecisionBody, who: Insights, studio: StudioRoot
) -> dict[str, Any]:
    return decide_for(studio, None, pid, False, body, who)
