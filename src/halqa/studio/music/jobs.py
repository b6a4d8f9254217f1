"""Long compositions and renders as jobs: a JSON file per job, progress appended as it runs.

The service answers a request at once with the job's id and runs the work on one background
thread per process; the record lives in ``<studio folder>/music/jobs/<id>.json`` (written by
rename, so a reader never sees half a file), so any worker process can report on any job.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from halqa.errors import NotFoundError, UserError
from halqa.studio.common import studio_dir

_EXECUTOR = ThreadPoolExecutor(
    max_workers=1, thread_name_prefix="halqa-music"
)  # FluidSynth: one synth a process
_LOCK = threading.Lock()


def jobs_folder(root: Path | None = None) -> Path:
    return (Path(root) if root is not None else studio_dir()) / "music" / "jobs"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write(folder: Path, record: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record['id']}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def get_job(job_id: str, root: Path | None = None) -> dict[str, Any]:
    if not job_id.isalnum():
        raise NotFoundError(f"job {job_id!r}: no such job")
    path = jobs_folder(root) / f"{job_id}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFoundError(f"job {job_id}: no such job") from None


def submit_compose(
    params: dict[str, Any], root: Path | None = None, owner: str | None = None
) -> dict[str, Any]:
    """Check the request now (bad input is an error, not a failed job),
    then compose in the background."""
    from halqa.studio.music.compose import check_request
    from halqa.studio.music.styles import resolve_style

    check_request(
        params.get("bars") if params.get("seconds") is None else None,
        params.get("seconds"),
        params.get("tempo"),
    )
    resolve_style(params["style"], params.get("mode"))
    folder = jobs_folder(root)
    record: dict[str, Any] = {
        "id": uuid.uuid4().hex[:12],
        "kind": "music.compose",
        "status": "queued",
        "params": params,
        "progress": [],
        "created_at": _now(),
        "result": None,
        "error": None,
        "owner": owner,
    }
    _write(folder, record)
    _EXECUTOR.submit(_run, folder, record, root)
    return record


def _run(folder: Path, record: dict[str, Any], root: Path | None) -> None:
    from halqa.studio.music.api import compose_files

    def step(label: str) -> None:
        with _LOCK:
            record["progress"].append({"step": label, "at": _now()})
            _write(folder, record)

    record["status"] = "running"
    _write(folder, record)
    params = dict(record["params"])
    out = (Path(root) if root is not None else studio_dir()) / "music" / f"job-{record['id']}"
    try:
        result = compose_files(
            params.pop("style"),
            **params,
            out=out,
            name=f"job-{record['id']}",
            progress=step,
            owner=record.get("owner"),
            studio=root,
        )
        record.update(status="done", result=result, finished_at=_now())
    except UserError as exc:
        record.update(status="failed", error=str(exc), finished_at=_now())
    except Exception as exc:  # noqa: BLE001 - a job must end in a state the client can read
        record.update(
            status="failed",
            error=f"internal error: {type(exc).__name__}: {exc}",
            finished_at=_now(),
        )
    _write(folder, record)


def job_file(job_id: str, kind: str, root: Path | None = None) -> Path:
    """The path of one output of a finished job: midi, musicxml, wav, mp3, ogg or stems/<track>."""
    record = get_job(job_id, root)
    if record["status"] != "done":
        raise UserError(f"job {job_id} is {record['status']}: its files are not ready")
    files = record["result"]["files"]
    value = (
        files.get("stems", {}).get(kind.split("/", 1)[1])
        if kind.startswith("stems/")
        else files.get(kind)
    )
    if not value:
        raise NotFoundError(f"job {job_id}: no file {kind!r} (has {', '.join(sorted(files))})")
    return Path(value)


def job_notes(job_id: str, root: Path | None = None, limit: int = 20_000) -> dict[str, Any]:
    """The finished piece's notes per track, read back from its MIDI file (for a piano roll)."""
    from halqa.studio.music.midi import read_midi

    piece = read_midi(job_file(job_id, "midi", root))
    tracks, total = [], 0
    for track in piece.tracks:
        notes = [
            [round(n.start, 4), round(n.length, 4), round(n.pitch, 3)]
            for n in track.notes[: max(0, limit - total)]
        ]
        total += len(notes)
        tracks.append({"name": track.name, "drum": track.is_drum, "notes": notes})
    return {
        "bar_beats": piece.bar_beats,
        "beats": piece.length_beats,
        "tempo": piece.tempo,
        "tracks": tracks,
    }
