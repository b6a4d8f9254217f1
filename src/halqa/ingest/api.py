"""``ingest_files``: validated, lossless, idempotent, streaming loads of user files."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Self, TypeAlias

import duckdb

from halqa.catalog import CONSENT_PURPOSES, taxonomy
from halqa.catalog.csvsafe import sql_safe
from halqa.catalog.store import Store
from halqa.errors import ConfigError, DataError
from halqa.ingest import load, references, sources, stage, suggest, targets
from halqa.ingest.plan import Context, Plan
from halqa.ingest.report import FileReport, IngestReport
from halqa.ingest.sources import Source, canonical_columns, open_source
from halqa.ingest.sql import lit

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress

TARGETS = ("titles", "creators", "members", "events")
DEFAULT_MEMORY_LIMIT = "1GB"
# Told (message, rows so far) as a run goes: a callable, or a rich progress bar it adds a task to.
Progress: TypeAlias = "Callable[[str, int], object] | RichProgress"


def ingest_files(
    store: Store,
    target: str,
    paths: Sequence[str | os.PathLike[str]],
    *,
    mapping: dict[str, str] | None = None,
    fmt: str | None = None,
    create_missing: bool = False,
    consent: frozenset[str] | set[str] = frozenset(),
    quarantine_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    add_terms: bool = False,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    encoding: str | None = None,
) -> IngestReport:
    """Validate and load ``paths`` (CSV/TSV/Parquet/JSON Lines, optionally gzipped) into ``target``.

    The format is read from the content (then ``fmt``, then the suffix); text is UTF-8 unless it
    starts with a UTF-16 byte-order mark or ``encoding`` says otherwise (``latin-1``, ``cp1252``).
    Streams (named pipes, ``<(cmd)``) are read once. Every file is one transaction. Good rows are
    stored, bad rows go to the ``quarantine`` table and to one quarantine CSV (in ``quarantine_dir``
    or next to the input); a file that cannot be read or lacks a required column raises
    ``DataError`` before anything is written.

    Example:
        >>> report = ingest_files(store, "events", ["plays.csv"], mapping={"ts": "played_at"})
        >>> report.accepted, report.rejected, report.duplicates
    """
    if target not in TARGETS:
        raise ConfigError(f"unknown target {target!r}: use one of {', '.join(TARGETS)}")
    if not paths:
        raise ConfigError("no input file given")
    sources: list[tuple[Source, dict[str, str]]] = []
    try:
        for p in paths:
            sources.append(_opened(store, Path(p), target, fmt, mapping, encoding))
    except BaseException:
        for source, _ in sources:  # copies of streams already made
            for temp in source.temp_files:
                temp.unlink(missing_ok=True)
        raise
    return ingest_sources(
        store,
        target,
        sources,
        create_missing=create_missing,
        consent=consent,
        quarantine_dir=quarantine_dir,
        progress=progress,
        add_terms=add_terms,
        memory_limit=memory_limit,
    )


def _opened(
    store: Store,
    path: Path,
    target: str,
    fmt: str | None,
    mapping: dict[str, str] | None,
    encoding: str | None,
) -> tuple[Source, dict[str, str]]:
    source = open_source(store.con, path, fmt, encoding=encoding)
    try:
        columns = canonical_columns(source, target, mapping)
        targets.plan(target, list(columns), Context((), ()))  # checks required columns now
    except DataError as exc:
        for temp in source.temp_files:
            temp.unlink(missing_ok=True)
        if str(exc).startswith(str(path)):
            raise
        if not source.columns:  # "(columns found: ; map one ...)" told an empty file nothing
            raise DataError(
                f"{path}: the file is empty (no header row naming the columns)"
            ) from None
        found = ", ".join(source.columns[:20]) + (" ..." if len(source.columns) > 20 else "")
        raise DataError(
            f"{path}: {exc} (columns found: {found}; map one with --map COLUMN=SOURCE_COLUMN)"
        ) from None
    return source, columns


def ingest_sources(
    store: Store,
    target: str,
    sources: list[tuple[Source, dict[str, str]]],
    *,
    create_missing: bool = False,
    consent: frozenset[str] | set[str] = frozenset(),
    quarantine_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    add_terms: bool = False,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
) -> IngestReport:
    """Load already opened sources (``ingest_files`` and the MovieLens importer use this)."""
    consent = frozenset(consent)
    unknown = consent - set(CONSENT_PURPOSES)
    if unknown:
        raise ConfigError(
            f"unknown consent {', '.join(sorted(unknown))}: use {', '.join(CONSENT_PURPOSES)}"
        )
    report = IngestReport(target)
    tell = _progress(progress)
    with _ingest_settings(store, memory_limit):
        store.run("UPDATE ingests SET status = 'interrupted' WHERE status = 'running'")
        suggest.register(store.con)  # the unknown-term checks' "did you mean"
        for source, columns in sources:
            if add_terms:
                _add_terms(store, target, source, columns)
            ctx = Context(
                tuple(sorted(store.genre_ids())),
                tuple(sorted(store.theme_ids())),
                create_missing,
                consent,
            )
            plan = targets.plan(target, list(columns), ctx)
            references.referential_checks(plan, ctx)
            tell(f"{target}: reading {source.path.name}", report.rows)
            with _QueryProgress(
                store,
                tell if progress is not None else None,
                f"{target}: {source.path.name}",
                report.rows,
            ):
                report.files.append(_ingest_one(store, plan, source, columns, ctx))
            tell(f"{target}: stored {source.path.name}", report.rows)
    report.quarantine = _write_quarantine(store, report, quarantine_dir)
    return report


def _ingest_one(
    store: Store, plan: Plan, source: Source, columns: dict[str, str], ctx: Context
) -> FileReport:
    try:
        return _ingest_file(store, plan, source, columns, ctx)
    finally:
        for temp in source.temp_files:
            temp.unlink(missing_ok=True)


def _ingest_file(
    store: Store, plan: Plan, source: Source, columns: dict[str, str], ctx: Context
) -> FileReport:
    started = time.perf_counter()
    ingest_id = store.next_ingest_id()
    # Committed before the work starts, so a run that dies stays visible as 'running'.
    store.run(
        "INSERT INTO ingests (ingest_id, target, file, started_at, status) VALUES "
        "(?, ?, ?, now()::TIMESTAMP, "
        "'running')",
        [ingest_id, plan.target, str(source.path)],
    )
    digest = _Checksum(source.file)
    rep = FileReport(
        str(source.path),
        ingest_id,
        source.fmt,
        columns=dict(columns),
        ignored_columns=[c for c in source.columns if c not in columns.values()],
    )
    try:
        try:
            _load_file(store, plan, source, columns, ctx, rep, digest)
        except (_NeedsRepair, duckdb.Error) as exc:
            if not source.repairable or not (isinstance(exc, _NeedsRepair) or _reader_tripped(exc)):
                raise
            # DuckDB's reader lost rows to a quote or a huge row, or gave up on the file: the
            # transaction was rolled back; read the file again through the repair pass.
            source.__dict__.update(sources.repaired(store.con, source).__dict__)
            _load_file(store, plan, source, columns, ctx, rep, digest)
    except Exception as exc:
        store.run(
            "UPDATE ingests SET status = 'failed', "
            "finished_at = now()::TIMESTAMP WHERE ingest_id = ?",
            [ingest_id],
        )
        if isinstance(
            exc, duckdb.Error
        ):  # e.g. a value DuckDB cannot read: name the file, no traceback
            raise DataError(f"{source.path}: {_first_line(exc)}") from exc
        raise
    for table in (stage.STAGE, stage.CYCLES, "_halqa_dup", "_halqa_last", "_halqa_shift"):
        store.run(f"DROP TABLE IF EXISTS temp.{table}")
    rep.seconds = round(time.perf_counter() - started, 3)
    return rep


def _load_file(
    store: Store,
    plan: Plan,
    source: Source,
    columns: dict[str, str],
    ctx: Context,
    rep: FileReport,
    digest: _Checksum,
) -> None:
    """The one transaction of a file: read, validate, quarantine, store, record."""
    ingest_id = rep.ingest_id
    with store.transaction():
        stage.clear_rejects(store)
        if plan.target == "events":
            had_events = bool(store.scalar("SELECT count(*) FROM (SELECT 1 FROM events LIMIT 1)"))
            rows, bad, inserted = load.insert_events(store, plan, source, columns, ingest_id)
            good = rows - bad
        else:
            stage.build_stage(store, plan, source, columns)
            good, bad = store.rows(
                f"SELECT count(*) FILTER (_err IS NULL), count(*) FILTER (_err IS NOT NULL) "
                f"FROM {stage.STAGE}"
            )[0]
        structural = stage.structural_rejects(store, source)
        records = good + bad + len(structural)
        if source.repairable and (
            any(reason.startswith(_ROWS_LOST) for _, _, reason, _ in structural)
            or digest.counted_more_lines_than(source.header_lines + records)
        ):
            # Rows may be lost, or a quoted value spans lines: the repair pass tells a real
            # multi-line value from rows swallowed between two stray quotes.
            raise _NeedsRepair()
        stage.quarantine_bad_rows(
            store,
            plan,
            source,
            columns,
            ingest_id,
            structural,
            bad,
            quoted_breaks=digest.more_lines_than(source.header_lines + records),
        )
        stage.forget_repeated_rejects(store, plan.target, str(source.path), ingest_id)
        rep.rows, rep.rejected = records, bad + len(structural)
        if ctx.create_missing:
            rep.created = load.create_missing(store, plan, ctx.consent, ingest_id)
        if plan.target == "events":
            rep.accepted = inserted - load.dedupe_events(store, ingest_id, had_events)
            rep.duplicates = good - rep.accepted
        else:
            rep.accepted, rep.updated, rep.duplicates = load.load_entities(store, plan, ingest_id)
        store.run(
            """UPDATE ingests SET finished_at = now()::TIMESTAMP, accepted = ?, rejected = ?, \
duplicates = ?,
                     created = ?, status = 'done', file_sha256 = ? WHERE ingest_id = ?""",
            [rep.accepted, rep.rejected, rep.duplicates, rep.created, digest.result(), ingest_id],
        )


# DuckDB reject types after which the rows that follow may be missing or misnumbered.
_ROWS_LOST = (
    "UNQUOTED VALUE",
    "LINE SIZE OVER MAXIMUM",
    "INVALID STATE",
    # not lost, but DuckDB's reason names no byte and its raw line has the byte replaced: the
    # repair pass names it ("byte 0xE8 at column 19 is not UTF-8 ...") and keeps the row's text
    "INVALID ENCODING",
    "INVALID UNICODE",
)
_READER_FAILURES = (
    "state machine",
    "sniffing file",
    "Maximum line size",
    "unterminated quote",
    "CSV Error on Line",
)


class _NeedsRepair(Exception):
    """Raised inside a file's transaction when DuckDB's CSV reader may have lost rows."""


def _reader_tripped(exc: BaseException) -> bool:
    return any(word in str(exc) for word in _READER_FAILURES)


def _add_terms(store: Store, target: str, source: Source, columns: dict[str, str]) -> None:
    """--add-terms: genres/themes the store does not know yet are added to its taxonomy."""
    from halqa.ingest import parsers
    from halqa.ingest.sql import ident

    for col, vocabulary in targets.term_columns(target).items():
        if col not in columns:
            continue
        value = (
            f"list_transform({parsers.string_list(ident(columns[col]))}, "
            f"lambda e: {parsers.term('e', taxonomy.GENRE_ALIASES)})"
        )
        known = store.genre_ids() if vocabulary == "genres" else store.theme_ids()
        found = store.rows(f"SELECT DISTINCT unnest({value}) FROM ({source.scan})")
        for (term,) in found:
            if term and term not in known:
                store.add_term(vocabulary, term)


def _write_quarantine(
    store: Store, report: IngestReport, directory: str | os.PathLike[str] | None
) -> Path | None:
    """One CSV with every rejected row of this run: file, line, field, reason, raw."""
    rejected = [f for f in report.files if f.rejected]
    if not rejected:
        return None
    first = Path(rejected[0].file)
    name = (
        f"{first.name}.rejected.csv"
        if len(rejected) == 1
        else f"{report.target}-{rejected[0].ingest_id}.rejected.csv"
    )
    candidates = [Path(directory)] if directory else [first.parent]
    if store.path != ":memory:":
        candidates.append(Path(store.path).resolve().parent / "quarantine")
    candidates.append(Path(tempfile.gettempdir()) / "halqa-quarantine")
    ids = ", ".join(str(f.ingest_id) for f in rejected)
    for folder in candidates:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if not os.access(folder, os.W_OK):
                continue
            path = folder / name
            safe = ", ".join(
                sql_safe(c) if c != "line" else c
                for c in ("file", "line", "field", "reason", "raw")
            )
            store.run(
                # spreadsheet-safe
                f"COPY (SELECT {safe} FROM quarantine WHERE ingest_id IN ({ids}) "
                f"ORDER BY ingest_id, line) TO {lit(str(path))} (HEADER, "
                "DELIMITER ',', FORCE_QUOTE *)"
            )
            return path
        except OSError:
            continue
    if directory:
        raise DataError(f"{directory}: cannot write the quarantine file there")
    return None


@contextmanager
def _ingest_settings(store: Store, memory_limit: str) -> Iterator[None]:
    """Bounded memory (DuckDB spills to its temp directory past the limit),
    no DuckDB progress bar."""
    names = (
        "memory_limit",
        "preserve_insertion_order",
        "enable_progress_bar",
        "enable_progress_bar_print",
        "temp_directory",
    )
    before = {n: store.scalar(f"SELECT current_setting('{n}')") for n in names}
    store.run(f"SET memory_limit = {lit(memory_limit)}")
    # Insertion order is not needed for the stage; dropping it lets DuckDB stream with less memory.
    store.run("SET preserve_insertion_order = false")
    # DuckDB tracks each query's progress (read by _QueryProgress) but prints nothing itself.
    store.run("SET enable_progress_bar = true")
    store.run("SET enable_progress_bar_print = false")
    if not before["temp_directory"]:
        store.run(f"SET temp_directory = {lit(str(Path(tempfile.gettempdir()) / 'halqa-spill'))}")
    try:
        yield
    finally:
        for n, v in before.items():
            # DuckDB refuses to move its temp directory once used; the others go back as they were.
            if n != "temp_directory" and v is not None and v != "":
                store.run(f"SET {n} = {lit(v)}")


def _progress(progress: Progress | None) -> Callable[[str, int], object]:
    """A callable(message, rows) from None, a callable, or a ``rich.progress.Progress``."""
    if progress is None:
        return lambda message, rows: None
    if callable(progress):
        return progress
    bar, task = progress, progress.add_task("ingest", total=None)
    return lambda message, rows: bar.update(task, description=message, completed=rows)


class _QueryProgress:
    """Reports the running query's percentage (DuckDB's ``query_progress``) every 0.25 s."""

    def __init__(
        self, store: Store, tell: Callable[[str, int], object] | None, label: str, rows: int
    ) -> None:
        self._store, self._tell, self._label, self._rows = store, tell, label, rows
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        if self._tell is not None:
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            try:
                pct = self._store.con.query_progress()
            except Exception:  # noqa: BLE001 - progress is cosmetic; never break an ingest for it
                return
            if pct >= 0 and self._tell is not None:
                self._tell(f"{self._label} {pct:.0f}%", self._rows)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class _Checksum:
    """SHA-256 of the input, computed in a thread while DuckDB works (hashlib releases the GIL),
    and, for an uncompressed file, its number of lines in the same pass."""

    def __init__(self, path: Path) -> None:
        self._value: str | None = None
        self._lines: int | None = None
        self._thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self._thread.start()

    def _run(self, path: Path) -> None:
        h = hashlib.sha256()
        lines, counting, last = 0, not path.name.endswith(".gz"), b"\n"
        try:
            with open(path, "rb") as fh:
                while chunk := fh.read(1 << 22):
                    h.update(chunk)
                    if counting:
                        lines += chunk.count(b"\n")
                        last = chunk[-1:]
            self._value = h.hexdigest()
            self._lines = lines + (last != b"\n") if counting else None
        except OSError:
            self._value = None

    def result(self) -> str | None:
        self._thread.join()
        return self._value

    def counted_more_lines_than(self, lines: int) -> bool:
        """Whether the file was counted and holds more lines than ``lines``
        (false when not counted)."""
        self._thread.join()
        return self._lines is not None and self._lines > lines

    def more_lines_than(self, lines: int) -> bool:
        """Whether the file may hold more lines than ``lines`` (always true when not counted)."""
        self._thread.join()
        return self._lines is None or self._lines > lines
