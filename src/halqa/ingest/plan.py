"""What a valid row of each target looks like, as SQL, built from the row contract.

Each field's rule (accepted values, aliases, bounds, the wording of a refusal) is in
``halqa.catalog.rules``; this module turns it into SQL.

``plan(target, columns, context)`` returns, for the columns a file has, the SQL
that parses each canonical column and the checks that reject a row (each check
names its field and builds a reason that quotes the bad value). ``stage.py``
puts them into one SELECT over the whole file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from halqa.catalog import CONSENT_PURPOSES, ENTITY_TABLES, taxonomy
from halqa.catalog import rules as contract
from halqa.errors import DataError
from halqa.ingest import parsers as p
from halqa.ingest.sql import ident, lit, str_list

MULTILINGUAL = {"name_": "names", "synopsis_": "synopses"}
LIST_COLUMNS = ("genres", "themes", "languages", "creator_ids", "available_regions")
# Kept for callers that used them here; the rule tables in halqa.catalog.rules own them.
KIND_ALIASES = contract.KIND_ALIASES
GENDER_ALIASES = contract.GENDER_ALIASES
RATING_ALIASES = contract.RATING_ALIASES
# The SQL parser of each rule kind (halqa.catalog.rules.Rule.kind).
_SQL_PARSERS: dict[str, Callable[..., str]] = {
    "text": p.text,
    "integer": p.integer,
    "number": p.number,
    "boolean": p.boolean,
    "date": p.date,
    "language": p.language,
    "region": p.region,
    "country": p.country,
    "age_band": p.age_band,
}


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
                tag = taxonomy.normalise_language(col[len(prefix) :])
                if tag is None:
                    raise DataError(
                        f"column {col!r}: '{col[len(prefix) :]}' is not a BCP-47 language tag "
                        f"(use e.g. {prefix}fr, {prefix}ar, {prefix}zgh, {prefix}ary_Latn)"
                    )
                out[target][tag] = col
    return out


def plan(target: str, columns: list[str], ctx: Context) -> Plan:
    """The checks of ``target`` for a source whose canonical columns are ``columns`` (VARCHAR)."""
    table = ENTITY_TABLES[target]
    result = Plan(target)
    has = set(columns)
    missing = [c for c in table.required if c not in has]
    if missing:
        raise DataError(
            f"missing required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(map(repr, missing))} for {target}"
        )
    builders: dict[str, Callable[[Plan, set[str], Context], None]] = {
        "titles": _titles,
        "creators": _creators,
        "members": _members,
        "events": _events,
    }
    builders[target](result, has, ctx)
    for name, sql in _multilingual(columns).items():
        if name in (c.name for c in table.columns):
            result.values[name] = sql
            result.present.append(name)
    return result


def _simple(
    pl: Plan,
    has: set[str],
    col: str,
    parse: Callable[[str], str],
    expected: str,
    *,
    required: bool = False,
) -> None:
    """A column parsed by ``parse``; a present value that does not parse is rejected."""
    if col not in has:
        return
    raw = ident(col)
    value = parse(raw)
    pl.values[col] = value
    pl.present.append(col)
    # The parsed value is tested first: a good row leaves each check after one NULL test.
    if required:
        pl.check(
            col,
            f"({value} IS NULL AND nullif(trim({raw}), '') IS NULL)",
            lit("required value missing"),
        )
    pl.check(
        col,
        f"({value} IS NULL AND nullif(trim({raw}), '') IS NOT NULL)",
        f"{shown(raw)} || {lit(' is not ' + expected)}",
    )


def _field(pl: Plan, has: set[str], rule: contract.Rule) -> None:
    """A column checked by its rule in the row contract (``halqa.catalog.rules``)."""
    col = rule.field
    if rule.kind == "id":
        _id(pl, has, rule)
    elif rule.kind == "timestamp":
        _timestamp(pl, has, rule)
    elif rule.kind == "enum":
        _simple(
            pl,
            has,
            col,
            lambda x: p.enum(x, rule.choices, dict(rule.aliases), fold=rule.fold),
            rule.expected,
            required=rule.required,
        )
    else:
        _simple(pl, has, col, _SQL_PARSERS[rule.kind], rule.expected, required=rule.required)
    if col not in has:
        return
    value, raw = pl.values[col], ident(col)
    if rule.kind == "integer" and rule.low is not None:
        pl.check(
            col,
            f"{value} NOT BETWEEN {rule.low:.0f} AND {rule.high:.0f}",
            f"{shown(raw)} || {lit(' is not ' + rule.expected)}",
        )
    if rule.kind == "number":
        pl.check(
            col,
            f"abs({value}) > {contract.VALUE_LIMIT}",
            f"{shown(raw)} || {lit(' is not ' + rule.expected)}",
        )
    if rule.kind == "text" and rule.max_length is not None:
        pl.check(
            col,
            f"length({value}) > {rule.max_length}",
            f"'text of ' || length({value}) || {lit(f' characters is longer than {rule.max_length}')}",
        )


def _timestamp(pl: Plan, has: set[str], rule: contract.Rule) -> None:
    """A timestamp column: numeric reading computed once, then parsed, then checked plausible."""
    col = rule.field
    if col not in has:
        return
    helper = "__n_" + col
    pl.pre[helper] = p.timestamp_number(ident(col))
    _simple(
        pl, has, col, lambda x: p.timestamp(x, ident(helper)), rule.expected, required=rule.required
    )
    value = pl.values[col]
    pl.check(
        col,
        f"({value} IS NOT NULL AND NOT {p.in_range(value)})",
        f"{shown(ident(col))} || {lit(' is not ' + contract.timestamp_expected())}",
    )


def _id(pl: Plan, has: set[str], rule: contract.Rule) -> None:
    """An id: kept exactly as written; blanks or control characters in it, or over 200 characters, refused."""
    col = rule.field
    if col not in has:
        return
    pl.values[col] = v = p.identifier(ident(col))
    pl.present.append(col)
    if rule.required:
        # Only values starting with a blank or control character (< '!') pay for the trim.
        pl.check(
            col, f"({v} IS NULL OR ({v} < '!' AND trim({v}) = ''))", lit("required value missing")
        )
    pl.check(
        col,
        f"({v} IS NOT NULL AND NOT regexp_full_match({v}, {lit(contract.ID_PATTERN)}))",
        f"{shown(v)} || {lit(' is not ' + rule.expected)}",
    )
    if rule.pseudonymous:
        low, high = contract.PHONE_DIGITS
        phone = (
            f"(regexp_full_match({v}, {lit(contract.PHONE_PATTERN)}) AND "
            f"length(regexp_replace({v}, '[^0-9]', '', 'g')) BETWEEN {low} AND {high})"
        )
        pl.check(
            col,
            f"({v} IS NOT NULL AND (contains({v}, '@') OR {phone}))",
            f"{shown(v)} || {lit(' looks like an e-mail address or a phone number; use a pseudonymous member id')}",
        )


def _fields(pl: Plan, has: set[str], table: Mapping[str, contract.Rule], *names: str) -> None:
    for name in names:
        _field(pl, has, table[name])


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
    pl.check(
        col,
        f"len({unknown}) > 0",
        f"{lit('unknown ' + noun + ' ')} || {shown(unknown + '[1]')} || "
        f"{lit(f' (see `halqa taxonomy list {col}`; add it with `halqa taxonomy add {col} ID` or --add-terms)')}",
    )


def _list_shape(pl: Plan, col: str, raw: str) -> None:
    pl.check(
        col,
        f"(nullif(trim({raw}), '') IS NOT NULL AND {p.string_list(raw)} IS NULL)",
        f"{shown(raw)} || {lit(' is not a list (use a|b|c or a JSON array)')}",
    )


def _list_of(pl: Plan, has: set[str], col: str, rule: contract.Rule) -> None:
    """A list whose every element must pass ``rule`` (languages, regions)."""
    if col not in has:
        return
    parse = _SQL_PARSERS[rule.kind]
    raw = ident(col)
    items = p.string_list(raw)
    value = f"list_transform({items}, lambda e: {parse('e')})"
    pl.values[col] = value
    pl.present.append(col)
    _list_shape(pl, col, raw)
    bad = f"list_filter({items}, lambda e: {parse('e')} IS NULL)"
    pl.check(col, f"len({bad}) > 0", f"{shown(bad + '[1]')} || {lit(' is not ' + rule.expected)}")


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
            entries = ", ".join(
                f"{{'key': {lit(tag)}, 'value': {p.text(ident(col))}}}"
                for tag, col in by_lang.items()
            )
            parts.append(
                f"map_from_entries(list_filter([{entries}], lambda e: e.value IS NOT NULL))"
            )
        if target in columns:
            parts.append(f"coalesce({p.string_map(ident(target))}, MAP {{}})")
        if parts:
            merged = parts[0] if len(parts) == 1 else f"map_concat({', '.join(parts)})"
            out[target] = f"(CASE WHEN cardinality({merged}) > 0 THEN {merged} END)"
    return out


def _titles(pl: Plan, has: set[str], ctx: Context) -> None:
    _fields(pl, has, contract.TITLES, "title_id", "kind", "parent_id", "name", "original_language")
    if "names" in has:
        raw = ident("names")
        pl.check(
            "names",
            f"(nullif(trim({raw}), '') IS NOT NULL AND {p.string_map(raw)} IS NULL)",
            f"{shown(raw)} || {lit(' is not a JSON object of language -> text')}",
        )
    _terms(pl, has, "genres", ctx.genres, "genre")
    _terms(pl, has, "themes", ctx.themes, "theme")
    _fields(
        pl, has, contract.TITLES, "release_date", "duration_s", "age_rating", "country", "region"
    )
    _id_list(pl, has, "creator_ids")
    _list_of(pl, has, "available_regions", contract.REGION)
    _field(pl, has, contract.TITLES["added_at"])
    if "parent_id" in has:
        pl.check(
            "parent_id",
            f"{pl.values['parent_id']} = {pl.values['title_id']}",
            lit(contract.SELF_PARENT),
        )
    pl.values["auto_created"] = "false"  # the title's own row: no longer a placeholder
    pl.present.append("auto_created")


def _creators(pl: Plan, has: set[str], ctx: Context) -> None:
    _fields(pl, has, contract.CREATORS, *contract.CREATORS)


def _members(pl: Plan, has: set[str], ctx: Context) -> None:
    _fields(
        pl, has, contract.MEMBERS, "member_id", "age_band", "gender", "country", "region", "city"
    )
    _list_of(pl, has, "languages", contract.LANGUAGE)
    _field(pl, has, contract.MEMBERS["occupation"])
    consent_cols = [f"consent_{c}" for c in CONSENT_PURPOSES]
    if any(c in has for c in consent_cols):
        _fields(pl, has, contract.MEMBERS, *consent_cols, "consent_at")
    else:
        # A source without consent fields: every member gets the consents the caller named.
        for purpose in CONSENT_PURPOSES:
            pl.values[f"consent_{purpose}"] = lit(purpose in ctx.consent)
            pl.present.append(f"consent_{purpose}")
        pl.values["consent_at"] = "now()::TIMESTAMP" if ctx.consent else "NULL::TIMESTAMP"
        pl.present.append("consent_at")
        pl.derived.append("consent_at")
    _field(pl, has, contract.MEMBERS["joined_at"])
    pl.values["auto_created"] = "false"
    pl.present.append("auto_created")


def _events(pl: Plan, has: set[str], ctx: Context) -> None:
    _fields(pl, has, contract.EVENTS, "member_id", "title_id", "event_type", "ts", "value")
    for col in (
        "device",
        "source",
    ):  # free context labels: stored as written (only absurd lengths refused)
        if col in has:
            pl.values[col] = p.identifier(ident(col))
            pl.present.append(col)
            rule = contract.EVENTS[col]
            pl.check(
                col,
                f"length({pl.values[col]}) > {rule.max_length}",
                f"'text of ' || length({pl.values[col]}) || {lit(f' characters is longer than {rule.max_length}')}",
            )


def referential_checks(pl: Plan, ctx: Context) -> None:
    """Ids that must already be in the store (unless ``create_missing``)."""
    if pl.target == "events" and not ctx.create_missing:
        for col, table in (("member_id", "members"), ("title_id", "titles")):
            v = pl.values[col]
            # The wording of contract.unknown_reference, which the API's writer uses too.
            pl.check(
                col,
                f"({v} IS NOT NULL AND {v} NOT IN (SELECT {col} FROM {table}))",
                f"{lit('unknown ' + col.removesuffix('_id') + ' ')} || {shown(v)} || "
                f"{lit(f' (ingest {table} first, or use --create-missing)')}",
            )
    if pl.target == "titles" and "parent_id" in pl.values:
        v = pl.values["parent_id"]
        pl.check(
            "parent_id",
            f"({v} IS NOT NULL AND {v} NOT IN (SELECT title_id FROM titles) "
            f"AND {v} NOT IN (SELECT trim(title_id) FROM _src WHERE title_id IS NOT NULL))",
            f"'unknown parent title ' || {shown(v)} || ' (not in the store nor in this file)'",
        )
        if "kind" in pl.values:
            _parent_kind_check(pl, v, pl.values["kind"])
        # The temp table of titles whose parents lead back to them (stage.find_parent_cycles).
        title = pl.values["title_id"]
        pl.check(
            "parent_id",
            f"({v} IS NOT NULL AND {title} IN (SELECT title_id FROM _halqa_cycles))",
            f"(SELECT any_value(reason) FROM _halqa_cycles c WHERE c.title_id = {title})",
        )
    if pl.target == "titles" and "creator_ids" in pl.values and not ctx.create_missing:
        ids = pl.values["creator_ids"]
        # A lambda cannot hold a subquery: the known ids are one list, computed once in the helper layer.
        pl.pre["__known_creators"] = "(SELECT coalesce(list(creator_id), []) FROM creators)"
        unknown = f'list_filter({ids}, lambda e: NOT list_contains("__known_creators", e))'
        pl.check(
            "creator_ids",
            f"len({unknown}) > 0",
            f"'unknown creator ' || {shown(unknown + '[1]')} || ' (ingest creators first, or use --create-missing)'",
        )


def _parent_kind_check(pl: Plan, parent: str, kind: str) -> None:
    """An episode hangs under a series or season, a season under a series, a track under an album."""
    file_kind = p.enum("s.kind", taxonomy.KINDS, KIND_ALIASES)
    parent_kind = (
        f"coalesce((SELECT t.kind FROM titles t WHERE t.title_id = {parent}), "
        f"(SELECT any_value({file_kind}) FROM _src s WHERE s.title_id = {parent}))"
    )
    allowed = " ".join(
        f"WHEN {lit(child)} THEN {parent_kind} IN ({', '.join(map(lit, parents))})"
        for child, parents in taxonomy.PARENT_KINDS.items()
    )
    rule = "; ".join(
        f"{child} -> {' or '.join(parents)}" for child, parents in taxonomy.PARENT_KINDS.items()
    )
    pl.check(
        "parent_id",
        f"({parent} IS NOT NULL AND {kind} IN ({', '.join(map(lit, taxonomy.PARENT_KINDS))}) "
        f"AND NOT coalesce(CASE {kind} {allowed} END, true))",
        f"'a ' || {kind} || ' cannot hang under ' || {shown(parent)} || ', a ' || {parent_kind} || "
        f"{lit(f' ({rule})')}",
    )


def term_columns(target: str) -> dict[str, str]:
    """Columns of ``target`` holding taxonomy terms -> vocabulary table."""
    return {"genres": "genres", "themes": "themes"} if target == "titles" else {}


_WORD = re.compile(r"^unknown (genre|theme) '(.*)' \(")


def unknown_term(reason: str) -> str | None:
    """The term quoted by an 'unknown genre/theme' reason (for the did-you-mean pass)."""
    m = _WORD.match(reason)
    return m.group(2) if m else None
