"""Generated work waits here for a person's decision.

Nothing a studio assistant generates enters a script, a score or a cut by itself: it is
proposed, with its provenance, and a person accepts or rejects it. The book is a folder
of JSON files (one per proposal) so it needs no server, survives a crash mid-write
(each write is a rename of a complete file) and can be inspected or versioned with the
project. A proposal's id is derived from what was generated and how, so proposing the
same thing twice (a re-run with the same seed and inputs) finds the first proposal
instead of adding a duplicate. A decision is final: it is recorded with who and when,
and a later contrary decision is refused rather than silently overwriting it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from halqa.errors import DataError, NotFoundError, UserError
from halqa.studio.common.provenance import Provenance

Status = Literal["pending", "accepted", "rejected"]
STUDIO_DIR_ENV = "HALQA_STUDIO_DIR"
_ID_LENGTH = 16


def studio_dir() -> Path:
    """The default studio folder: ``$HALQA_STUDIO_DIR``, else ``./halqa-studio``."""
    return Path(os.environ.get(STUDIO_DIR_ENV) or "halqa-studio")


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    status: Literal["accepted", "rejected"]
    by: str = Field(min_length=1)
    at: datetime
    note: str | None = None
    key_id: str | None = None  # the service key that decided, when it came over the API


class Proposal(BaseModel):
    """One generated block, piece or cut awaiting (or past) a person's decision.

    ``kind`` says what it is (``script.block``, ``music.piece``, ``vfx.trailer``);
    ``subject`` what it belongs to (a script path, a project name); ``payload`` the
    generated content or a description of it; ``artifacts`` the files it wrote; ``owner``
    the service key that asked for it (None: made at the command line, the folder's own).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    kind: str = Field(min_length=1)
    subject: str = Field(min_length=1)
    payload: Any
    provenance: Provenance
    artifacts: tuple[str, ...] = ()
    created_at: datetime
    decision: Decision | None = None
    owner: str | None = None

    @property
    def status(self) -> Status:
        return self.decision.status if self.decision else "pending"


def proposal_id(
    kind: str, subject: str, payload: Any, provenance: Provenance, owner: str | None = None
) -> str:
    """A stable id from what was generated and how (not when), and for whom when a key asked."""
    identity = {"kind": kind, "subject": subject, "payload": payload, "how": provenance.identity()}
    if owner is not None:  # two keys asking the same thing get one proposal each
        identity["owner"] = owner
    canonical = json.dumps(identity, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:_ID_LENGTH]


class ProposalBook:
    """The proposals of one studio folder (``<root>/proposals/<id>.json``)."""

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root) if root is not None else studio_dir()
        self.folder = self.root / "proposals"

    def propose(
        self,
        *,
        kind: str,
        subject: str,
        payload: Any,
        provenance: Provenance,
        artifacts: list[Path] | tuple[Path, ...] = (),
        owner: str | None = None,
    ) -> Proposal:
        """Record a pending proposal, or return the existing one with the same identity."""
        pid = proposal_id(kind, subject, payload, provenance, owner)
        with self._locked():
            existing = self._load(pid) if self._path(pid).exists() else None
            if existing is not None:
                return existing
            proposal = Proposal(
                id=pid,
                kind=kind,
                subject=subject,
                payload=payload,
                provenance=provenance,
                artifacts=tuple(str(a) for a in artifacts),
                created_at=datetime.now(UTC),
                owner=owner,
            )
            self._save(proposal)
        return proposal

    def get(self, pid: str) -> Proposal:
        """The proposal ``pid`` (a unique prefix of at least 4 characters is enough)."""
        return self._load(self._resolve(pid))

    def list(
        self, *, subject: str | None = None, kind: str | None = None, status: Status | None = None
    ) -> list[Proposal]:
        """Proposals, oldest first, optionally only one subject, kind
        (or ``script.*``) or status."""
        found = [self._load(p.stem) for p in sorted(self.folder.glob("*.json"))]
        keep = [
            p
            for p in found
            if (subject is None or p.subject == subject)
            and (
                kind is None
                or p.kind == kind
                or (kind.endswith(".*") and p.kind.startswith(kind[:-1]))
            )
            and (status is None or p.status == status)
        ]
        return sorted(keep, key=lambda p: (p.created_at, p.id))

    def accept(
        self, pid: str, *, by: str, note: str | None = None, key_id: str | None = None
    ) -> Proposal:
        return self._decide(pid, "accepted", by, note, key_id)

    def reject(
        self, pid: str, *, by: str, note: str | None = None, key_id: str | None = None
    ) -> Proposal:
        return self._decide(pid, "rejected", by, note, key_id)

    # -- internals ---------------------------------------------------------------------------

    def _decide(
        self,
        pid: str,
        status: Literal["accepted", "rejected"],
        by: str,
        note: str | None,
        key_id: str | None = None,
    ) -> Proposal:
        if not by.strip():
            raise UserError("a decision needs the name of the person who made it (--by)")
        self._resolve(pid)  # an unknown id is refused before the folder (and its lock) is created
        with self._locked():
            proposal = self._load(self._resolve(pid))
            if proposal.decision is not None:
                if proposal.decision.status == status:
                    return proposal  # deciding the same way twice changes nothing
                raise UserError(
                    f"proposal {proposal.id} was already {proposal.decision.status} by "
                    f"{proposal.decision.by} at {proposal.decision.at:%Y-%m-%d %H:%M} UTC; "
                    "a decision is final (propose again to reconsider)"
                )
            decided = proposal.model_copy(
                update={
                    "decision": Decision(
                        status=status, by=by.strip(), at=datetime.now(UTC), note=note, key_id=key_id
                    )
                }
            )
            self._save(decided)
        return decided

    def _resolve(self, pid: str) -> str:
        pid = pid.strip().lower()
        if len(pid) < 4 or not all(c in "0123456789abcdef" for c in pid):
            raise UserError(f"{pid!r} is not a proposal id (hexadecimal, at least 4 characters)")
        matches = [p.stem for p in self.folder.glob(f"{pid}*.json")]
        if not matches:
            raise NotFoundError(f"no proposal {pid} in {self.folder}")
        if len(matches) > 1:
            raise UserError(
                f"proposal id {pid} is ambiguous in {self.folder}: "
                + ", ".join(sorted(matches)[:5])
            )
        return matches[0]

    def _path(self, pid: str) -> Path:
        return self.folder / f"{pid}.json"

    def _load(self, pid: str) -> Proposal:
        path = self._path(pid)
        try:
            return Proposal.model_validate_json(path.read_bytes())
        except FileNotFoundError as exc:
            raise NotFoundError(f"no proposal {pid} in {self.folder}") from exc
        except ValidationError as exc:
            raise DataError(f"{path}: not a halqa proposal ({exc.errors()[0]['msg']})") from exc

    def _save(self, proposal: Proposal) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(proposal.id)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(proposal.model_dump_json(indent=2), encoding="utf-8")
        os.replace(tmp, path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time across processes (a CLI beside the service)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
