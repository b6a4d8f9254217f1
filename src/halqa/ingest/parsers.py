"""Vectorised parsers: each function returns a SQL expression that turns a VARCHAR
column into a typed, normalised value (NULL when it cannot).

They run inside DuckDB over whole files, never row by row in Python. The
validators in ``columns.py`` compare the parsed value with the raw text to decide
whether a row is rejected. ``parse_values`` runs any of them on Python values,
which is how the property tests exercise the very SQL the ingest uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import duckdb

from halqa.catalog import rules as contract
from halqa.catalog import taxonomy
from halqa.ingest.sql import case_map, lit

# Numbers at or above this are unix milliseconds (the rule is the row contract's:
# halqa.catalog.rules).
MS_THRESHOLD = contract.MS_THRESHOLD
MIN_YEAR = contract.EARLIEST.year
_BCP47_RE = r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$"


def text(x: str) -> str:
    """Free text kept byte-exact; only an all-blank value becomes NULL."""
    return f"(CASE WHEN trim({x}) = '' THEN NULL ELSE {x} END)"


def identifier(x: str) -> str:
    """Ids are opaque and kept exactly as written (an empty CSV field is already NULL)."""
    return f"nullif({x}, '')"


def integer(x: str) -> str:
    """Digits with an optional sign (the cast alone would also round 1.5 or read 0x10)."""
    t = f"trim({x})"
    return (
        f"(CASE WHEN regexp_full_match({t}, {lit(contract.INTEGER_PATTERN)}) "
        f"THEN try_cast({t} AS BIGINT) END)"
    )


def number(x: str) -> str:
    """A finite DOUBLE written as a decimal number (inf/nan, 1_000 or 0x10 are not)."""
    t = f"trim({x})"
    return (
        f"(CASE WHEN regexp_full_match({t}, {lit(contract.NUMBER_PATTERN)}) "
        f"THEN try_cast({t} AS DOUBLE) END)"
    )


def timestamp_number(x: str) -> str:
    """The numeric reading of a timestamp; computed once per row in a layer before ``timestamp``."""
    return number(x)


def timestamp(x: str, n: str | None = None) -> str:
    """Unix seconds or milliseconds, or ISO-8601 with or without zone, to a naive UTC TIMESTAMP.

    ``n`` names a column holding ``timestamp_number(x)`` (the ingest computes it once per row;
    without it the expression is inlined). A zone-less ISO value is taken as UTC. The year
    range is checked apart (``in_range``) so that the reason can say so.
    """
    n = n or timestamp_number(x)
    t = f"trim({x})"
    # Plain numbers, the common case in event exports, never reach the ISO branch (CASE is lazy).
    # Whole numbers convert exactly through BIGINT; a fraction goes through DECIMAL, because
    # a double would turn 4296844800.001 s into ...001001 us.
    scale = f"(CASE WHEN abs({n}) >= {MS_THRESHOLD} THEN 1000 ELSE 1000000 END)"
    micros = (
        f"(CASE WHEN {n} = trunc({n}) THEN CAST({n} AS BIGINT) * {scale} "
        f"ELSE CAST(round(try_cast({t} AS DECIMAL(24, 6)) * {scale}) AS BIGINT) END)"
    )
    numeric = f"(CASE WHEN isfinite({n}) AND abs({n}) < 1e15 THEN make_timestamp({micros}) END)"
    zoned = f"(try_cast({t} AS TIMESTAMPTZ) AT TIME ZONE 'UTC')"
    iso = (
        f"(CASE WHEN NOT regexp_full_match({t}, {lit(contract.ISO_PATTERN)}) THEN NULL "
        f"WHEN regexp_matches({t}, {lit(contract.ZONE_PATTERN)}) THEN {zoned} "
        f"ELSE try_cast({t} AS TIMESTAMP) END)"
    )
    return f"(CASE WHEN {n} IS NOT NULL THEN {numeric} ELSE {iso} END)"


def in_range(ts: str) -> str:
    """Whether a parsed timestamp is plausible: from 1900 to the horizon after now (plain
    comparisons: cheap per row; the horizon is fixed when the SQL is built, i.e. once per file)."""
    now = datetime.now(UTC).replace(tzinfo=None)  # the setting read afresh: once per file
    latest = contract.latest_timestamp(now).isoformat(sep=" ")
    return f"({ts} >= TIMESTAMP '{contract.EARLIEST:%Y-%m-%d}' AND {ts} <= TIMESTAMP '{latest}')"


def date(x: str) -> str:
    """ISO dates (and timestamps), 01-Jan-1995 (MovieLens), 31/12/1995 (French), or a bare year."""
    t = f"trim({x})"
    iso = (
        f"(CASE WHEN regexp_full_match({t}, {lit(contract.ISO_PATTERN)}) "
        f"THEN try_cast(left({t}, 10) AS DATE) END)"
    )
    return (
        f"coalesce({iso}, try_strptime({t}, ['%d-%b-%Y', '%d/%m/%Y'])::DATE, "
        f"CASE WHEN regexp_full_match({t}, '[0-9]{{4}}') "
        f"THEN make_date(CAST({t} AS INTEGER), 1, 1) END)"
    )


_TRUE, _FALSE = contract.TRUE_WORDS, contract.FALSE_WORDS


def boolean(x: str) -> str:
    t = f"lower(trim({x}))"
    return (
        f"(CASE WHEN {t} IN ({', '.join(map(lit, _TRUE))}) THEN true "
        f"WHEN {t} IN ({', '.join(map(lit, _FALSE))}) THEN false END)"
    )


def slug(x: str) -> str:
    """SQL twin of ``taxonomy.slug``: lower case, accents dropped, other runs to '-'."""
    return f"trim(regexp_replace(strip_accents(lower(trim({x}))), '[^\\pL\\pN_]+', '-', 'g'), '-')"


def string_list(x: str) -> str:
    """``a|b|c`` (CSV) or a JSON array (JSON Lines, Parquet) to VARCHAR[]; blanks dropped.

    A value that looks like a JSON array but is not valid JSON gives NULL (and is rejected).
    """
    t = f"trim({x})"
    as_json = (
        f"(CASE WHEN json_valid({t}) THEN try_cast(from_json({t}, "
        "'[\"VARCHAR\"]') AS VARCHAR[]) END)"
    )
    raw = f"(CASE WHEN starts_with({t}, '[') THEN {as_json} ELSE string_split({t}, '|') END)"
    return (
        f"list_filter(list_transform({raw}, lambda e: trim(e)), lambda e: "
        "e IS NOT NULL AND e <> '')"
    )


def string_map(x: str) -> str:
    """A JSON object ``{"fr": "...", "ar": "..."}`` to MAP(VARCHAR, VARCHAR)."""
    t = f"trim({x})"
    return (
        f"(CASE WHEN json_valid({t}) THEN try_cast(json_transform({t}, '\"MAP(VARCHAR, "
        "VARCHAR)\"') AS MAP(VARCHAR, VARCHAR)) END)"
    )


def term(x: str, aliases: dict[str, str]) -> str:
    """A genre or theme id: slug, then the alias table (gnaoua -> gnawa)."""
    return case_map(slug(x), {taxonomy.slug(k): v for k, v in aliases.items()}, slug(x))


def language(x: str) -> str:
    """SQL twin of ``taxonomy.normalise_language``: NULL unless a well-formed BCP-47 tag."""
    parts = f"string_split(replace(trim({x}), '_', '-'), '-')"
    fixed = (
        f"array_to_string(list_transform({parts}, lambda p, i: CASE WHEN i = 1 THEN lower(p) "
        f"WHEN length(p) = 4 THEN upper(p[1]) || lower(p[2:]) ELSE upper(p) END), '-')"
    )
    return f"(CASE WHEN regexp_full_match({fixed}, '{_BCP47_RE[1:-1]}') THEN {fixed} END)"


def region(x: str) -> str:
    """SQL twin of ``taxonomy.normalise_region``: id, code, French or Arabic name -> region id."""
    exact: dict[str, str] = {}
    by_slug: dict[str, str] = {}
    for r in taxonomy.REGIONS:
        exact[r.ar] = r.id
        exact[str(r.code)] = r.id
        by_slug[r.id] = r.id
        by_slug[taxonomy.slug(r.fr)] = r.id
    return case_map(f"trim({x})", exact, case_map(slug(x), by_slug, "NULL"))


_COUNTRY_NAMES = dict(contract.COUNTRY_NAMES)


def country(x: str) -> str:
    """ISO 3166-1 alpha-2 (upper-cased), or a few common names of countries halqa meets."""
    t = f"upper(trim({x}))"
    named = case_map(f"lower(trim({x}))", _COUNTRY_NAMES, "NULL")
    return f"(CASE WHEN regexp_full_match({t}, '[A-Z]{{2}}') THEN {t} ELSE {named} END)"


def enum(
    x: str,
    values: tuple[str, ...],
    aliases: Mapping[str, str] | None = None,
    *,
    fold: str = "lower",
) -> str:
    """A controlled value (kind, event type, role...): case folded, aliases applied, else NULL.

    One CASE over the folded text (valid values map to themselves), so the text is folded once.
    """
    table = {v: v for v in values} | dict(aliases or {})
    # Fast path: a value already written canonically is recognised without folding it.
    return case_map(x, {v: v for v in values}, case_map(f"{fold}(trim({x}))", table, "NULL"))


def age_band(x: str) -> str:
    """An age band as written, or an age in years bucketed like ``taxonomy.age_band``."""
    t = f"replace(trim({x}), ' ', '')"
    years = (
        f"(CASE WHEN regexp_full_match({t}, '[+-]?[0-9]{{1,9}}') THEN try_cast({t} AS INTEGER) END)"
    )
    bucket = (
        f"(CASE WHEN {years} < 0 OR {years} > 120 THEN NULL WHEN {years} < 18 THEN '<18' "
        f"WHEN {years} <= 24 THEN '18-24' WHEN {years} <= 34 THEN '25-34' "
        f"WHEN {years} <= 44 THEN '35-44' "
        f"WHEN {years} <= 54 THEN '45-54' ELSE '55+' END)"
    )
    bands = ", ".join(map(lit, taxonomy.AGE_BANDS))
    return f"(CASE WHEN {t} IN ({bands}) THEN {t} WHEN {years} IS NOT NULL THEN {bucket} END)"


def parse_values(
    con: duckdb.DuckDBPyConnection, parser: str, values: list[str | None], *args: object
) -> list[Any]:
    """Run one parser of this module over Python values (tests, debugging)."""
    func = globals()[parser]
    expr = func("v", *args)
    if (
        parser == "timestamp"
    ):  # as the ingest runs it: numeric reading in a first layer, range checked
        expr = (
            f"(SELECT CASE WHEN {in_range('ts')} THEN ts END FROM "
            f"(SELECT {func('v', 'n', *args)} AS ts))"
        )
    rows = con.execute(
        f"SELECT {expr} FROM (SELECT v, {timestamp_number('v')} AS n, i FROM "
        "(SELECT unnest(?::VARCHAR[]) AS v, generate_subscripts(?::VARCHAR[], 1) AS i)) "
        "ORDER BY i",
        [values, values],
    ).fetchall()
    return [r[0] for r in rows]
