"""What a text input really is, read by its bytes: encoding, header, line endings, and a repair
pass.

DuckDB's CSV reader is fast but gives up on a whole file for one odd byte: a stray CR or a mix of
LF and CRLF, a row over its line limit, an unterminated quote (which swallows every row after it),
or UTF-16 text. Clean files (nearly all) go to DuckDB as they are. A file that would trip it is
first rewritten by ``repair`` into a clean UTF-8 CSV with one leading column holding each record's
line in the original file: rows the repair cannot split into the header's columns become structural
rejects naming their line, and every other row goes on to the same validation as a clean file.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from halqa.errors import DataError

LINE_COLUMN = "__halqa_line"
# The largest record the repair passes on (DuckDB reads the repaired file with a line limit above
# it); a longer one is rejected whole. A quote still open past this many bytes is taken as
# unterminated.
MAX_ROW_BYTES = 32 * 1024 * 1024
SNIFF_BYTES = 1 << 16
_DELIMITERS = (",", ";", "\t", "|")
# A CR inside a line is data (kept byte-exact), but Python's csv reader takes it for a line end and
# DuckDB's for a broken file: it crosses both as this private-use character, put back by the scan.
CR_STAND_IN = "\ue000"
GZIP_MAGIC = b"\x1f\x8b"
BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Sniffed:
    """The first bytes of a file (decompressed when gzipped) and what they say."""

    head: bytes
    gzipped: bool
    bom_encoding: str | None

    @property
    def cr_only(self) -> bool:
        """Old Mac line endings: CR alone ends every line (no LF in the first 64 KiB)."""
        return b"\r" in self.head and b"\n" not in self.head and self.bom_encoding != "utf-16"

    @property
    def text_encoding(self) -> str:
        return self.bom_encoding or "utf-8"


def sniff(path: Path) -> Sniffed:
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    gzipped = head.startswith(GZIP_MAGIC)
    if gzipped:
        try:
            with gzip.open(path, "rb") as fh:
                head = fh.read(SNIFF_BYTES)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"not a readable gzip file ({exc})") from None
    bom = next((enc for mark, enc in BOMS if head.startswith(mark)), None)
    return Sniffed(head, gzipped, bom)


def content_format(sniffed: Sniffed) -> str | None:
    """``parquet``/``jsonl`` when the bytes say so; raises for formats halqa cannot read;
    None for text."""
    head = sniffed.head
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        raise DataError(
            "is a ZIP archive (an .xlsx workbook is one): "
            "save the sheet as CSV UTF-8 and ingest that"
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise DataError("is an old Excel/Office file: save the sheet as CSV UTF-8 and ingest that")
    if sniffed.bom_encoding != "utf-16" and b"\x00" in head:
        raise DataError("is a binary file, not CSV, TSV, JSON Lines or Parquet")
    text = _decode_head(sniffed)
    if text.lstrip("\ufeff \t\r\n").startswith("{"):
        return "jsonl"
    return None


def _decode_head(sniffed: Sniffed) -> str:
    return sniffed.head.decode(sniffed.text_encoding, errors="replace")


def open_binary(path: Path, gzipped: bool) -> gzip.GzipFile | io.BufferedReader:
    return gzip.GzipFile(path, "rb") if gzipped else open(path, "rb")


def header_line(path: Path, sniffed: Sniffed, encoding: str | None) -> str:
    """The first line, decoded; a byte that is not in the encoding is named with its line and
    column."""
    enc = encoding or sniffed.text_encoding
    with open_binary(path, sniffed.gzipped) as fh:
        if enc == "utf-16":
            try:
                first = io.TextIOWrapper(fh, encoding="utf-16", newline="").readline()
            except UnicodeDecodeError as exc:
                raise DataError(f"line 1: not valid UTF-16 text ({exc.reason})") from None
            return first.rstrip("\r\n")
        raw = next(_split_lines(fh, b"\r" if sniffed.cr_only else b"\n"), b"")
    raw = raw.removeprefix(codecs.BOM_UTF8).rstrip(b"\r\n")
    try:
        return raw.decode(enc)
    except UnicodeDecodeError as exc:
        raise DataError(f"line 1: {bad_byte(raw, exc, enc)}") from None
    except LookupError:
        raise DataError(
            f"unknown encoding {enc!r} (use utf-8, utf-16, latin-1 or cp1252)"
        ) from None


def bad_byte(raw: bytes, exc: UnicodeDecodeError, encoding: str) -> str:
    byte = raw[exc.start]
    guess = bytes([byte]).decode("cp1252", errors="replace")
    return (
        f"byte 0x{byte:02X} at column {exc.start + 1} is not {encoding.upper()} "
        f"(in Latin-1/Windows-1252 it would be {guess!r}); save the file as UTF-8, "
        "or pass --encoding latin-1"
    )


def delimiter(header: str, kind: str) -> str:
    """TSV is tab-separated; a CSV's delimiter is the most frequent of , ; TAB | in its header."""
    if kind == "tsv":
        return "\t"
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def split_header(header: str, delim: str, kind: str) -> list[str]:
    if kind == "tsv":
        return header.split("\t")
    names = next(csv.reader([header.replace("\r", CR_STAND_IN)], delimiter=delim, strict=False), [])
    return [n.replace(CR_STAND_IN, "\r") for n in names]


def line_endings_need_repair(path: Path, gzipped: bool) -> bool:
    """Whether DuckDB would trip on the line endings: a CR that is not part of CRLF,
    or LF and CRLF mixed."""
    if (
        gzipped
    ):  # not counted (a decompressing pass): DuckDB trips on them, and that sends the file here
        return False
    cr = crlf = lf = 0
    last = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            cr += chunk.count(b"\r")
            lf += chunk.count(b"\n")
            crlf += chunk.count(b"\r\n") + (last == b"\r" and chunk[:1] == b"\n")
            last = chunk[-1:]
    return cr > crlf or 0 < crlf < lf


@dataclass
class Repaired:
    """The clean copy and the records that could not become rows: (line, field, reason, raw)."""

    path: Path
    columns: list[str]
    rejects: list[tuple[int, str, str, str]] = field(default_factory=list)


def _unique(names: list[str]) -> list[str]:
    """Header names made unique the way DuckDB does it (a second ``x`` becomes ``x_1``),
    blanks named."""
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = name or f"column{i}"
        base, n = name, seen.get(name, 0)
        while name in seen:
            n += 1
            name = f"{base}_{n}"
        seen[base] = n
        seen[name] = 0
        out.append(name)
    return out


def repair(path: Path, sniffed: Sniffed, encoding: str | None, kind: str, out: Path) -> Repaired:
    """Rewrite ``path`` as clean UTF-8 CSV (LF, RFC 4180 quoting,
    a first column with each record's line)."""
    enc = encoding or sniffed.text_encoding
    header = header_line(path, sniffed, encoding)
    delim = delimiter(header, kind)
    names = split_header(header, delim, kind)
    result = Repaired(out, columns=_unique(names))
    # A TSV has no quoting: a quote character is data.
    quoting: Literal[0, 1, 2, 3] = csv.QUOTE_NONE if kind == "tsv" else csv.QUOTE_MINIMAL
    lines = _Lines(_physical_lines(path, sniffed, enc, result.rejects, (names, delim, quoting)))
    next(lines.feed(), None)  # the header, read above
    lines.take_record()
    csv.field_size_limit(MAX_ROW_BYTES * 2)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([LINE_COLUMN, *names])
        while not lines.done:
            reader = csv.reader(lines.feed(), delimiter=delim, strict=True, quoting=quoting)
            try:
                for record in reader:
                    _write_record(writer, record, lines, len(names), result.rejects)
            except (csv.Error, _RecordTooLong) as exc:
                result.rejects.append(lines.reject_current(_reason(exc, lines.spans_lines)))
    result.rejects.sort()
    return result


class _RowWriter(Protocol):
    """What ``csv.writer`` returns (its class is private to ``_csv``)."""

    def writerow(self, row: Iterable[object], /) -> object: ...


def _write_record(
    writer: _RowWriter,
    record: list[str],
    lines: _Lines,
    n_columns: int,
    rejects: list[tuple[int, str, str, str]],
) -> None:
    if lines.spans_lines and (len(record) != n_columns or lines.continuations_are_rows(n_columns)):
        # A quote opened on the first line and closed by a stray quote lines later: the lines
        # between are rows of their own, read again.
        rejects.append(lines.reject_current(_UNTERMINATED))
        return
    start, raw = lines.take_record()
    if not record or record == [""] and n_columns > 1:
        return  # a blank line holds no row (DuckDB skips them too)
    if len(record) != n_columns:
        what = "missing columns" if len(record) < n_columns else "too many columns"
        rejects.append(
            (start, "", f"{what}: expected {n_columns} columns, found {len(record)}", raw)
        )
        return
    size = len(raw.encode("utf-8"))
    if size > MAX_ROW_BYTES:
        reason = (
            f"row of {size / 2**20:.1f} MiB is over the "
            f"{MAX_ROW_BYTES // 2**20} MiB limit of one row"
        )
        rejects.append((start, "", reason, raw[:200]))
        return
    writer.writerow([start, *record])  # CRs stay as CR_STAND_IN: DuckDB trips on a CR even quoted


_UNTERMINATED = (
    f"unterminated quote: a quoted value opened on this line does not close on it "
    f"(nor within {MAX_ROW_BYTES // 2**20} MiB as a value of this row)"
)


def _reason(exc: BaseException, spans_lines: bool) -> str:
    if isinstance(exc, _RecordTooLong) or "end of data" in str(exc) or spans_lines:
        return _UNTERMINATED
    return f"malformed quoting ({exc})"


class _RecordTooLong(Exception):
    """A record still open after MAX_ROW_BYTES: taken as an unterminated quote."""


def _split_lines(fh: io.BufferedIOBase, sep: bytes) -> Iterator[bytes]:
    """The lines of a binary stream split on ``sep`` (LF, or CR for old Mac files),
    read in chunks."""
    if sep == b"\n":
        yield from fh
        return
    rest = b""
    while chunk := fh.read(1 << 22):
        *whole, rest = (rest + chunk).split(sep)
        yield from whole
    if rest:
        yield rest


def _physical_lines(
    path: Path,
    sniffed: Sniffed,
    encoding: str,
    rejects: list[tuple[int, str, str, str]],
    shape: tuple[list[str], str, Literal[0, 1, 2, 3]] | None = None,
) -> Iterator[tuple[int, str]]:
    """(line number, text) per physical line, without its LF (the CR of a CRLF stays:
    see ``_Lines.feed``). A line not in the encoding is rejected naming its byte and, given the
    file's ``shape`` (column names, delimiter, quoting), the column the byte falls in."""
    with open_binary(path, sniffed.gzipped) as fh:
        if encoding.lower().replace("_", "-") in ("utf-16", "utf-16-le", "utf-16-be"):
            text = io.TextIOWrapper(fh, encoding=encoding, newline="\n")
            number = 0
            try:
                for number, line in enumerate(text, start=1):
                    yield number, line.removesuffix("\n").removeprefix("\ufeff")
            except UnicodeDecodeError as exc:
                raise DataError(
                    f"line {number + 1}: not valid {encoding.upper()} text ({exc.reason})"
                ) from None
            return
        for number, raw in enumerate(
            _split_lines(fh, b"\r" if sniffed.cr_only else b"\n"), start=1
        ):
            raw = raw.removesuffix(b"\n")
            if number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            try:
                yield number, raw.decode(encoding)
            except UnicodeDecodeError as exc:
                rejects.append(
                    (
                        number,
                        _field_at(raw[: exc.start].decode(encoding, errors="replace"), shape),
                        f"line {number}: {bad_byte(raw, exc, encoding)}",
                        raw.decode(encoding, errors="replace"),
                    )
                )


def _field_at(before: str, shape: tuple[list[str], str, Literal[0, 1, 2, 3]] | None) -> str:
    """The column a position of a line falls in, from the text before it ('' when unknown, or
    when a quoted value began on an earlier line)."""
    if shape is None:
        return ""
    names, delim, quoting = shape
    try:
        index = len(next(csv.reader([before], delimiter=delim, quoting=quoting), [""])) - 1
    except csv.Error:
        return ""
    return names[index] if 0 <= index < len(names) else ""


class _Lines:
    """The physical lines fed to ``csv.reader``, with the lines of the record being read kept so a
    malformed record can be rejected as its first line alone and the lines after it read again."""

    def __init__(self, source: Iterator[tuple[int, str]]) -> None:
        self._source = source
        self._replay: list[tuple[int, str]] = []
        self._current: list[tuple[int, str]] = []
        self._size = 0
        self.done = False

    def feed(self) -> Iterator[str]:
        while True:
            if self._replay:
                item = self._replay.pop()
            else:
                pulled = next(self._source, None)
                if pulled is None:
                    self.done = True
                    return
                item = pulled
            self._current.append(item)
            self._size += len(item[1])
            if self._size > MAX_ROW_BYTES and len(self._current) > 1:
                raise _RecordTooLong()
            text, end = item[1], "\n"
            if text.endswith("\r"):  # CRLF: a line end to the reader, kept inside a quoted value
                # A stray CR before it ("\r\r\n") is line-ending noise, not the last field's data:
                # kept, it would turn a timestamp or an id at the end of the row into a bad value.
                text, end = text.rstrip("\r"), "\r\n"
            yield (text.replace("\r", CR_STAND_IN) if "\r" in text else text) + end

    @property
    def spans_lines(self) -> bool:
        return len(self._current) > 1

    def continuations_are_rows(self, n_columns: int) -> bool:
        """Whether the lines a quote swallowed look like rows of their own: each one (but the last,
        which holds the closing quote) splits into the header's columns. A quoted value that really
        spans lines (a synopsis) has lines of prose; two stray quotes lines apart have rows
        between."""
        inner = [t for _, t in self._current[1:-1]]
        if not inner or n_columns < 2:
            return False
        return all(
            len(next(csv.reader([t.replace("\r", CR_STAND_IN)], strict=False), [])) == n_columns
            for t in inner
        )

    def take_record(self) -> tuple[int, str]:
        """The first line of the record just read, and its text; the next record starts afresh."""
        start = self._current[0][0] if self._current else 0
        raw = "\n".join(t for _, t in self._current).removesuffix("\r")
        self._current, self._size = [], 0
        return start, raw

    def reject_current(self, reason: str) -> tuple[int, str, str, str]:
        """Reject the first line of the record being read; its other lines are read again."""
        first, *rest = self._current or [(0, "")]
        self._replay.extend(reversed(rest))
        self._current, self._size = [], 0
        self.done = self.done and not self._replay
        return first[0], "", reason, first[1].removesuffix("\r")


def clean_lines(
    path: Path, sniffed: Sniffed, encoding: str | None, out: Path
) -> list[tuple[int, str, str, str]]:
    """Rewrite a JSON Lines file as UTF-8 with LF endings, line for line (so line numbers stay
    true).

    A CR left inside a line becomes a space: between JSON tokens that is what it was (white space),
    and inside a string a raw CR was not valid JSON. Lines not in the encoding are returned as
    written as a JSON string naming the bad byte: not an object, so the scan rejects that line.
    """
    rejects: list[tuple[int, str, str, str]] = []
    with open(out, "w", encoding="utf-8", newline="") as fh:
        for number, text in _physical_lines(
            path, sniffed, encoding or sniffed.text_encoding, rejects
        ):
            while rejects:
                fh.write(json.dumps(rejects.pop(0)[2], ensure_ascii=False) + "\n")
            fh.write(text.removesuffix("\r").replace("\r", " ") + "\n")
        fh.writelines(json.dumps(reject[2], ensure_ascii=False) + "\n" for reject in rejects)
    return []


def spool(path: Path, folder: Path) -> Path:
    """Copy a stream (named pipe, ``<(cmd)``, stdin) to a file once,
    so it can be read more than once."""
    folder.mkdir(parents=True, exist_ok=True)
    suffix = "".join(path.suffixes[-2:]) or ".stream"
    fd, name = _mkstemp(folder, suffix)
    with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
        while chunk := src.read(1 << 22):
            out.write(chunk)
    return Path(name)


def _mkstemp(folder: Path, suffix: str) -> tuple[int, str]:
    import tempfile

    return tempfile.mkstemp(prefix="stream-", suffix=suffix, dir=folder)
