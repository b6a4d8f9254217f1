"""Long VFX work for the service: jobs run on a background thread, their state in JSON files.

A job's state lives in ``<studio>/vfx/jobs/<id>.json`` (written by rename), so any worker
process of ``halqa serve --workers N`` can answer for it; the work itself runs in the process
that accepted it, one job at a time (the machine's cores go to ffmpeg, not to parallel jobs).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from halqa.errors import ConfigError, NotFoundError

KINDS = ("grade", "match", "key", "scenes", "trailer", "frame")
_NAME = re.compile(r"^[\w][\w.\-]{0,119}$")
_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="halqa-vfx-job")
_lock = threading.Lock()


def media_dir(studio: Path) -> Path:
    folder = studio / "vfx" / "media"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def media_path(studio: Path, name: str, *, exists: bool = True) -> Path:
    """A file in the studio's media folder, by a plain name (no folders, no traversal)."""
    if not _NAME.match(name) or ".." in name:
        raise ConfigError(f"media name {name!r}: letters, digits, '.', '-' and '_' only (≤ 120)")
    path = media_dir(studio) / name
    if exists and not path.is_file():
        raise NotFoundError(f"no media named {name!r} (upload it first)")
    return path


def _job_path(studio: Path, job_id: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{16}", job_id):
        raise NotFoundError(f"no job {job_id!r}")
    return studio / "vfx" / "jobs" / f"{job_id}.json"


def _save(studio: Path, job: dict[str, Any]) -> None:
    path = _job_path(studio, job["id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(json.dumps(job, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, path)


def get(studio: Path, job_id: str) -> dict[str, Any]:
    path = _job_path(studio, job_id)
    if not path.is_file():
        raise NotFoundError(f"no job {job_id!r}")
    return json.loads(path.read_text(encoding="utf-8"))


def _run(studio: Path, job: dict[str, Any]) -> dict[str, Any]:
    """Do the work of one job; paths in its request are media names in the studio folder."""
    request = job["request"]
    src = media_path(studio, request["source"])
    out_name = f"{job['id']}-{request['kind']}"
    last = [0.0]

    def progress(fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] > 0.5 or fraction >= 1.0:
            last[0] = now
            _save(studio, job | {"progress": round(fraction, 3)})

    # Signed with this studio folder's credentials, whichever folder the process defaults to.
    from halqa.studio.common import ContentSigner

    signer = ContentSigner.default(studio)
    kind = request["kind"]
    if kind == "grade":
        from halqa.studio.vfx.grade import grade

        out = media_path(studio, out_name + src.suffix, exists=False)
        return grade(
            src,
            request.get("lut") or "sahara-gold",
            out,
            intensity=request.get("intensity", 1.0),
            on_progress=progress,
            signer=signer,
        )
    if kind == "match":
        from halqa.studio.vfx.match import match

        reference = media_path(studio, request["reference"])
        return match(
            reference,
            src,
            media_path(studio, out_name + ".cube", exists=False),
            strength=request.get("intensity", 1.0),
        )
    if kind == "key":
        from halqa.studio.vfx.key import key

        background = (
            media_path(studio, request["background"]) if request.get("background") else None
        )
        suffix = src.suffix if background or src.suffix.lower() not in (".jpg", ".jpeg") else ".png"
        return key(
            src,
            media_path(studio, out_name + suffix, exists=False),
            background=background,
            on_progress=progress,
            signer=signer,
        )
    if kind == "frame":  # a still of a clip, to compare looks on (the dashboard's previews)
        from halqa.studio.vfx.frames import still_of

        return still_of(
            src,
            media_path(studio, out_name + ".png", exists=False),
            at=request.get("at"),
            signer=signer,
        )
    if kind == "scenes":
        from halqa.studio.vfx.shots import shots

        info, found = shots(src, on_progress=progress)
        return {
            "source": request["source"],
            "fps": float(info.fps),
            "shots": [s.as_dict() for s in found],
        }
    from halqa.studio.vfx.trailer import trailer

    music = media_path(studio, request["music"]) if request.get("music") else None
    return trailer(
        src,
        media_path(studio, out_name + ".mp4", exists=False),
        length=request.get("length", 60.0),
        title=request.get("title") or (),
        music=music,
        studio=studio,
        signer=signer,
        owner=job.get("owner"),
        on_progress=lambda stage, x: progress(0.3 * x if stage == "shots" else 0.3 + 0.7 * x),
    )


def _work(studio: Path, job: dict[str, Any]) -> None:
    job = job | {"status": "running", "started_at": datetime.now(UTC).isoformat()}
    _save(studio, job)
    try:
        result = _run(studio, job)
        job = job | {"status": "done", "progress": 1.0, "result": result}
    except Exception as exc:  # noqa: BLE001 - the job reports any failure; the worker thread survives it
        job = job | {
            "status": "failed",
            "error": str(exc) or type(exc).__name__,
            "error_type": type(exc).__name__,
        }
    job["finished_at"] = datetime.now(UTC).isoformat()
    _save(studio, job)


def submit(studio: Path, request: dict[str, Any], owner: str | None = None) -> dict[str, Any]:
    """Queue a job (the source must already be uploaded); returns its state. ``owner``: the API key
    that asked, whose proposal a trailer becomes."""
    if request.get("kind") not in KINDS:
        raise ConfigError(f"kind must be one of {', '.join(KINDS)}")
    media_path(studio, request["source"])
    job = {
        "id": secrets.token_hex(8),
        "request": request,
        "status": "queued",
        "progress": 0.0,
        "created_at": datetime.now(UTC).isoformat(),
        "result": None,
        "error": None,
        "owner": owner,
    }
    with _lock:
        _save(studio, job)
        _pool.submit(_work, studio, job)
    return job
