"""The one way to list and decide the studio's proposals, for the CLI and the API alike.

``halqa studio proposals|accept|reject``, the ``halqa script|music|vfx accept|reject`` aliases and
the ``/v1/studio/proposals`` routes all come here. A decision is the ``ProposalBook``'s; what
accepting *does* beyond recording it is the kind's own business (a screenplay block is inserted
into its script between marker notes), so kinds that need it name their accept function below.

Who may see what: at the command line (no caller) the person owns the folder and sees all of it.
Over the API, admin and analyst keys see every proposal; a creator key sees the proposals it asked
for and the folder's shared ones (``owner`` None: made at the command line, or by a job that does
not record its key), never another key's.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, get_args

from halqa.errors import NotFoundError, UserError
from halqa.studio.common.proposals import Proposal, ProposalBook, Status

DOMAINS = ("script", "music", "vfx")
STATUSES: tuple[Status, ...] = get_args(Status)
# kind -> (public module, function(book, pid, *, by, note, key_id) -> dict of what accepting did)
_ON_ACCEPT = {"script.block": ("halqa.studio.script", "accept_block")}
_SEE_ALL_ROLES = frozenset({"admin", "analyst"})


@dataclass(frozen=True)
class Caller:
    """A service key asking (its id, name and role)."""

    key_id: str
    name: str
    role: str


def kind_pattern(domain: str | None) -> str | None:
    """``script`` -> ``script.*``; a full kind (``music.piece``) stays as it is; None:
    every kind."""
    if domain is None or "." in domain:
        return domain
    if domain not in DOMAINS:
        raise UserError(
            f"unknown studio part {domain!r}: "
            f"use one of {', '.join(DOMAINS)} or a kind like script.block"
        )
    return f"{domain}.*"


def may_see(proposal: Proposal, caller: Caller | None) -> bool:
    if caller is None or caller.role in _SEE_ALL_ROLES:
        return True
    return proposal.owner is None or proposal.owner == caller.key_id


def describe(proposal: Proposal) -> dict[str, Any]:
    """A proposal as JSON, with its status spelled out
    (``proposal`` repeats the id for older readers)."""
    return proposal.model_dump(mode="json") | {"status": proposal.status, "proposal": proposal.id}


def list_proposals(
    book: ProposalBook,
    *,
    kind: str | None = None,
    status: str | None = None,
    subject: str | None = None,
    caller: Caller | None = None,
) -> list[dict[str, Any]]:
    """Proposals the caller may see, oldest first."""
    wanted = next((known for known in STATUSES if known == status), None)
    if status is not None and wanted is None:
        raise UserError(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
    found = (
        book.list(kind=kind_pattern(kind), status=wanted, subject=subject)
        if book.folder.exists()
        else []
    )
    return [describe(p) for p in found if may_see(p, caller)]


def get_proposal(
    book: ProposalBook, pid: str, *, kind: str | None = None, caller: Caller | None = None
) -> Proposal:
    """One proposal; another key's (or another part's,
    with ``kind``) is as absent as a missing one."""
    if not book.folder.exists():
        raise NotFoundError(f"no proposal {pid} in {book.folder}")
    proposal = book.get(pid)
    pattern = kind_pattern(kind)
    wrong_kind = pattern is not None and not (
        proposal.kind == pattern
        or (pattern.endswith(".*") and proposal.kind.startswith(pattern[:-1]))
    )
    if wrong_kind or not may_see(proposal, caller):
        raise NotFoundError(f"no proposal {pid}" + (f" of kind {pattern}" if wrong_kind else ""))
    return proposal


def decide(
    book: ProposalBook,
    pid: str,
    accept: bool,
    *,
    by: str | None = None,
    note: str | None = None,
    kind: str | None = None,
    caller: Caller | None = None,
) -> dict[str, Any]:
    """Accept or reject (final); accepting runs the kind's own step (a script block is inserted)."""
    proposal = get_proposal(book, pid, kind=kind, caller=caller)
    who = (by or "").strip() or (caller.name or caller.key_id if caller else "")
    key_id = caller.key_id if caller else None
    effects: dict[str, Any] = {}
    if accept and proposal.kind in _ON_ACCEPT:
        module, name = _ON_ACCEPT[proposal.kind]
        effects = getattr(importlib.import_module(module), name)(
            book, proposal.id, by=who, note=note, key_id=key_id
        )
        decided = book.get(proposal.id)
    else:
        decided = (book.accept if accept else book.reject)(
            proposal.id, by=who, note=note, key_id=key_id
        )
    effects.pop("proposal", None)
    effects.pop("status", None)
    return describe(decided) | {"by": decided.decision.by if decided.decision else who} | effects
