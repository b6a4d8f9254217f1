"""Spreadsheet-safe CSV: what halqa writes for people to open in Excel, LibreOffice or Sheets.

Titles, names and rejected raw rows come from outside; a cell such as ``=HYPERLINK("http://x",
"click")`` or ``+cmd|' /C calc'!A0`` would run as a formula when the file is opened (CSV
injection). Following OWASP's guidance (https://owasp.org/www-community/attacks/CSV_Injection):

- every text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
  leading single quote, which spreadsheets show as text and never evaluate (the full-width forms
  ``＝ ＋ － ＠`` too, which some spreadsheets fold to the ASCII ones);
- every field is wrapped in double quotes, and double quotes inside are doubled.

Numbers (numeric columns) are left alone, so a score of -0.5 stays a number. Everything else is
byte-exact UTF-8: Arabic and Tifinagh text is never touched unless it starts with a trigger.
One rule, two forms: ``write_csv`` for pandas frames and ``sql_safe`` for DuckDB ``COPY``.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
QUOTE = "'"


def escape_cell(value: Any) -> Any:
    """``value`` with a leading quote when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return QUOTE + value
    return value


def unescape_cell(value: Any) -> Any:
    """``escape_cell`` undone, for halqa reading back a file it wrote
    (``halqa audience target --out`` read by ``halqa audience export``): a leading quote before a
    trigger is dropped. A value that itself began with a quote and a trigger cannot be told apart;
    ids never need to."""
    if isinstance(value, str) and value.startswith(QUOTE) and value[1:].startswith(TRIGGERS):
        return value[1:]
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns are escaped (numeric columns untouched)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(escape_cell)
    out.columns = [escape_cell(str(c)) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` as spreadsheet-safe UTF-8 CSV (every field quoted, formulas defused)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    safe_frame(frame).to_csv(
        target, index=False, encoding="utf-8", quoting=csv.QUOTE_ALL, lineterminator="\n"
    )
    return target


def sql_safe(column: str) -> str:
    """A DuckDB expression: ``column`` (text) escaped like ``escape_cell``; pair it with
    ``COPY … (FORCE_QUOTE *)`` for the quoting half of the rule."""
    triggers = ", ".join("'" + t.replace("'", "''") + "'" for t in TRIGGERS)
    return (
        f"CASE WHEN left({column}, 1) IN ({triggers}) THEN '{QUOTE * 2}' || {column} "
        f"ELSE {column} END AS {column}"
    )
