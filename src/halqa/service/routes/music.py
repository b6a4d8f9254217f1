"""The composition assistant over HTTP (creator, analyst, admin): compose as a job, poll, download,
decide.

A composition with audio takes seconds to minutes, so ``POST /v1/music/compose`` answers 202 with a
job id at once and ``GET /v1/music/jobs/{id}`` reports the steps done so far and, at the end, the
files (downloadable one by one) and the pending proposal.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from halqa.service.deps import Insights, StudioRoot
from halqa.service.routes.studio import DecisionBody
from halqa.service.schemas import (
    DecidedOut,
    Limit,
    MusicCatalogueOut,
    MusicJobOut,
    MusicNotesOut,
    Offset,
    Page,
    ProposalOut,
    file_responses,
)

router = APIRouter(prefix="/v1", tags=["music"])
JobId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{12}$")]
OUTPUT_MEDIA = {  # a composition's files, by suffix
    ".mid": "audio/midi",
    ".musicxml": "application/vnd.recordare.musicxml+xml",
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
}


class ComposeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    style: str = Field(
        "chaabi",
        max_length=40,
        description="chaabi, gnawa, andalusi, ahidous, rai, trap, maqam or a maqam's name",
    )
    mode: str | None = Field(None, max_length=40)
    rhythm: str | None = Field(None, max_length=40)
    bars: int | None = Field(16, ge=1, le=512)
    seconds: float | None = Field(None, gt=0, le=1800)
    tempo: float | None = Field(None, ge=20, le=300)
    tonic: str | None = Field(None, max_length=6)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    sample_rate: int = Field(44100, ge=8000, le=96000)
    stems: bool = True
    tuning: Literal["bend", "mts"] = Field(
        "bend",
        description="quarter tones in the MIDI as pitch bend or as "
        "MIDI Tuning Standard single-note SysEx",
    )


@router.get(
    "/music/styles",
    response_model=MusicCatalogueOut,
    summary="Styles, modes (cents, ajnas, cadences) and rhythms, with sources",
)
def styles(_: Insights) -> dict[str, Any]:
    from halqa.studio.music.api import catalogue

    return catalogue()


@router.post(
    "/music/compose",
    status_code=202,
    response_model=MusicJobOut,
    summary="Compose a piece (a job: poll /v1/music/jobs/{id})",
)
def compose(request: ComposeRequest, who: Insights, studio: StudioRoot) -> dict[str, Any]:
    from halqa.studio.music.jobs import submit_compose

    # the piece's proposal belongs to the key that asked, so a creator decides only its own
    return submit_compose(request.model_dump(), root=studio, owner=who.key_id)


@router.get(
    "/music/jobs/{job_id}",
    response_model=MusicJobOut,
    summary="A composition job: status, steps done, files and proposal",
)
def job(job_id: JobId, _: Insights, studio: StudioRoot) -> dict[str, Any]:
    from halqa.studio.music.jobs import get_job

    return get_job(job_id, root=studio)


@router.get(
    "/music/jobs/{job_id}/files/{kind:path}",
    summary="One output: midi, musicxml, wav or stems/<track>",
    response_class=FileResponse,
    responses=file_responses(*OUTPUT_MEDIA.values(), "application/octet-stream"),
)
def job_file(
    job_id: JobId,
    kind: Annotated[str, PathParam(pattern=r"^(midi|musicxml|wav|mp3|ogg|stems/[a-z0-9]+)$")],
    _: Insights,
    studio: StudioRoot,
) -> FileResponse:
    from halqa.studio.music.jobs import job_file as path_of

    path = path_of(job_id, kind, root=studio)
    media = OUTPUT_MEDIA.get(path.suffix, "application/octet-stream")
    return FileResponse(path, media_type=media, filename=path.name)


@router.get(
    "/music/jobs/{job_id}/notes",
    response_model=MusicNotesOut,
    summary="The finished piece's notes per track (for a piano roll)",
)
def job_notes(job_id: JobId, _: Insights, studio: StudioRoot) -> dict[str, Any]:
    from halqa.studio.music.jobs import job_notes as notes_of

    return notes_of(job_id, root=studio)


@router.get(
    "/music/proposals",
    response_model=Page[ProposalOut],
    summary="Generated pieces and their status (as /v1/studio/proposals?kind=music)",
)
def proposals(
    who: Insights,
    studio: StudioRoot,
    status: Literal["pending", "accepted", "rejected"] | None = None,
    limit: Limit = 1000,
    offset: Offset = 0,
) -> dict[str, Any]:
    from halqa.service.routes.studio import list_for

    return list_for(studio, "music", status, who, limit, offset)


@router.post(
    "/music/proposals/{proposal_id}/accept",
    response_model=DecidedOut,
    summary="Accept a generated piece (final)",
)
def accept(
    proposal_id: Annotated[str, PathParam(pattern=r"^[0-9a-f]{4,64}$")],
    decision: DecisionBody,
    who: Insights,
    studio: StudioRoot,
) -> dict[str, Any]:
    from halqa.service.routes.studio import decide_for

    return decide_for(studio, "music", proposal_id, True, decision, who)


@router.post(
    "/music/proposals/{proposal_id}/reject",
    response_model=DecidedOut,
    summary="Reject a generated piece (final)",
)
def reject(
    proposal_id: Annotated[str, PathParam(pattern=r"^[0-9a-f]{4,64}$")],
    decision: DecisionBody,
    who: Insights,
    studio: StudioRoot,
) -> dict[str, Any]:
    from halqa.service.routes.studio import decide_for

    return decide_for(studio, "music", proposal_id, False, decision, who)
