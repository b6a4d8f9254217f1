"""The screenplay assistant over HTTP (creator, analyst, admin).

Stateless work on a script sent in the body: parse, format, export (PDF, HTML, FDX, Fountain),
breakdown, beats. Each key's own scripts: upload (``PUT /v1/script/scripts/{name}``, raw Fountain
or FDX), list, read; drafting on one of them runs as a job (``POST …/draft`` answers 202, ``GET
/v1/script/jobs/{id}`` streams the text so far and ends with the pending proposal, decided through
``/v1/studio/proposals``). A key reaches only its own scripts, jobs and proposals.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from halqa.service.deps import Insights
from halqa.service.keys import Principal
from halqa.service.schemas import Limit, Offset, Page, file_responses, page_of

if TYPE_CHECKING:  # the studio's modules load when a route runs
    from halqa.studio.script.model import Script
    from halqa.studio.script.workspace import Workspace

router = APIRouter(prefix="/v1", tags=["script"])
ScriptName = Annotated[
    str,
    PathParam(
        pattern=r"^[\w][\w.\-]{0,80}\.(fountain|spmd|fdx)$",
        description="NAME.fountain (or .spmd, .fdx: stored as Fountain)",
    ),
]
JobId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{16}$")]
Paper = Literal["letter", "a4"]
MEDIA = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "fdx": "application/xml",
    "fountain": "text/plain; charset=utf-8",
}


class ScriptText(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(
        min_length=1, max_length=8 * 2**20, description="The script: Fountain text or FDX XML."
    )
    format: Literal["fountain", "fdx"] = Field("fountain", description="How `text` is written.")
    paper: Paper = "letter"
    profile: Literal["screenplay", "multicam"] | None = Field(
        None,
        description="Page layout (default: the title page's `fmt:`, as jumpcut reads it, "
        "else screenplay); page count, eighths, PDF and HTML follow it.",
    )


class ExportRequest(ScriptText):
    to: Literal["pdf", "html", "fdx", "fountain"] = Field(description="What to produce.")
    direction: Literal["ltr", "rtl"] | None = Field(
        None,
        description="PDF page direction (default: the "
        "title page's Language, else the script's main script).",
    )


class DraftRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    task: Literal["continue", "alternatives", "tighten", "adapt", "logline"]
    scene: str | None = Field(None, max_length=12, description="Scene number (default: the last).")
    line: str | None = Field(None, max_length=2000, description="alternatives: the line to rework.")
    to: Literal["fr", "ary", "ary-Latn"] | None = Field(
        None, description="adapt: the target language."
    )
    temperature: float | None = Field(None, ge=0, le=2)
    max_tokens: int | None = Field(None, ge=1, le=4096)
    seed: int | None = Field(None, ge=0, le=2**31 - 1)
    grammar: bool | None = Field(
        None, description="Constrain decoding to Fountain (llama.cpp servers)."
    )


def _script(body: ScriptText) -> Script:
    from halqa.studio.script.workspace import parse_upload

    return parse_upload(body.text, "request." + body.format)


def _workspace(who: Principal) -> Workspace:
    from halqa.studio.script.workspace import Workspace

    return Workspace(who.key_id)


@router.post("/script/parse", summary="The script's elements (the document model)")
def parse(body: ScriptText, _: Insights) -> dict[str, Any]:
    return _script(body).to_dict()


@router.post("/script/format", summary="The script normalised as Fountain (lossless)")
def format_(body: ScriptText, _: Insights) -> dict[str, Any]:
    from halqa.studio.script import write_fountain

    return {"fountain": write_fountain(_script(body))}


@router.post(
    "/script/export",
    summary="Industry-layout PDF, HTML (dir=auto per block), FDX or Fountain",
    response_class=Response,
    responses=file_responses(*(m.split(";")[0] for m in MEDIA.values())),
)
def export(body: ExportRequest, _: Insights) -> Response:
    from halqa.studio.script import write_fdx
    from halqa.studio.script.fountain import normalise_fountain
    from halqa.studio.script.html import render_html

    script = _script(body)
    if body.to == "pdf":
        from halqa.studio.script.pdf import render_pdf

        with tempfile.TemporaryDirectory(prefix="halqa-script-") as tmp:
            out = Path(tmp) / "script.pdf"
            info = render_pdf(
                script,
                out,
                paper=body.paper,
                page_direction=body.direction,
                profile=body.profile,
            )
            data = out.read_bytes()
        headers = {"X-Halqa-Pages": str(info["pages"]), "X-Halqa-Direction": info["direction"]}
        return Response(data, media_type=MEDIA["pdf"], headers=headers)
    data = {
        "html": lambda: render_html(script, body.profile).encode("utf-8"),
        "fdx": lambda: write_fdx(script),
        "fountain": lambda: normalise_fountain(script).encode("utf-8"),
    }[body.to]()
    return Response(data, media_type=MEDIA[body.to])


@router.post(
    "/script/breakdown",
    summary="Scenes, characters, locations, tagged items, stripboard, language mix",
)
def breakdown(body: ScriptText, _: Insights) -> dict[str, Any]:
    from halqa.studio.script.breakdown import breakdown as run

    return run(_script(body), paper=body.paper, profile=body.profile)


@router.post(
    "/script/beats", summary="Three acts and the 15 Save the Cat beats placed on the draft"
)
def beats(body: ScriptText, _: Insights) -> dict[str, Any]:
    from halqa.studio.script.beats import beat_sheet

    return beat_sheet(_script(body), paper=body.paper, profile=body.profile)


@router.get("/script/scripts", response_model=Page[dict[str, Any]], summary="This key's scripts")
def scripts(who: Insights, limit: Limit = 1000, offset: Offset = 0) -> dict[str, Any]:
    return page_of(_workspace(who).names(), limit, offset)


@router.put(
    "/script/scripts/{name}",
    status_code=201,
    summary="Store a script for this key (raw Fountain or FDX)",
)
async def upload(name: ScriptName, request: Request, who: Insights) -> dict[str, Any]:
    from halqa.studio.script.workspace import MAX_SCRIPT_BYTES

    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_SCRIPT_BYTES:
            raise HTTPException(413, f"{name}: larger than {MAX_SCRIPT_BYTES // 2**20} MiB")
    return _workspace(who).save(name, bytes(data))


@router.get("/script/scripts/{name}", summary="One of this key's scripts, as Fountain")
def read(name: ScriptName, who: Insights) -> dict[str, Any]:
    workspace = _workspace(who)
    return workspace.describe(name) | {"fountain": workspace.text(name)}


@router.post(
    "/script/scripts/{name}/draft",
    status_code=202,
    summary="Draft with the server's language model (a job: poll /v1/script/jobs/{id})",
)
def draft(name: ScriptName, body: DraftRequest, who: Insights) -> dict[str, Any]:
    from halqa.studio.script.workspace import submit_draft

    # without a model configured this is a 400 naming the variables to set (the server works; its
    # operator has not chosen a model), like every other refusal
    return submit_draft(_workspace(who), name, body.model_dump())


@router.get(
    "/script/jobs/{job_id}",
    summary="A draft job: status, text streamed so far, the pending proposal",
)
def job(job_id: JobId, who: Insights) -> dict[str, Any]:
    from halqa.studio.script.workspace import get_job

    return get_job(_workspace(who), job_id)
