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
import stat
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from halqa.catalog import ENTITY_TABLES
from halqa.errors import DataError
from halqa.ingest import textfile
from halqa.ingest.multilingual import MULTILINGUAL
from halqa.ingest.sql import ident, lit

FORMATS = ("csv", "tsv", "parquet", "jsonl")
_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
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
    # The file DuckDB reads: ``path`` itself, or a copy of a stream (named pipe, ``<(cmd)``)
    read_path: Path | None = None
    # A CSV read by DuckDB as it is, which ``repaired`` can rewrite if DuckDB trips on it
    repairable: bool = False
    # A repaired CSV: ``_row`` is already the line in the original file, and the records the repair
    # could not split are these structural rejects (line, field, reason, raw)
    exact_lines: bool = False
    repair_rejects: list[tuple[int, str, str, str]] | None = None
    encoding: str | None = None
    # Temporary files made for this source (stream copy, repaired copy), removed after its ingest
    temp_files: list[Path] = field(default_factory=list)

    @property
    def file(self) -> Path:
        return self.read_path or self.path


def detect_format(path: Path, fmt: str | None, content: textfile.Sniffed | None = None) -> str:
    """``csv``/``tsv``/``parquet``/``jsonl`` from ``fmt``, else the content, else the suffix
    (``.gz`` allowed)."""
    if fmt:
        chosen = (
            fmt.lower()
            .replace("ndjson", "jsonl")
            .replace("json", "jsonl")
            .replace("jsonll", "jsonl")
        )
        if chosen not in FORMATS:
            raise DataError(f"{path}: unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
        return chosen
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".gzip", ".zst"):
        suffixes = suffixes[:-1]
    by_name = _SUFFIXES.get(suffixes[-1]) if suffixes else None
    if content is None and path.is_file():
        content = textfile.sniff(path)
    if content is not None:
        try:
            by_content = textfile.content_format(content)
        except DataError as exc:
            raise DataError(f"{path}: {exc}") from None
        if by_content is not None:
            return by_content
        if by_name == "parquet":
            raise DataError(
                f"{path}: named like Parquet but holds text; pass --format csv|tsv|jsonl"
            )
        return by_name if by_name in ("csv", "tsv", "jsonl") else "csv"
    if by_name:
        return by_name
    raise DataError(
        f"{path}: cannot tell the format from the name; pass --format csv|tsv|parquet|jsonl"
    )


def open_source(
    con: duckdb.DuckDBPyConnection,
    path: str | os.PathLike[str],
    fmt: str | None,
    *,
    encoding: str | None = None,
) -> Source:
    """Check the file is there and readable in ``fmt`` and list its columns.

    A stream (named pipe, ``<(cmd)``, ``/dev/stdin``) is copied to a temporary file first: it can
    be read only once, and a reader that opens it again would wait forever for a writer.
    """
    file = Path(path)
    if not file.exists():
        raise DataError(f"{file}: no such file")
    if file.is_dir():
        raise DataError(f"{file}: is a directory, not a file")
    if not os.access(file, os.R_OK):
        raise DataError(f"{file}: not readable (permission denied)")
    read = file if stat.S_ISREG(file.stat().st_mode) else textfile.spool(file, _work_dir())
    try:
        try:
            sniffed = textfile.sniff(read)
        except DataError as exc:
            raise DataError(f"{file}: {exc}") from None
        kind = detect_format(file, fmt, sniffed)
        opener = {"csv": _csv, "tsv": _csv, "parquet": _parquet, "jsonl": _jsonl}[kind]
        try:
            source = opener(con, read, kind, sniffed, encoding)
        except DataError as exc:
            raise DataError(f"{file}: {exc}") from None
        except duckdb.Error as exc:
            raise DataError(f"{file}: cannot read as {kind} ({_first_line(exc)})") from None
        except (
            OSError,
            EOFError,
            zlib.error,
            UnicodeError,
        ) as exc:  # a damaged gzip stream, a cut UTF-16 file
            raise DataError(f"{file}: cannot read as {kind} ({exc})") from None
    except BaseException:
        if read != file:
            read.unlink(missing_ok=True)
        raise
    source.path, source.read_path = file, read
    if read != file:
        source.temp_files.append(read)
    return source


def _work_dir() -> Path:
    return Path(tempfile.gettempdir()) / "halqa-ingest"


def _csv_options(kind: str, delim: str | None = None) -> str:
    # DuckDB's buffer defaults to 16 x max_line_size (512 MiB here, past a 1 GB memory limit on a
    # gzip file): one row's worth plus a margin is what a 32 MiB row needs.
    opts = (
        f"all_varchar=true, header=true, encoding='utf-8', max_line_size={textfile.MAX_ROW_BYTES}, "
        f"buffer_size={textfile.MAX_ROW_BYTES + (1 << 20)}"
    )
    if kind == "tsv":
        return opts + ", delim='\\t', quote=''"
    opts += ", quote='\"', escape='\"'"
    return opts + (f", delim={lit(delim)}" if delim else "")


def _csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    sniffed: textfile.Sniffed,
    encoding: str | None,
) -> Source:
    # RFC 4180 quoting is fixed (sniffing it can misread a backslash in a synopsis as an escape);
    # the delimiter is sniffed so that ';' exports from French spreadsheets read as they are.
    header = textfile.header_line(path, sniffed, encoding)  # names a bad byte of line 1
    if (encoding or sniffed.text_encoding).lower() not in (
        "utf-8",
        "utf8",
    ) or textfile.line_endings_need_repair(path, sniffed.gzipped):
        return _repaired_csv(con, path, kind, sniffed, encoding)
    opts = _csv_options(kind)
    probe = f"read_csv({lit(str(path))}, {opts}, ignore_errors=true)"
    try:
        columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {probe}").fetchall()]
    except duckdb.Error:
        return _repaired_csv(con, path, kind, sniffed, encoding)
    expected = textfile.split_header(header, textfile.delimiter(header, kind), kind)
    if len(columns) != len(
        expected
    ):  # DuckDB's sniffer was misled (an unterminated quote, a huge row)
        return _repaired_csv(con, path, kind, sniffed, encoding)
    if not columns or columns == ["column0"]:
        raise DataError("no header row (the first line must name the columns)")
    scan = (
        f"read_csv({lit(str(path))}, {opts}, store_rejects=true, "
        f"rejects_table={lit(REJECTS_TABLE)}, "
        f"rejects_scan={lit(REJECTS_SCAN)})"
    )
    numbered = f"SELECT row_number() OVER () AS _row, * FROM {scan}"
    if kind == "tsv":  # no quoting: one row per line
        return Source(
            path, kind, columns, f"SELECT * FROM {scan}", numbered, header_lines=1, repairable=True
        )
    # A quoted value may span lines; the running count of those breaks keeps line numbers true.
    # (A running sum in file order is a streaming window: no sort, the same single pass.)
    text = " || ".join(f"coalesce({ident(c)}, '')" for c in columns)
    breaks = (
        "SELECT row_number() OVER () AS _row, * EXCLUDE (_halqa_nl), "
        "sum(_halqa_nl) OVER (ROWS BETWEEN "
        f"UNBOUNDED PRECEDING AND CURRENT ROW) - _halqa_nl AS _nl_before FROM "
        f"(SELECT *, strlen({text}) - strlen(replace({text}, chr(10), "
        f"'')) AS _halqa_nl FROM {scan})"
    )
    return Source(
        path,
        kind,
        columns,
        f"SELECT * FROM {scan}",
        numbered,
        header_lines=1,
        breaks_scan=breaks,
        repairable=True,
    )


def _repaired_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    sniffed: textfile.Sniffed,
    encoding: str | None,
) -> Source:
    """The file rewritten clean by ``textfile.repair`` and read from that copy (see there)."""
    folder = _work_dir()
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="repaired-", suffix=".csv", dir=folder)
    os.close(fd)
    out = Path(name)
    try:
        repaired = textfile.repair(path, sniffed, encoding, kind, out)
        limit = 2 * textfile.MAX_ROW_BYTES + (1 << 20)
        # The copy is clean and its shape known: nothing to sniff (a CR kept inside a value would
        # mislead it).
        names = [textfile.LINE_COLUMN, *repaired.columns]
        struct = "{" + ", ".join(f"{lit(n)}: 'VARCHAR'" for n in names) + "}"
        opts = (
            f"columns={struct}, header=true, auto_detect=false, "
            "encoding='utf-8', delim=',', quote='\"', "
            f"escape='\"', new_line='\\n', max_line_size={limit}, buffer_size={limit}"
        )
        scan = f"read_csv({lit(str(out))}, {opts})"
        described = names
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    line = ident(textfile.LINE_COLUMN)
    columns = [c for c in described if c != textfile.LINE_COLUMN]
    cr = lit(textfile.CR_STAND_IN)
    values = ", ".join(f"replace({ident(c)}, {cr}, chr(13)) AS {ident(c)}" for c in columns)
    source = Source(
        path,
        kind,
        columns,
        f"SELECT {values} FROM {scan}",
        f"SELECT CAST({line} AS BIGINT) AS _row, {values} FROM {scan}",
        header_lines=0,
        structural_rejects=False,
        exact_lines=True,
        repair_rejects=repaired.rejects,
        encoding=encoding or sniffed.text_encoding,
    )
    source.temp_files.append(out)
    return source


def repaired(con: duckdb.DuckDBPyConnection, source: Source) -> Source:
    """``source`` (a CSV DuckDB tripped on while reading it) read again through the repair pass."""
    again = _repaired_csv(
        con, source.file, source.fmt, textfile.sniff(source.file), source.encoding
    )
    again.path, again.read_path = source.path, source.read_path
    again.temp_files = source.temp_files + again.temp_files
    return again


def _parquet(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    sniffed: textfile.Sniffed,
    encoding: str | None,
) -> Source:
    scan = f"read_parquet({lit(str(path))})"
    described = con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
    casts = []
    for name, sql_type, *_ in described:
        nested = any(t in sql_type for t in ("[]", "MAP(", "STRUCT(")) or sql_type.endswith("]")
        expr = f"to_json({ident(name)})::VARCHAR" if nested else f"CAST({ident(name)} AS VARCHAR)"
        casts.append(f"{expr} AS {ident(name)}")
    body = ", ".join(casts)
    numbered = f"read_parquet({lit(str(path))}, file_row_number=true)"
    return Source(
        path,
        kind,
        [d[0] for d in described],
        f"SELECT {body} FROM {scan}",
        f"SELECT file_row_number + 1 AS _row, {body} FROM {numbered}",
        header_lines=0,
        structural_rejects=False,
    )


def _jsonl(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    sniffed: textfile.Sniffed,
    encoding: str | None,
) -> Source:
    temp: list[Path] = []
    replaced: list[tuple[int, str, str, str]] | None = None
    if (encoding or sniffed.text_encoding).lower() not in (
        "utf-8",
        "utf8",
    ) or textfile.line_endings_need_repair(path, sniffed.gzipped):
        path, replaced = _clean_jsonl(path, sniffed, encoding)
        temp.append(path)
    try:
        source = _jsonl_scan(con, path, kind)
    except BaseException:
        for t in temp:
            t.unlink(missing_ok=True)
        raise
    source.temp_files += temp
    if replaced:  # lines that did not decode: rejected with the byte named, not as blank lines
        source.repair_rejects = replaced
    return source


def _clean_jsonl(path: Path, sniffed: textfile.Sniffed, encoding: str | None) -> tuple[Path, list]:
    folder = _work_dir()
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="clean-", suffix=".jsonl", dir=folder)
    os.close(fd)
    try:
        return Path(name), textfile.clean_lines(path, sniffed, encoding, Path(name))
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def _jsonl_scan(con: duckdb.DuckDBPyConnection, path: Path, kind: str) -> Source:
    lines = (
        f"read_csv({lit(str(path))}, columns={{'_json': 'VARCHAR'}}, "
        "header=false, delim=chr(0), quote='', "
        f"escape='', auto_detect=false, encoding='utf-8', max_line_size={textfile.MAX_ROW_BYTES}, "
        f"buffer_size={textfile.MAX_ROW_BYTES + (1 << 20)}, store_rejects=true, "
        f"rejects_table={lit(REJECTS_TABLE)}, rejects_scan={lit(REJECTS_SCAN)})"
    )
    # CASE, not AND: DuckDB evaluates both sides of an AND, and json_type fails on malformed JSON.
    objects = "(CASE WHEN json_valid(_json) THEN json_type(_json) = 'OBJECT' ELSE false END)"
    # Every key of every line: a streaming DISTINCT over the file (no key is silently dropped).
    keys = con.execute(
        f"SELECT DISTINCT unnest(json_keys(_json)) AS k FROM {lines} WHERE {objects} ORDER BY k"
    ).fetchall()
    columns = [k[0] for k in keys]
    if not columns:
        raise DataError("no JSON object found (expected one JSON object per line)")
    paths = ", ".join(lit(c) for c in columns)
    pick = ", ".join(f"_v[{i + 1}] AS {ident(c)}" for i, c in enumerate(columns))
    extract = (
        f"CASE WHEN {objects} THEN json_extract_string(_json, [{paths}]) END AS _v, "
        f"CASE WHEN _json IS NULL OR trim(_json) = '' THEN 'blank line' WHEN NOT {objects} "
        f"THEN 'not a JSON object: ' || left(_json, 80) END AS _line_error, _json AS _raw"
    )
    scan = f"SELECT {pick}, _line_error, _raw FROM (SELECT {extract} FROM {lines})"
    numbered = (
        f"SELECT _row, {pick}, _line_error, _raw FROM "
        f"(SELECT row_number() OVER () AS _row, {extract} "
        f"FROM {lines})"
    )
    return Source(path, kind, columns, scan, numbered, header_lines=0)


def canonical_columns(
    source: Source, target: str, mapping: dict[str, str] | None
) -> dict[str, str]:
    """canonical column -> source column, from the mapping, exact names,
    then case-insensitive names."""
    table = ENTITY_TABLES[target]
    known = set(table.column_names) - {"ingest_id", "auto_created"}
    out: dict[str, str] = {}
    for canonical, src in (mapping or {}).items():
        if canonical not in known and not canonical.startswith(tuple(MULTILINGUAL)):
            raise DataError(
                f"--map {canonical}={src}: '{canonical}' is not a column of {target} "
                f"({', '.join(sorted(known))})"
            )
        if src not in source.columns:
            raise DataError(
                f"{source.path}: --map {canonical}={src}: no column '{src}' in the file "
                f"(columns: {', '.join(source.columns)})"
            )
        out[canonical] = src
    lowered = {c.strip().lower(): c for c in source.columns}
    taken = set(out.values())
    for col in source.columns:
        name = col.strip()
        if (
            (name in known or name.startswith(tuple(MULTILINGUAL)))
            and name not in out
            and col not in taken
        ):
            out[name] = col
    for name in sorted(known - set(out)):
        if name in lowered and lowered[name] not in taken:
            out[name] = lowered[name]
    return out


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
