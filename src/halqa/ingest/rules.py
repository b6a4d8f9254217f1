"""What a valid row of each target looks like, as SQL.

``plan(target, columns, context)`` returns, for the columns a file has, the SQL
that parses each canonical column and the checks that reject a row (each check
names its field and builds a reason that quotes the bad value). ``stage.py``
puts them into one SELECT over the whole file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from halqa.catalog import CONSENT_PURPOSES, ENTITY_TABLES, taxonomy
from halqa.errors import DataError
from halqa.ingest import parsers as p
from halqa.ingest.sql import ident, lit, str_list

MULTILINGUAL = {"name_": "names", "synopsis_": "synopses"}
LIST_COLUMNS = ("genres", "themes", "languages", "creator_ids", "available_regions")
KIND_ALIASES = {"movie": "film", "feature": "film", "show": "series", "tv-series": "series", "tv_series": "series",
                "serie": "series", "série": "series", "song": "track", "single": "track", "music-video": "clip",
                "video-clip": "clip", "ep": "album", "court-metrage": "short", "doc": "documentary"}
GENDER_ALIASES = {"FEMALE": "F", "FEMME": "F", "WOMAN": "F", "MALE": "M", "HOMME": "M", "MAN": "M",
                  "OTHER": "X", "NON-BINARY": "X", "AUTRE": "X"}
RATING_ALIASES = {"tp": "all", "tous publics": "all", "tous-publics": "all", "g": "all", "0+": "all",
                  "7": "7+", "-7": "7+", "12": "12+", "-12": "12+", "16": "16+", "-16": "16+", "18": "18+", "-18": "18+"}


@dataclass(frozen=True)
class Context:
    """What the checks need to know about the store and the caller's options."""

    genres: tuple[str, ...]
    themes: tuple[str, ...]
    create_missing: bool = False
    consent: frozenset[str] = frozenset()


@dataclass
class Plan:
    """Parsed value per canonical column, and the checks that reject a row.

    ``present`` lists the canonical columns the file sets: an upsert leaves the others as they are.
    """

    target: str
    values: dict[str, str] = field(default_factory=dict)
    checks: list[tuple[str, str, str]] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    # Columns the ingest fills itself (consent_at = now when --consent is given): not compared when
    # deciding whether a re-ingested row changed, and kept as stored when nothing else changed.
    derived: list[str] = field(default_factory=list)
    # Helper columns computed in a layer before the values (a timestamp's numeric reading).
    pre: dict[str, str] = field(default_factory=dict)

    def check(self, field_name: str, bad_sql: str, reason_sql: str) -> None:
        self.checks.append((field_name, bad_sql, reason_sql))


def shown(raw: str) -> str:
    """The raw value quoted in a reason (cut to 80 characters so a reason stays one line)."""
    return f"('''' || left(replace(replace({raw}, chr(10), ' '), chr(13), ' '), 80) || '''')"


def multilingual_columns(columns: list[str]) -> dict[str, dict[str, str]]:
    """``name_fr``, ``synopsis_ary_Latn`` -> {"names": {"fr": col}, "synopses": {"ary-Latn": col}}."""
    out: dict[str, dict[str, str]] = {"names": {}, "synopses": {}}
    for col in columns:
        for prefix, target in MULTILINGUAL.items():
            if col.startswith(prefix):
                tag = taxonomy.normalise_language(col[len(prefix):])
                if tag is None:
                    raise DataError(f"column {col!r}: '{col[len(prefix):]}' is not a BCP-47 language tag "
                                    f"(use e.g. {prefix}fr, {prefix}ar, {prefix}zgh, {prefix}ary_Latn)")
                out[target][tag] = col
    return out


def plan(target: str, columns: list[str], ctx: Context) -> Plan:
    """The checks of ``target`` for a source whose canonical columns are ``columns`` (VARCHAR)."""
    table = ENTITY_TABLES[target]
    result = Plan(target)
    has = set(columns)
    missing = [c for c in table.required if c not in has]
    if missing:
        raise DataError(f"missing required column{'s' if len(missing) > 1 else ''} "
                        f"{', '.join(map(repr, missing))} for {target}")
    builders: dict[str, Callable[[Plan, set[str], Context], None]] = {
        "titles": _titles, "creators": _creators, "members": _members, "events": _events}
    builders[target](result, has, ctx)
    for name, sql in _multilingual(columns).items():
        if name in (c.name for c in table.columns):
            result.values[name] = sql
            result.present.append(name)
    return result


def _simple(pl: Plan, has: set[str], col: str, parse: Callable[[str], str], expected: str,
            *, required: bool = False) -> None:
    """A column parsed by ``parse``; a present value that does not parse is rejected."""
    if col not in has:
        return
    raw = ident(col)
    value = parse(raw)
    pl.values[col] = value
    pl.present.append(col)
    # The parsed value is tested first: a good row leaves each check after one NULL test.
    if required:
        pl.check(col, f"({value} IS NULL AND nullif(trim({raw}), '') IS NULL)", lit("required value missing"))
    pl.check(col, f"({value} IS NULL AND nullif(trim({raw}), '') IS NOT NULL)",
             f"{shown(raw)} || {lit(' is not ' + expected)}")


def _timestamp(pl: Plan, has: set[str], col: str, *, required: bool = False) -> None:
    """A timestamp column: numeric reading computed once, then parsed, then range-checked."""
    if col not in has:
        return
    helper = "__n_" + col
    pl.pre[helper] = p.timestamp_number(ident(col))
    _simple(pl, has, col, lambda x: p.timestamp(x, ident(helper)),
            "a timestamp (unix seconds or milliseconds, or ISO-8601)", required=required)
    value = pl.values[col]
    pl.check(col, f"({value} IS NOT NULL AND NOT {p.in_range(value)})",
             f"{shown(ident(col))} || {lit(f' is outside the years {p.MIN_YEAR}-{p.MAX_YEAR}')}")


def _id(pl: Plan, has: set[str], col: str, *, required: bool = False) -> None:
    """An id: any non-blank text (blanks around it dropped)."""
    if col not in has:
        return
    pl.values[col] = p.identifier(ident(col))
    pl.present.append(col)
    if required:
        v = pl.values[col]
        # Only values starting with a blank or control character (< '!') pay for the trim.
        pl.check(col, f"({v} IS NULL OR ({v} < '!' AND trim({v}) = ''))", lit("required value missing"))


def _text(pl: Plan, has: set[str], col: str, *, required: bool = False) -> None:
    _simple(pl, has, col, p.text, "text", required=required)


def _enum(pl: Plan, has: set[str], col: str, values: tuple[str, ...], aliases: dict[str, str] | None = None,
          *, fold: str = "lower", required: bool = False) -> None:
    _simple(pl, has, col, lambda x: p.enum(x, values, aliases, fold=fold), "one of " + ", ".join(values),
            required=required)


def _terms(pl: Plan, has: set[str], col: str, known: tuple[str, ...], noun: str) -> None:
    """A list of genre/theme ids checked against the store's vocabulary."""
    if col not in has:
        return
    raw = ident(col)
    value = f"list_transform({p.string_list(raw)}, lambda e: {p.term('e', taxonomy.GENRE_ALIASES)})"
    pl.values[col] = value
    pl.present.append(col)
    _list_shape(pl, col, raw)
    unknown = f"list_filter({value}, lambda e: NOT list_contains({str_list(known)}, e))"
    pl.check(col, f"len({unknown}) > 0",
             f"{lit('unknown ' + noun + ' ')} || {shown(unknown + '[1]')} || "
             f"{lit(f' (see `halqa taxonomy list {col}`; add it with `halqa taxonomy add {col} ID` or --add-terms)')}")


def _list_shape(pl: Plan, col: str, raw: str) -> None:
    pl.check(col, f"(nullif(trim({raw}), '') IS NOT NULL AND {p.string_list(raw)} IS NULL)",
             f"{shown(raw)} || {lit(' is not a list (use a|b|c or a JSON array)')}")


def _list_of(pl: Plan, has: set[str], col: str, parse: Callable[[str], str], expected: str) -> None:
    """A list whose every element must parse (languages, regions)."""
    if col not in has:
        return
    raw = ident(col)
    items = p.string_list(raw)
    value = f"list_transform({items}, lambda e: {parse('e')})"
    pl.values[col] = value
    pl.present.append(col)
    _list_shape(pl, col, raw)
    bad = f"list_filter({items}, lambda e: {parse('e')} IS NULL)"
    pl.check(col, f"len({bad}) > 0", f"{shown(bad + '[1]')} || {lit(' is not ' + expected)}")


def _id_list(pl: Plan, has: set[str], col: str) -> None:
    if col not in has:
        return
    raw = ident(col)
    pl.values[col] = p.string_list(raw)
    pl.present.append(col)
    _list_shape(pl, col, raw)


def _multilingual(columns: list[str]) -> dict[str, str]:
    """MAP columns built from ``name_<lang>`` columns and/or a JSON-object ``names`` column."""
    out = {}
    for target, by_lang in multilingual_columns(columns).items():
        parts = []
        if by_lang:
            entries = ", ".join(f"{{'key': {lit(tag)}, 'value': {p.text(ident(col))}}}" for tag, col in by_lang.items())
            parts.append(f"map_from_entries(list_filter([{entries}], lambda e: e.value IS NOT NULL))")
        if target in columns:
            parts.append(f"coalesce({p.string_map(ident(target))}, MAP {{}})")
        if parts:
            merged = parts[0] if len(parts) == 1 else f"map_concat({', '.join(parts)})"
            out[target] = f"(CASE WHEN cardinality({merged}) > 0 THEN {merged} END)"
    return out


def _titles(pl: Plan, has: set[str], ctx: Context) -> None:
    _id(pl, has, "title_id", required=True)
    _enum(pl, has, "kind", taxonomy.KINDS, KIND_ALIASES, required=True)
    _id(pl, has, "parent_id")
    _text(pl, has, "name", required=True)
    _simple(pl, has, "original_language", p.language, "a BCP-47 language tag (ary, ar, fr, zgh, en...)")
    if "names" in has:
        raw = ident("names")
        pl.check("names", f"(nullif(trim({raw}), '') IS NOT NULL AND {p.string_map(raw)} IS NULL)",
                 f"{shown(raw)} || {lit(' is not a JSON object of language -> text')}")
    _terms(pl, has, "genres", ctx.genres, "genre")
    _terms(pl, has, "themes", ctx.themes, "theme")
    _simple(pl, has, "release_date", p.date, "a date (YYYY-MM-DD, DD/MM/YYYY, 01-Jan-1995 or a year)")
    _simple(pl, has, "duration_s", p.integer, "a whole number of seconds")
    if "duration_s" in has:
        pl.check("duration_s", f"{pl.values['duration_s']} NOT BETWEEN 0 AND 2147483647",
                 f"{shown(ident('duration_s'))} || ' is not a duration in seconds (0 to 2147483647)'")
    _enum(pl, has, "age_rating", taxonomy.AGE_RATINGS, RATING_ALIASES)
    _simple(pl, has, "country", p.country, "an ISO 3166-1 alpha-2 country code (MA, FR...)")
    _simple(pl, has, "region", p.region, "a Moroccan region (id, code 1-12, French or Arabic name)")
    _id_list(pl, has, "creator_ids")
    _list_of(pl, has, "available_regions", p.region, "a Moroccan region")
    _timestamp(pl, has, "added_at")
    pl.values["auto_created"] = "false"  # the title's own row: no longer a placeholder
    pl.present.append("auto_created")


def _creators(pl: Plan, has: set[str], ctx: Context) -> None:
    _id(pl, has, "creator_id", required=True)
    _text(pl, has, "name", required=True)
    _enum(pl, has, "role", taxonomy.ROLES)
    _simple(pl, has, "country", p.country, "an ISO 3166-1 alpha-2 country code (MA, FR...)")
    _simple(pl, has, "region", p.region, "a Moroccan region (id, code 1-12, French or Arabic name)")
    _simple(pl, has, "debut_year", p.integer, "a year")
    if "debut_year" in has:
        pl.check("debut_year", f"{pl.values['debut_year']} NOT BETWEEN 1800 AND 2200",
                 f"{shown(ident('debut_year'))} || ' is not a plausible year (1800-2200)'")


def _members(pl: Plan, has: set[str], ctx: Context) -> None:
    _id(pl, has, "member_id", required=True)
    _simple(pl, has, "age_band", p.age_band, "an age band (" + ", ".join(taxonomy.AGE_BANDS) + ") or an age")
    _enum(pl, has, "gender", taxonomy.GENDERS, GENDER_ALIASES, fold="upper")
    _simple(pl, has, "country", p.country, "an ISO 3166-1 alpha-2 country code (MA, FR...)")
    _simple(pl, has, "region", p.region, "a Moroccan region (id, code 1-12, French or Arabic name)")
    _text(pl, has, "city")
    _list_of(pl, has, "languages", p.language, "a BCP-47 language tag")
    _text(pl, has, "occupation")
    consent_cols = [f"consent_{c}" for c in CONSENT_PURPOSES]
    if any(c in has for c in consent_cols):
        for col in consent_cols:
            _simple(pl, has, col, p.boolean, "true or false")
        _timestamp(pl, has, "consent_at")
    else:
        # A source without consent fields: every member gets the consents the caller named.
        for purpose in CONSENT_PURPOSES:
            pl.values[f"consent_{purpose}"] = lit(purpose in ctx.consent)
            pl.present.append(f"consent_{purpose}")
        pl.values["consent_at"] = "now()::TIMESTAMP" if ctx.consent else "NULL::TIMESTAMP"
        pl.present.append("consent_at")
        pl.derived.append("consent_at")
    _timestamp(pl, has, "joined_at")
    pl.values["auto_created"] = "false"
    pl.present.append("auto_created")


def _events(pl: Plan, has: set[str], ctx: Context) -> None:
    _id(pl, has, "member_id", required=True)
    _id(pl, has, "title_id", required=True)
    _enum(pl, has, "event_type", taxonomy.EVENT_TYPES, taxonomy.EVENT_ALIASES, required=True)
    _timestamp(pl, has, "ts", required=True)
    _simple(pl, has, "value", p.number, "a number")
    for col in ("device", "source"):  # free context labels: stored as written, never rejected
        if col in has:
            pl.values[col] = p.identifier(ident(col))
            pl.present.append(col)


def referential_checks(pl: Plan, ctx: Context) -> None:
    """Ids that must already be in the store (unless ``create_missing``)."""
    if pl.target == "events" and not ctx.create_missing:
        for col, table in (("member_id", "members"), ("title_id", "titles")):
            v = pl.values[col]
            pl.check(col, f"({v} IS NOT NULL AND {v} NOT IN (SELECT {col} FROM {table}))",
                     f"{lit('unknown ' + col[:-3] + ' ')} || {shown(v)} || "
                     f"{lit(f' (ingest {table} first, or use --create-missing)')}")
    if pl.target == "titles" and "parent_id" in pl.values:
        v = pl.values["parent_id"]
        pl.check("parent_id", f"({v} IS NOT NULL AND {v} NOT IN (SELECT title_id FROM titles) "
                 f"AND {v} NOT IN (SELECT trim(title_id) FROM _src WHERE title_id IS NOT NULL))",
                 f"'unknown parent title ' || {shown(v)} || ' (not in the store nor in this file)'")
        if "kind" in pl.values:
            _parent_kind_check(pl, v, pl.values["kind"])
    if pl.target == "titles" and "creator_ids" in pl.values and not ctx.create_missing:
        ids = pl.values["creator_ids"]
        # A lambda cannot hold a subquery: the known ids are one list, computed once in the helper layer.
        pl.pre["__known_creators"] = "(SELECT coalesce(list(creator_id), []) FROM creators)"
        unknown = f"list_filter({ids}, lambda e: NOT list_contains(\"__known_creators\", e))"
        pl.check("creator_ids", f"len({unknown}) > 0",
                 f"'unknown creator ' || {shown(unknown + '[1]')} || ' (ingest creators first, or use --create-missing)'")


def _parent_kind_check(pl: Plan, parent: str, kind: str) -> None:
    """An episode hangs under a series or season, a season under a series, a track under an album."""
    file_kind = p.enum("s.kind", taxonomy.KINDS, KIND_ALIASES)
    parent_kind = (f"coalesce((SELECT t.kind FROM titles t WHERE t.title_id = {parent}), "
                   f"(SELECT any_value({file_kind}) FROM _src s WHERE s.title_id = {parent}))")
    allowed = " ".join(f"WHEN {lit(child)} THEN {parent_kind} IN ({', '.join(map(lit, parents))})"
                       for child, parents in taxonomy.PARENT_KINDS.items())
    rule = "; ".join(f"{child} -> {' or '.join(parents)}" for child, parents in taxonomy.PARENT_KINDS.items())
    pl.check("parent_id", f"({parent} IS NOT NULL AND {kind} IN ({', '.join(map(lit, taxonomy.PARENT_KINDS))}) "
                          f"AND NOT coalesce(CASE {kind} {allowed} END, true))",
             f"'a ' || {kind} || ' cannot hang under ' || {shown(parent)} || ', a ' || {parent_kind} || "
             f"{lit(f' ({rule})')}")


def term_columns(target: str) -> dict[str, str]:
    """Columns of ``target`` holding taxonomy terms -> vocabulary table."""
    return {"genres": "genres", "themes": "themes"} if target == "titles" else {}


_WORD = re.compile(r"^unknown (genre|theme) '(.*)' \(")


def unknown_term(reason: str) -> str | None:
    """The term quoted by an 'unknown genre/theme' reason (for the did-you-mean pass)."""
    m = _WORD.match(reason)
    return m.group(2) if m else None
