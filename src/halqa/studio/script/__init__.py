"""The screenplay assistant: Fountain and FDX, breakdowns, language mix, PDF and HTML."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from halqa.studio.script.fdx import parse_fdx, read_fdx, write_fdx
from halqa.studio.script.fountain import parse_fountain, read_fountain, write_fountain
from halqa.studio.script.model import Element, Script, TitleField

if TYPE_CHECKING:
    from halqa.studio.common import ProposalBook

__all__ = [
    "Element",
    "Script",
    "TitleField",
    "accept_block",
    "load_script",
    "parse_fdx",
    "parse_fountain",
    "read_fdx",
    "read_fountain",
    "write_fdx",
    "write_fountain",
]


def load_script(path: str | os.PathLike[str]) -> Script:
    """A Fountain or FDX file (by its extension; anything but .fdx is read as Fountain)."""
    from pathlib import Path

    path = Path(path)
    if not path.exists():
        from halqa.errors import NotFoundError

        raise NotFoundError(f"{path}: no such file")
    return read_fdx(path) if path.suffix.lower() == ".fdx" else read_fountain(path)


def accept_block(
    book: ProposalBook,
    pid: str,
    *,
    by: str,
    note: str | None = None,
    key_id: str | None = None,
) -> dict:
    """Accept a drafted block and insert it into its script
    (what accepting a ``script.block`` does)."""
    from halqa.studio.script.draft import accept_block as insert

    return insert(book, pid, by=by, note=note, key_id=key_id)
