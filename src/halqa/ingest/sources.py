"""Opening an input file as a DuckDB scan of VARCHAR columns, whatever its format.

CSV/TSV go through ``read_csv(all_varchar=true, store_rejects=true)``, so rows
that are structurally broken (wrong column count, invalid UTF-8) are kept aside
with their line number instead of stopping the load. JSON Lines are read as one
text column per line (so a malformed line is one rejected row, not a failed
file) and unpacked with DuckDB's JSON functions. Parquet columns are cast to
text (lists and maps to JSON) so every format meets the same validators.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from halqa.catalog import ENTITY_TABLES
from halqa.errors import DataError
from halqa.ingest.rules import MULTILINGUAL
from halqa.ingest.sql import ident, lit

FORMATS = ("csv", "tsv", "parquet", "jsonl")
_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet",
             ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
REJECTS_TABLE, REJECTS_SCAN = "_halqa_rejects", "_halqa_reject_scans"


@dataclass
class Source:
    """One input file seen as a relation of VARCHAR columns named as in the file."""

    path: Path
    fmt: str
    columns: list[str]
    # SQL for the scan, and the same scan with a ``_row`` column (1-based row in the file)
    scan: str
    numbered_scan: str
    # Lines before the first data row (the CSV header); row r is then on line r + header_lines
    header_lines: int
    structural_rejects: bool = True
    mapping: dict[str, str] = field(default_factory=dict)
    # CSV only: the numbered scan plus ``_nl_before``, the line breaks inside quoted values of the
    # rows before (costs a pass over every value: used only when the file has such breaks)
    breaks_scan: str | None = None


def detect_format(path: Path, fmt: str | None) -> str:
    """``csv``/``tsv``/``parquet``/``jsonl`` from ``fmt`` or the file suffix (``.gz`` allowed)."""
    if fmt:
        chosen = fmt.lower().replace("ndjson", "jsonl").replace("json", "jsonl").replace("jsonll", "jsonl")
        if chosen not in FORMATS:
            raise DataError(f"{path}: unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
        return chosen
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".gzip", ".zst"):
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in _SUFFIXES:
        return _SUFFIXES[suffixes[-1]]
    raise DataError(f"{path}: cannot tell the format from the name; pass --format csv|tsv|parquet|jsonl")


def open_source(con: duckdb.DuckDBPyConnection, path: str | os.PathLike[str], fmt: str | None) -> Source:
    """Check the file is there and readable in ``fmt`` and list its columns."""
    file = Path(path)
    if not file.exists():
        raise DataError(f"{file}: no such file")
    if file.is_dir():
        raise DataError(f"{file}: is a directory, not a file")
    if not os.access(file, os.R_OK):
        raise DataError(f"{file}: not readable (permission denied)")
    kind = detect_format(file, fmt)
    opener = {"csv": _csv, "tsv": _csv, "parquet": _parquet, "jsonl": _jsonl}[kind]
    try:
        return opener(con, file, kind)
    except duckdb.Error as exc:
        raise DataError(f"{file}: cannot read as {kind} ({_first_line(exc)})") from None


def _csv(con: duckdb.DuckDBPyConnection, path: Path, kind: str) -> Source:
    # RFC 4180 quoting is fixed (sniffing it can misread a backslash in a synopsis as an escape);
    # the delimiter is sniffed so that ';' exports from French spreadsheets read as they are.
    opts = "all_varchar=true, header=true, encoding='utf-8'"
    opts += ", delim='\\t', quote=''" if kind == "tsv" else ", quote='\"', escape='\"'"
    probe = f"read_csv({lit(str(path))}, {opts}, ignore_errors=true)"
    columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {probe}").fetchall()]
    if not columns or columns == ["column0"]:
        raise DataError(f"{path}: no header row (the first line must name the columns)")
    scan = (f"read_csv({lit(str(path))}, {opts}, store_rejects=true, rejects_table={lit(REJECTS_TABLE)}, "
            f"rejects_scan={lit(REJECTS_SCAN)})")
    numbered = f"SELECT row_number() OVER () AS _row, * FROM {scan}"
    if kind == "tsv":  # no quoting: one row per line
        return Source(path, kind, columns, f"SELECT * FROM {scan}", numbered, header_lines=1)
    # A quoted value may span lines; the running count of those breaks keeps line numbers true.
    # (A running sum in file order is a streaming window: no sort, the same single pass.)
    text = " || ".join(f"coalesce({ident(c)}, '')" for c in columns)
    breaks = (f"SELECT row_number() OVER () AS _row, * EXCLUDE (_halqa_nl), sum(_halqa_nl) OVER (ROWS BETWEEN "
              f"UNBOUNDED PRECEDING AND CURRENT ROW) - _halqa_nl AS _nl_before FROM "
              f"(SELECT *, strlen({text}) - strlen(replace({text}, chr(10), '')) AS _halqa_nl FROM {scan})")
    return Source(path, kind, columns, f"SELECT * FROM {scan}", numbered, header_lines=1, breaks_scan=breaks)


def _parquet(con: duckdb.DuckDBPyConnection, path: Path, kind: str) -> Source:
    scan = f"read_parquet({lit(str(path))})"
    described = con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
    casts = []
    for name, sql_type, *_ in described:
        nested = any(t in sql_type for t in ("[]", "MAP(", "STRUCT(")) or sql_type.endswith("]")
        expr = f"to_json({ident(name)})::VARCHAR" if nested else f"CAST({ident(name)} AS VARCHAR)"
        casts.append(f"{expr} AS {ident(name)}")
    body = ", ".join(casts)
    numbered = f"read_parquet({lit(str(path))}, file_row_number=true)"
    return Source(path, kind, [d[0] for d in described], f"SELECT {body} FROM {scan}",
                  f"SELECT file_row_number + 1 AS _row, {body} FROM {numbered}", header_lines=0,
                  structural_rejects=False)


def _jsonl(con: duckdb.DuckDBPyConnection, path: Path, kind: str) -> Source:
    lines = (f"read_csv({lit(str(path))}, columns={{'_json': 'VARCHAR'}}, header=false, delim=chr(0), quote='', "
             f"escape='', auto_detect=false, encoding='utf-8', store_rejects=true, "
             f"rejects_table={lit(REJECTS_TABLE)}, rejects_scan={lit(REJECTS_SCAN)})")
    # CASE, not AND: DuckDB evaluates both sides of an AND, and json_type fails on malformed JSON.
    objects = "(CASE WHEN json_valid(_json) THEN json_type(_json) = 'OBJECT' ELSE false END)"
    # Every key of every line: a streaming DISTINCT over the file (no key is silently dropped).
    keys = con.execute(f"SELECT DISTINCT unnest(json_keys(_json)) AS k FROM {lines} WHERE {objects} ORDER BY k"
                       ).fetchall()
    columns = [k[0] for k in keys]
    if not columns:
        raise DataError(f"{path}: no JSON object found (expected one JSON object per line)")
    paths = ", ".join(lit(c) for c in columns)
    pick = ", ".join(f"_v[{i + 1}] AS {ident(c)}" for i, c in enumerate(columns))
    extract = (f"CASE WHEN {objects} THEN json_extract_string(_json, [{paths}]) END AS _v, "
               f"CASE WHEN _json IS NULL OR trim(_json) = '' THEN 'blank line' WHEN NOT {objects} "
               f"THEN 'not a JSON object: ' || left(_json, 80) END AS _line_error, _json AS _raw")
    scan = f"SELECT {pick}, _line_error, _raw FROM (SELECT {extract} FROM {lines})"
    numbered = (f"SELECT _row, {pick}, _line_error, _raw FROM (SELECT row_number() OVER () AS _row, {extract} "
                f"FROM {lines})")
    return Source(path, kind, columns, scan, numbered, header_lines=0)


def canonical_columns(source: Source, target: str, mapping: dict[str, str] | None) -> dict[str, str]:
    """canonical column -> source column, from the mapping, exact names, then case-insensitive names."""
    table = ENTITY_TABLES[target]
    known = set(table.column_names) - {"ingest_id", "auto_created"}
    out: dict[str, str] = {}
    for canonical, src in (mapping or {}).items():
        if canonical not in known and not canonical.startswith(tuple(MULTILINGUAL)):
            raise DataError(f"--map {canonical}={src}: '{canonical}' is not a column of {target} "
                            f"({', '.join(sorted(known))})")
        if src not in source.columns:
            raise DataError(f"{source.path}: --map {canonical}={src}: no column '{src}' in the file "
                            f"(columns: {', '.join(source.columns)})")
        out[canonical] = src
    lowered = {c.strip().lower(): c for c in source.columns}
    taken = set(out.values())
    for col in source.columns:
        name = col.strip()
        if (name in known or name.startswith(tuple(MULTILINGUAL))) and name not in out and col not in taken:
            out[name] = col
    for name in sorted(known - set(out)):
        if name in lowered and lowered[name] not in taken:
            out[name] = lowered[name]
    return out


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
