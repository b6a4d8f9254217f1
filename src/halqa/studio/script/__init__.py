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


# Files that are plainly something else: Fountain is plain text, so any of these would "parse"
# as one long action block and be counted as a script.
NOT_SCRIPTS = frozenset(
    [
        ".csv",
        ".tsv",
        ".json",
        ".jsonl",
        ".ndjson",
        ".parquet",
        ".duckdb",
        ".db",
        ".xlsx",
        ".xls",
        ".ods",
        ".mid",
        ".midi",
        ".musicxml",
        ".wav",
        ".mp3",
        ".ogg",
        ".mp4",
        ".mov",
        ".png",
        ".jpg",
        ".jpeg",
        ".pdf",
        ".docx",
        ".odt",
        ".zip",
        ".gz",
        ".cube",
        ".srt",
        ".ass",
        ".otio",
    ]
)


def load_script(path: str | os.PathLike[str]) -> Script:
    """A Fountain or FDX file (by its extension; anything but .fdx is read as Fountain, except a
    file whose extension names a data or media format)."""
    from pathlib import Path

    from halqa.errors import DataError, NotFoundError

    path = Path(path)
    if not path.exists():
        raise NotFoundError(f"{path}: no such file")
    if path.suffix.lower() in NOT_SCRIPTS:
        raise DataError(
            f"{path}: a {path.suffix.lower()} file is not a screenplay "
            "(give a Fountain file, .fountain or .txt, or Final Draft's .fdx)"
        )
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
