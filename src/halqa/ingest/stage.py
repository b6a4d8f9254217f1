"""From a source scan to a validated stage table, and the rejected rows to quarantine.

``validated_sql`` is one SELECT over the whole file: every column parsed and
every check evaluated in vectorised SQL, the first failing check of a row
written to ``_err`` (NULL for a good row). Events stream from it straight into
the store (see ``load.py``); entity files, which are small, are staged in a
temp table first. Line numbers are computed only for bad rows, in a second
numbered scan that runs only when the file has bad rows (numbering every row
would double the cost of the common case).
"""

from __future__ import annotations

from halqa.catalog import rules as contract
from halqa.catalog.store import Store
from halqa.ingest.plan import Plan
from halqa.ingest.sources import REJECTS_SCAN, REJECTS_TABLE, Source
from halqa.ingest.sql import ERR_SEP, ident, lit

STAGE = "_halqa_stage"


def _src_sql(
    source: Source, columns: dict[str, str], *, numbered: bool, breaks: bool = False
) -> str:
    """The source renamed to canonical columns (plus ``_row``, ``_raw``, ``_line_error`` and
    ``_nl_before`` as needed)."""
    parts = [f"{ident(src)} AS {ident(canon)}" for canon, src in columns.items()]
    if numbered:
        parts.insert(0, "_row")
        if breaks:
            parts.append("_nl_before")
        if source.fmt == "jsonl":
            parts.append("_raw")
        else:
            pairs = ", ".join(f"{lit(c)}, {ident(c)}" for c in source.columns)
            parts.append(f"json_object({pairs})::VARCHAR AS _raw")
    if source.fmt == "jsonl":
        parts.append("_line_error")
    scan = source.breaks_scan if breaks else source.numbered_scan if numbered else source.scan
    return f"SELECT {', '.join(parts)} FROM ({scan})"


def _error_case(plan: Plan, source: Source, aliases: dict[str, str]) -> str:
    whens = []
    if source.fmt == "jsonl":
        whens.append(f"WHEN _line_error IS NOT NULL THEN {lit('_line' + ERR_SEP)} || _line_error")
    for field, bad, reason in plan.checks:
        for expr, alias in aliases.items():
            bad = bad.replace(expr, alias)
            reason = reason.replace(expr, alias)
        whens.append(f"WHEN {bad} THEN {lit(field + ERR_SEP)} || {reason}")
    return f"CASE {' '.join(whens)} END" if whens else "NULL::VARCHAR"


def validated_sql(
    plan: Plan, source: Source, columns: dict[str, str], *, numbered: bool, breaks: bool = False
) -> str:
    """SELECT of the parsed canonical columns and ``_err`` (+ ``_row``, ``_raw`` when numbered, and
    ``_nl_before`` with ``breaks``)."""
    # Each parsed value is computed once, in an inner SELECT, and the checks refer to it by alias.
    # Constants (a consent given by the caller) contain no column reference and stay inline.
    computed = {col: expr for col, expr in plan.values.items() if '"' in expr}
    aliases = {
        expr: ident("__v_" + col)
        for col, expr in sorted(computed.items(), key=lambda kv: -len(kv[1]))
    }
    inner = ", ".join(f"{expr} AS {alias}" for expr, alias in aliases.items())
    outer = [
        f"{ident('__v_' + col) if col in computed else expr} AS {ident(col)}"
        for col, expr in plan.values.items()
    ]
    outer.append(f"{_error_case(plan, source, aliases)} AS _err")
    if numbered:
        outer[:0] = ["_row"]
        outer.append("_raw")
        if breaks:
            outer.append("_nl_before")
    pre = "".join(f", {expr} AS {ident(name)}" for name, expr in plan.pre.items())
    return (
        f"WITH _src AS ({_src_sql(source, columns, numbered=numbered, breaks=breaks)}) "
        f"SELECT {', '.join(outer)} FROM (SELECT *, {inner} FROM (SELECT *{pre} FROM _src))"
    )


def clear_rejects(store: Store) -> None:
    """DuckDB appends to the rejects tables scan after scan; each file starts from empty ones."""
    for table in (REJECTS_TABLE, REJECTS_SCAN):
        store.run(f"DROP TABLE IF EXISTS temp.{table}")


CYCLES = "_halqa_cycles"


def find_parent_cycles(store: Store, source: Source, columns: dict[str, str]) -> None:
    """The temp table of the file's titles whose parents, in the store and the file, lead back to
    them.

    Built before the stage, so the rule that refuses them (``references.referential_checks``) is one
    more SQL check, seen alike by the stage and by the numbered pass that quarantines bad rows.
    """
    store.run(f"DROP TABLE IF EXISTS temp.{CYCLES}")
    incoming = (
        f"SELECT DISTINCT nullif(title_id, '') AS title_id, nullif(parent_id, '') AS parent_id "
        f"FROM ({_src_sql(source, columns, numbered=False)})"
    )
    edges = (
        "SELECT title_id, parent_id FROM titles WHERE parent_id IS NOT NULL AND title_id NOT IN "
        "(SELECT title_id FROM _incoming WHERE title_id IS NOT NULL) "
        "UNION ALL SELECT title_id, parent_id FROM _incoming"
    )
    cycles = contract.parent_cycles_sql(
        edges, "SELECT title_id FROM _incoming", f"_incoming AS ({incoming}), "
    )
    store.run(f"CREATE TEMP TABLE {CYCLES} AS {cycles}")


def build_stage(store: Store, plan: Plan, source: Source, columns: dict[str, str]) -> None:
    """Create the temp stage table of an entity file (with row numbers:
    the last occurrence of a key wins)."""
    if "parent_id" in plan.values:
        find_parent_cycles(store, source, columns)
    store.run(f"DROP TABLE IF EXISTS temp.{STAGE}")
    store.run(f"CREATE TEMP TABLE {STAGE} AS {validated_sql(plan, source, columns, numbered=True)}")


def structural_rejects(store: Store, source: Source) -> list[tuple[int, str, str, str]]:
    """Rows DuckDB's reader could not split into columns: (line, field, reason, raw line), one per
    line.

    Read right after the file's main scan (the numbered pass of bad rows would record them again).
    """
    if source.repair_rejects is not None:
        return source.repair_rejects
    if not source.structural_rejects:
        return []
    exists = store.scalar(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND temporary", [REJECTS_TABLE]
    )
    if not exists:
        return []
    return store.rows(f"""SELECT DISTINCT ON (line) line, coalesce(column_name, ''),
        error_type || ': ' || split_part(error_message, chr(10), 1), csv_line
        FROM {REJECTS_TABLE} ORDER BY line, column_idx""")


def quarantine_bad_rows(
    store: Store,
    plan: Plan,
    source: Source,
    columns: dict[str, str],
    ingest_id: int,
    structural: list[tuple[int, str, str, str]],
    n_bad: int,
    *,
    quoted_breaks: bool = True,
) -> None:
    """Write every rejected row of the file to the ``quarantine`` table with its line and reason.

    ``quoted_breaks=False`` (the caller counted as many lines as rows) skips counting line breaks
    inside quoted values, a pass over every value that only such files need."""
    file = str(source.path)
    if structural:
        store.con.executemany(
            "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (ingest_id, plan.target, file, line, fld or None, reason, raw)
                for line, fld, reason, raw in structural
            ],
        )
    if n_bad:
        _quarantine_rows(store, plan, source, columns, ingest_id, structural, quoted_breaks)


def forget_repeated_rejects(store: Store, target: str, file: str, ingest_id: int) -> None:
    """Re-running a file must not quarantine its bad rows again (idempotent, like the rest of
    ingest): an older row of the same file, line, field, reason and text gives way to this run's."""
    store.run(
        """DELETE FROM quarantine q WHERE q.ingest_id <> ? AND q.target = ? AND q.file = ? \
AND EXISTS (
        SELECT 1 FROM quarantine n WHERE n.ingest_id = ? AND n.target = q.target AND n.file = q.file
        AND n.line IS NOT DISTINCT FROM q.line AND n.field IS NOT DISTINCT FROM q.field
        AND n.reason IS NOT DISTINCT FROM q.reason AND n.raw IS NOT DISTINCT FROM q.raw)""",
        [ingest_id, target, file, ingest_id],
    )


def _quarantine_rows(
    store: Store,
    plan: Plan,
    source: Source,
    columns: dict[str, str],
    ingest_id: int,
    structural: list[tuple[int, str, str, str]],
    quoted_breaks: bool,
) -> None:
    """The rows that failed a check, numbered by their line in the file."""
    file = str(source.path)
    # Row r of the scan sits after the header and after every structurally rejected line before it.
    shifts = [] if source.exact_lines else _shift_table(structural, source.header_lines)
    store.run("DROP TABLE IF EXISTS temp._halqa_shift")
    store.run("CREATE TEMP TABLE _halqa_shift (t BIGINT)")
    if shifts:
        store.con.executemany("INSERT INTO _halqa_shift VALUES (?)", [(t,) for t in shifts])
    store.run("SET preserve_insertion_order = true")  # row_number() OVER () must follow the file
    breaks = quoted_breaks and source.breaks_scan is not None
    # An entity file's stage already holds every row's number, text and verdict: no second scan.
    staged = plan.target != "events" and not breaks
    bad = (
        f"SELECT * FROM {STAGE}"
        if staged
        else validated_sql(plan, source, columns, numbered=True, breaks=breaks)
    )
    store.run(
        f"""INSERT INTO quarantine
        SELECT ?, ?, ?, _row + {source.header_lines} + (SELECT count(*) FROM _halqa_shift \
WHERE t <= _row)
                        {"+ _nl_before" if breaks else ""},
               split_part(_err, {lit(ERR_SEP)}, 1), split_part(_err, {lit(ERR_SEP)}, 2), _raw
        FROM ({bad}) WHERE _err IS NOT NULL""",
        [ingest_id, plan.target, file],
    )
    store.run("SET preserve_insertion_order = false")


def _shift_table(structural: list[tuple[int, str, str, str]], header_lines: int) -> list[int]:
    """For the k-th (1-based) rejected line s_k, data rows from t_k = s_k - header - k + 1 on sit
    one line lower."""
    lines = sorted({s[0] for s in structural if s[0] is not None})
    return [s - header_lines - k + 1 for k, s in enumerate(lines, start=1)]
