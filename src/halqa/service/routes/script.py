"""The screenplay assistant over HTTP (creator, analyst, admin).

Stateless work on a script sent in the body: parse, format, export (PDF, HTML, FDX, Fountain),
breakdown, beats; the development pack from the store's insights brief (``/v1/script/develop``).
Each key's own scripts: upload (``PUT /v1/script/scripts/{name}``, raw Fountain or FDX), list,
read; drafting on one of them runs as a job (``POST …/draft`` answers 202, ``GET
/v1/script/jobs/{id}`` streams the text so far and ends with the pending proposal, decided through
``/v1/studio/proposals``). A key reaches only its own scripts, jobs and proposals. Every answer
but the export's file has a named schema here.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from halqa.service.deps import Backend, Insights, StudioRoot
from halqa.service.keys import Principal
from halqa.service.schemas import (
    WINDOW_PATTERN,
    IsoTime,
    Limit,
    Offset,
    Out,
    Page,
    file_responses,
    page_of,
)

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
Window = Annotated[
    str, Field(pattern=WINDOW_PATTERN, description="28d, 4w, 3m (30-day months) or all")
]
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


class DevelopRequest(BaseModel):
    """What ``halqa script develop`` takes: the segment, the window, the as-of day."""

    model_config = ConfigDict(extra="forbid")
    segment: list[Annotated[str, Field(max_length=80)]] = Field(
        default_factory=list,
        max_length=7,
        description="key=value, as `--segment`: age_band=18-24, region=casablanca-settat, ... "
        "(none: everyone with analytics consent)",
    )
    window: Window = "28d"
    as_of: date | None = Field(
        None, description="The day after the window (default: the day after the last event)."
    )


# ---------------------------------------------------------------- answers (named schemas)


class TitleFieldOut(Out):
    key: str
    value: str


class ElementOut(Out):
    """One block: kind (heading, action, character, dialogue, ...) and text; the rest only where
    it differs from the default."""

    kind: str
    text: str
    scene_number: str | None = None
    extension: str | None = None
    dual: bool | None = None
    forced: bool | None = None
    centered: bool | None = None
    level: int | None = None
    tags: list[str] | None = None


class ScriptDocOut(Out):
    """The document model: title page fields, then the body's elements in reading order."""

    title: list[TitleFieldOut]
    elements: list[ElementOut]


class FountainOut(Out):
    fountain: str = Field(description="The script as normalised Fountain (lossless).")


class RuntimeOut(Out):
    minutes: int
    rule: str
    caveat: str


class SceneOut(Out):
    scene: str
    heading: str
    int_ext: str | None
    location: str
    time: str | None
    page: int
    eighths: int = Field(description="Length in eighths of a page.")
    length: str = Field(description="The same length as schedulers write it: 1 3/8.")
    cast: list[str]
    items: dict[str, list[str]] = Field(description="Tagged items per category (prop, ...).")
    words: int
    languages: dict[str, int]


class CharacterOut(Out):
    name: str
    lines: int = Field(description="Speeches.")
    words: int
    scenes: list[str]
    first_scene: str | None
    languages: dict[str, int]
    language_share: dict[str, float]


class LocationOut(Out):
    location: str
    scenes: list[str]
    int_ext: list[str]
    times: list[str]
    eighths: int


class StripOut(Out):
    strip: int
    scene: str
    location: str
    time: str | None
    int_ext: str | None
    eighths: str
    cast: list[str]


class LanguageMixOut(Out):
    words: dict[str, int]
    labels: dict[str, str]


class BreakdownOut(Out):
    """Scenes, characters, locations, stripboard and language mix, with the page count."""

    pages: int
    paper: str
    profile: str = Field(description="The page layout used: screenplay or multicam.")
    runtime: RuntimeOut
    scenes: list[SceneOut]
    characters: list[CharacterOut]
    locations: list[LocationOut]
    stripboard: list[StripOut]
    language_mix: LanguageMixOut


class BeatOut(Out):
    beat: str
    target: list[int] = Field(description="Target pages [from, to], scaled to the draft.")
    page: int | None
    status: Literal["on target", "early", "late", "missing"]


class ActOut(Out):
    act: int
    start: int
    end: int
    pages: int
    share: float


class BeatsOut(Out):
    """The 15 Save the Cat beats placed on the draft, what is missing, the three acts."""

    pages: int
    scale: float
    reference: str
    beats: list[BeatOut]
    missing: list[str]
    acts: list[ActOut]


class ScriptInfoOut(Out):
    """One of this key's stored scripts."""

    name: str
    bytes: int
    pending: int = Field(description="Drafted blocks awaiting a person's decision.")
    modified: IsoTime


class ScriptFileOut(ScriptInfoOut):
    fountain: str


class DraftJobOut(Out):
    """A draft job: queued, running, done (with the pending proposal) or failed."""

    id: str
    kind: str
    owner: str
    script: str
    status: Literal["queued", "running", "done", "failed"]
    params: dict[str, Any]
    text: str = Field(description="The model's text streamed so far.")
    created_at: IsoTime
    proposal: dict[str, Any] | None
    error: str | None
    finished_at: IsoTime | None = None


class PackLineOut(Out):
    topic: str
    item: str | None = None
    text: str
    figures: list[str] = Field(description="Ids of the brief's figures the line rests on.")


class FigureOut(Out):
    id: str
    source: dict[str, Any] = Field(description="The report and dimension the figure comes from.")
    label: str
    values: dict[str, Any] = Field(description="The figure's exact values, as the brief has them.")


class DevelopPackOut(Out):
    lines: list[PackLineOut]
    missing: list[str] = Field(description="Topics the brief has no figure for.")
    figures: list[FigureOut]
    brief: str | None = Field(description="The brief's file (None over REST: not kept).")
    suppressed: bool = Field(description="The segment has fewer than k members: no figures.")
    segment: str


class DevelopOut(Out):
    """The development pack `halqa script develop` writes, from the service's store."""

    pack: DevelopPackOut
    markdown: str


def _script(body: ScriptText) -> Script:
    from halqa.studio.script.workspace import parse_upload

    return parse_upload(body.text, "request." + body.format)


def _workspace(who: Principal, studio: Path) -> Workspace:
    from halqa.studio.script.workspace import Workspace

    return Workspace(who.key_id, studio)


@router.post(
    "/script/parse",
    response_model=ScriptDocOut,
    response_model_exclude_unset=True,
    summary="The script's elements (the document model)",
)
def parse(body: ScriptText, _: Insights) -> dict[str, Any]:
    return _script(body).to_dict()


@router.post(
    "/script/format",
    response_model=FountainOut,
    summary="The script normalised as Fountain (lossless)",
)
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
    response_model=BreakdownOut,
    response_model_exclude_unset=True,
    summary="Scenes, characters, locations, tagged items, stripboard, language mix",
)
def breakdown(body: ScriptText, _: Insights) -> dict[str, Any]:
    from halqa.studio.script.breakdown import breakdown as run

    return run(_script(body), paper=body.paper, profile=body.profile)


@router.post(
    "/script/beats",
    response_model=BeatsOut,
    response_model_exclude_unset=True,
    summary="Three acts and the 15 Save the Cat beats placed on the draft",
)
def beats(body: ScriptText, _: Insights) -> dict[str, Any]:
    from halqa.studio.script.beats import beat_sheet

    return beat_sheet(_script(body), paper=body.paper, profile=body.profile)


@router.get(
    "/script/scripts",
    response_model=Page[ScriptInfoOut],
    response_model_exclude_unset=True,
    summary="This key's scripts",
)
def scripts(
    who: Insights, studio: StudioRoot, limit: Limit = 1000, offset: Offset = 0
) -> dict[str, Any]:
    return page_of(_workspace(who, studio).names(), limit, offset)


@router.put(
    "/script/scripts/{name}",
    status_code=201,
    response_model=ScriptInfoOut,
    response_model_exclude_unset=True,
    summary="Store a script for this key (raw Fountain or FDX)",
)
async def upload(
    name: ScriptName, request: Request, who: Insights, studio: StudioRoot
) -> dict[str, Any]:
    from halqa.studio.script.workspace import MAX_SCRIPT_BYTES

    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_SCRIPT_BYTES:
            raise HTTPException(413, f"{name}: larger than {MAX_SCRIPT_BYTES // 2**20} MiB")
    return _workspace(who, studio).save(name, bytes(data))


@router.get(
    "/script/scripts/{name}",
    response_model=ScriptFileOut,
    response_model_exclude_unset=True,
    summary="One of this key's scripts, as Fountain",
)
def read(name: ScriptName, who: Insights, studio: StudioRoot) -> dict[str, Any]:
    workspace = _workspace(who, studio)
    return workspace.describe(name) | {"fountain": workspace.text(name)}


@router.post(
    "/script/scripts/{name}/draft",
    status_code=202,
    response_model=DraftJobOut,
    response_model_exclude_unset=True,
    summary="Draft with the server's language model (a job: poll /v1/script/jobs/{id})",
)
def draft(
    name: ScriptName, body: DraftRequest, who: Insights, studio: StudioRoot
) -> dict[str, Any]:
    from halqa.studio.script.workspace import submit_draft

    # without a model configured this is a 400 naming the variables to set (the server works; its
    # operator has not chosen a model), like every other refusal
    return submit_draft(_workspace(who, studio), name, body.model_dump())


@router.get(
    "/script/jobs/{job_id}",
    response_model=DraftJobOut,
    response_model_exclude_unset=True,
    summary="A draft job: status, text streamed so far, the pending proposal",
)
def job(job_id: JobId, who: Insights, studio: StudioRoot) -> dict[str, Any]:
    from halqa.studio.script.workspace import get_job

    return get_job(_workspace(who, studio), job_id)


@router.post(
    "/script/develop",
    response_model=DevelopOut,
    response_model_exclude_unset=True,
    summary="A development pack from the audience brief (as `halqa script develop`)",
)
def develop(body: DevelopRequest, backend: Backend, _: Insights) -> dict[str, Any]:
    """Target genre, themes, language, format, length and comparables for a segment, every line
    citing the figures of the insights brief it rests on; computed from the service's store by
    the store process (``--workers N`` included), aggregates under k members suppressed."""
    as_of = body.as_of.isoformat() if body.as_of else None
    return backend.script_develop(list(body.segment), body.window, as_of)
