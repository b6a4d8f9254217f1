"""The screenplay assistant as the service offers it: each key's own scripts, and drafts as jobs.

Every API key has its own folder of scripts (``<studio>/scripts/<key id>/``): a creator key
reads, drafts on and decides for its own scripts only, because the folder is chosen from the
key, never from the request. A draft takes seconds to minutes, so it runs as a job on one
background thread per process; the job's record (``<studio>/script/jobs/<id>.json``, written by
rename) carries the text streamed so far, so any worker process can report on it, and at the end
the pending proposal (owned by the key) — nothing enters the script until someone accepts it.
The language model is the *server's* (``HALQA_LLM_BASE_URL``/``_MODEL``/``_GGUF``): a request
cannot point the server at another address.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from halqa.errors import BackendUnavailableError, DataError, NotFoundError, UserError
from halqa.studio.common import LlmSettings, ProposalBook, studio_dir
from halqa.studio.script.model import Script

NAME_RE = re.compile(r"^[\w][\w.\-]{0,80}\.(fountain|spmd|fdx)$")
MAX_SCRIPT_BYTES = 8 * 2**20
_EXECUTOR = ThreadPoolExecutor(
    max_workers=1, thread_name_prefix="halqa-script"
)  # one model call at a time
_STREAM_EVERY_S = 0.25  # how often the streamed text is written to the job record


def parse_upload(data: bytes | str, name: str) -> Script:
    """A script from uploaded bytes: FDX when the name says so (or the bytes are XML),
    else Fountain."""
    from halqa.studio.script.fdx import parse_fdx
    from halqa.studio.script.fountain import decode_text, parse_fountain

    if isinstance(
        data, str
    ):  # text from a JSON body: a lone surrogate is not UTF-8 (named by decode_text)
        data = data.encode("utf-8", "surrogatepass")
    if len(data) > MAX_SCRIPT_BYTES:
        raise UserError(f"{name}: larger than {MAX_SCRIPT_BYTES // 2**20} MiB")
    if name.lower().endswith(".fdx") or data.lstrip()[:5] == b"<?xml":
        return parse_fdx(data, source=name)
    return parse_fountain(decode_text(data, name), source=name)


class Workspace:
    """One key's scripts under the studio folder."""

    def __init__(self, key_id: str, root: Path | None = None) -> None:
        if not re.fullmatch(r"[\w\-]{1,64}", key_id):
            raise UserError(f"{key_id!r} cannot name a script folder")
        self.key_id = key_id
        self.root = Path(root) if root is not None else studio_dir()
        self.folder = self.root / "scripts" / key_id

    def path(self, name: str, *, exists: bool = True) -> Path:
        if not NAME_RE.match(name):
            raise UserError(
                f"{name!r}: a script name is letters, digits, '.', '-' or '_' ending in "
                ".fountain, .spmd or .fdx"
            )
        path = self.folder / name
        if exists and not path.is_file():
            raise NotFoundError(f"no script {name} for this key")
        return path

    def save(self, name: str, data: bytes) -> dict[str, Any]:
        """Store a script after checking it parses; FDX is kept as Fountain
        (drafts insert Fountain)."""
        from halqa.studio.script.fountain import normalise_fountain

        script = parse_upload(data, name)
        target = self.path(name, exists=False)
        if target.suffix == ".fdx":
            target = target.with_suffix(".fountain")
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.upload")
        tmp.write_text(normalise_fountain(script), encoding="utf-8")
        os.replace(tmp, target)
        return self.describe(target.name)

    def describe(self, name: str) -> dict[str, Any]:
        path = self.path(name)
        book = ProposalBook(self.root)
        pending = (
            len(book.list(subject=str(path.resolve()), status="pending"))
            if book.folder.exists()
            else 0
        )
        return {
            "name": name,
            "bytes": path.stat().st_size,
            "pending": pending,
            "modified": datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(
                timespec="seconds"
            ),
        }

    def names(self) -> list[dict[str, Any]]:
        if not self.folder.exists():
            return []
        return [
            self.describe(p.name) for p in sorted(self.folder.iterdir()) if NAME_RE.match(p.name)
        ]

    def text(self, name: str) -> str:
        return self.path(name).read_text(encoding="utf-8")


# ---------------------------------------------------------------- draft jobs


def _jobs_folder(root: Path) -> Path:
    return root / "script" / "jobs"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write(folder: Path, record: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record['id']}.json"
    tmp = path.with_name(f".{path.name}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def server_settings(**overrides: object) -> LlmSettings:
    """The server's language model with the request's sampling choices;
    refuses at once when none is set."""
    settings = LlmSettings.from_env(**overrides)
    if settings.backend == "none":
        raise BackendUnavailableError(
            "the service has no language model: start `halqa serve` with "
            "HALQA_LLM_BASE_URL=http://127.0.0.1:11434/v1 "
            "and HALQA_LLM_MODEL=NAME (any OpenAI-compatible server: Ollama, "
            "llama.cpp, vLLM, LM Studio), "
            "or HALQA_LLM_GGUF=FILE"
        )
    return settings


def submit_draft(workspace: Workspace, name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Check the request now (a bad one is an error, not a failed job),
    then draft in the background."""
    from halqa.studio.script.draft import TASKS

    if params["task"] not in TASKS:
        raise UserError(f"unknown task {params['task']!r}: use one of {', '.join(TASKS)}")
    path = workspace.path(name)
    if params.get("grammar") is None and os.environ.get("HALQA_LLM_GRAMMAR"):
        # the operator knows whether the server takes a GBNF grammar (llama.cpp's do, hosted APIs
        # may not)
        params = params | {
            "grammar": os.environ["HALQA_LLM_GRAMMAR"].lower() in ("1", "true", "yes", "on")
        }
    settings = server_settings(
        temperature=params.get("temperature"),
        max_tokens=params.get("max_tokens"),
        seed=params.get("seed"),
    )
    record = {
        "id": uuid.uuid4().hex[:16],
        "kind": "script.draft",
        "owner": workspace.key_id,
        "script": name,
        "status": "queued",
        "params": params,
        "text": "",
        "created_at": _now(),
        "proposal": None,
        "error": None,
    }
    folder = _jobs_folder(workspace.root)
    _write(folder, record)
    _EXECUTOR.submit(_run, folder, record, workspace, path, settings)
    return record


def _run(
    folder: Path, record: dict[str, Any], workspace: Workspace, path: Path, settings: LlmSettings
) -> None:
    from halqa.studio.common.decisions import describe
    from halqa.studio.script.draft import draft

    last = [0.0]

    def streamed(piece: str) -> None:
        record["text"] += piece
        if time.monotonic() - last[0] >= _STREAM_EVERY_S:
            last[0] = time.monotonic()
            _write(folder, record)

    record["status"] = "running"
    _write(folder, record)
    p = record["params"]
    try:
        proposal = draft(
            p["task"],
            settings,
            ProposalBook(workspace.root),
            script_path=path,
            scene=p.get("scene"),
            line=p.get("line"),
            to=p.get("to"),
            on_token=streamed,
            grammar=p.get("grammar"),
            owner=workspace.key_id,
        )
        record |= {"status": "done", "proposal": describe(proposal)}
    except UserError as exc:
        record |= {"status": "failed", "error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - a job must end in a state the client can read, whatever broke
        record |= {"status": "failed", "error": f"internal error: {type(exc).__name__}: {exc}"}
    record["finished_at"] = _now()
    _write(folder, record)


def get_job(workspace: Workspace, job_id: str) -> dict[str, Any]:
    """A job of this key (another key's job is as absent as a missing one)."""
    path = _jobs_folder(workspace.root) / f"{job_id}.json"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFoundError(f"no draft job {job_id}") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: damaged job record") from exc
    if record.get("owner") != workspace.key_id:
        raise NotFoundError(f"no draft job {job_id}")
    return record
