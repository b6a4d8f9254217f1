"""The studio's visual effects over HTTP: looks, uploads, long work as jobs, proposals to decide.

Media are named files in the service's studio folder (``<studio>/vfx/media``): upload with
``PUT /v1/vfx/media/{name}``, start work with ``POST /v1/vfx/jobs``, poll
``GET /v1/vfx/jobs/{id}`` for progress and the result, download outputs by name.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from halqa.service.deps import Insights, StudioRoot
from halqa.service.routes.studio import DecisionBody
from halqa.service.schemas import (
    DecidedOut,
    Limit,
    LooksOut,
    MediaOut,
    Offset,
    Page,
    ProposalOut,
    VfxJobOut,
    file_responses,
)

router = APIRouter(prefix="/v1", tags=["vfx"])
MediaName = Annotated[str, PathParam(pattern=r"^[\w][\w.\-]{0,119}$")]
MAX_UPLOAD = 4 * 2**30


def available() -> bool:
    """The routes exist when the vfx extra is installed."""
    try:
        import opentimelineio  # noqa: F401
        import PyOpenColorIO  # noqa: F401
        import scenedetect  # noqa: F401
    except ImportError:
        return False
    return True


class JobRequest(BaseModel):
    kind: Literal["grade", "match", "key", "scenes", "trailer", "frame"]
    source: str = Field(pattern=r"^[\w][\w.\-]{0,119}$", description="An uploaded media name.")
    lut: str | None = Field(
        None, description="grade: a shipped look's name.", pattern=r"^[a-z\-]{1,40}$"
    )
    intensity: float = Field(1.0, ge=0, le=1, description="grade: LUT intensity; match: strength.")
    reference: str | None = Field(
        None, pattern=r"^[\w][\w.\-]{0,119}$", description="match: the still."
    )
    background: str | None = Field(
        None, pattern=r"^[\w][\w.\-]{0,119}$", description="key: what goes behind."
    )
    length: float = Field(60.0, ge=3, le=600, description="trailer: seconds.")
    title: list[Annotated[str, Field(max_length=120)]] = Field(default_factory=list, max_length=4)
    music: str | None = Field(
        None, pattern=r"^[\w][\w.\-]{0,119}$", description="trailer: the bed."
    )
    at: float | None = Field(
        None, ge=0, description="frame: seconds into the clip (default: the middle)."
    )


@router.get("/vfx/looks", response_model=LooksOut, summary="The shipped colour looks")
def looks(_: Insights) -> dict[str, Any]:
    from halqa.studio.vfx.looks import LOOKS

    return {
        "looks": [
            {"name": n, "about": (f.__doc__ or "").strip(), "cube": f"/v1/vfx/looks/{n}.cube"}
            for n, f in LOOKS.items()
        ]
    }


@router.get(
    "/vfx/looks/{name}.cube",
    summary="A look as a .cube (Resolve, Premiere)",
    response_class=FileResponse,
    responses=file_responses("text/plain"),
)
def look_cube(
    name: Annotated[str, PathParam(pattern=r"^[a-z\-]{1,40}$")], _: Insights
) -> FileResponse:
    from halqa.studio.vfx.looks import look_path

    return FileResponse(look_path(name), media_type="text/plain", filename=f"{name}.cube")


@router.put(
    "/vfx/media/{name}",
    summary="Upload a still, clip, LUT or music file (raw body)",
    status_code=201,
    response_model=MediaOut,
)
async def upload(
    name: MediaName, request: Request, _: Insights, studio: StudioRoot
) -> dict[str, Any]:
    from halqa.errors import UserError
    from halqa.studio.vfx.jobs import media_path

    path = media_path(studio, name, exists=False)
    tmp = path.with_name(f".{path.name}.upload")
    size = 0
    with tmp.open("wb") as out:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_UPLOAD:
                tmp.unlink(missing_ok=True)
                raise UserError(f"{name}: larger than {MAX_UPLOAD // 2**30} GiB")
            out.write(chunk)
    tmp.replace(path)
    return {"name": name, "bytes": size}


@router.get(
    "/vfx/media/{name}",
    summary="Download a media file (an upload or a job's output)",
    response_class=FileResponse,
    responses=file_responses("application/octet-stream"),
)
def download(name: MediaName, _: Insights, studio: StudioRoot) -> FileResponse:
    from halqa.studio.vfx.jobs import media_path

    return FileResponse(media_path(studio, name), filename=name)


@router.post(
    "/vfx/jobs",
    summary="Start grading, matching, keying, shot detection, a trailer or a frame grab",
    status_code=202,
    response_model=VfxJobOut,
)
def start_job(body: JobRequest, who: Insights, studio: StudioRoot) -> dict[str, Any]:
    from halqa.studio.vfx.jobs import submit

    # a trailer's proposal belongs to the key that asked, so a creator decides only its own
    return submit(studio, body.model_dump(), owner=who.key_id)


@router.get(
    "/vfx/jobs/{job_id}",
    response_model=VfxJobOut,
    summary="A job's status, progress (0..1) and result",
)
def job(
    job_id: Annotated[str, PathParam(pattern=r"^[0-9a-f]{16}$")],
    _: Insights,
    studio: StudioRoot,
) -> dict[str, Any]:
    from halqa.studio.vfx.jobs import get

    return get(studio, job_id)


@router.get(
    "/vfx/proposals",
    response_model=Page[ProposalOut],
    summary="Proposed cuts, oldest first (as /v1/studio/proposals?kind=vfx)",
)
def proposals(
    who: Insights,
    studio: StudioRoot,
    status: Literal["pending", "accepted", "rejected"] | None = None,
    limit: Limit = 1000,
    offset: Offset = 0,
) -> dict[str, Any]:
    from halqa.service.routes.studio import list_for

    return list_for(studio, "vfx", status, who, limit, offset)


@router.post(
    "/vfx/proposals/{pid}/{decision}",
    response_model=DecidedOut,
    summary="Accept or reject a proposed cut",
)
def decide(
    pid: Annotated[str, PathParam(pattern=r"^[0-9a-f]{4,16}$")],
    decision: Literal["accept", "reject"],
    body: DecisionBody,
    who: Insights,
    studio: StudioRoot,
) -> dict[str, Any]:
    from halqa.service.routes.studio import decide_for

    return decide_for(studio, "vfx", pid, decision == "accept", body, who)
