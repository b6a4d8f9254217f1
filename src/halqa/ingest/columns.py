"""One canonical column's parsing and checks, as SQL, from its rule in the row contract.

Each field's rule (accepted values, aliases, bounds, the wording of a refusal) is in
``halqa.catalog.rules``; these functions turn it into the parsed value and the checks of a
``Plan``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from halqa.catalog import rules as contract
from halqa.catalog import taxonomy
from halqa.ingest import parsers as p
from halqa.ingest.plan import Plan, shown
from halqa.ingest.sql import ident, lit, str_list
from halqa.ingest.suggest import did_you_mean

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


def simple(
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
        pl.reject_when(
            col,
            f"({value} IS NULL AND nullif(trim({raw}), '') IS NULL)",
            lit("required value missing"),
        )
    pl.reject_when(
        col,
        f"({value} IS NULL AND nullif(trim({raw}), '') IS NOT NULL)",
        f"{shown(raw)} || {lit(' is not ' + expected)}",
    )


def by_rule(pl: Plan, has: set[str], rule: contract.Rule) -> None:
    """A column checked by its rule in the row contract (``halqa.catalog.rules``)."""
    col = rule.field
    if rule.kind == "id":
        _id(pl, has, rule)
    elif rule.kind == "timestamp":
        _timestamp(pl, has, rule)
    elif rule.kind == "enum":
        simple(
            pl,
            has,
            col,
            lambda x: p.enum(x, rule.choices, dict(rule.aliases), fold=rule.fold),
            rule.expected,
            required=rule.required,
        )
    else:
        simple(pl, has, col, _SQL_PARSERS[rule.kind], rule.expected, required=rule.required)
    if col not in has:
        return
    value, raw = pl.values[col], ident(col)
    if rule.kind == "integer" and rule.low is not None:
        pl.reject_when(
            col,
            f"{value} NOT BETWEEN {rule.low:.0f} AND {rule.high:.0f}",
            f"{shown(raw)} || {lit(' is not ' + rule.expected)}",
        )
    if rule.kind == "number":
        pl.reject_when(
            col,
            f"abs({value}) > {contract.VALUE_LIMIT}",
            f"{shown(raw)} || {lit(' is not ' + rule.expected)}",
        )
    if rule.kind == "text" and rule.max_length is not None:
        pl.reject_when(
            col,
            f"length({value}) > {rule.max_length}",
            f"'text of ' || length({value}) || "
            f"{lit(f' characters is longer than {rule.max_length}')}",
        )


def _timestamp(pl: Plan, has: set[str], rule: contract.Rule) -> None:
    """A timestamp column: numeric reading computed once, then parsed, then checked plausible."""
    col = rule.field
    if col not in has:
        return
    helper = "__n_" + col
    pl.pre[helper] = p.timestamp_number(ident(col))
    simple(
        pl, has, col, lambda x: p.timestamp(x, ident(helper)), rule.expected, required=rule.required
    )
    value = pl.values[col]
    pl.reject_when(
        col,
        f"({value} IS NOT NULL AND NOT {p.in_range(value)})",
        f"{shown(ident(col))} || {lit(' is not ' + contract.timestamp_expected())}",
    )


def _id(pl: Plan, has: set[str], rule: contract.Rule) -> None:
    """An id: kept exactly as written; blanks or control characters in it, or over 200 characters,
    refused."""
    col = rule.field
    if col not in has:
        return
    pl.values[col] = v = p.identifier(ident(col))
    pl.present.append(col)
    if rule.required:
        # Only values starting with a blank or control character (< '!') pay for the trim.
        pl.reject_when(
            col, f"({v} IS NULL OR ({v} < '!' AND trim({v}) = ''))", lit("required value missing")
        )
    pl.reject_when(
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
        hint = lit(" looks like an e-mail address or a phone number; use a pseudonymous member id")
        pl.reject_when(
            col,
            f"({v} IS NOT NULL AND (contains({v}, '@') OR {phone}))",
            f"{shown(v)} || {hint}",
        )


def by_rules(pl: Plan, has: set[str], table: Mapping[str, contract.Rule], *names: str) -> None:
    for name in names:
        by_rule(pl, has, table[name])


def terms(pl: Plan, has: set[str], col: str, known: tuple[str, ...], noun: str) -> None:
    """A list of genre/theme ids checked against the store's vocabulary."""
    if col not in has:
        return
    raw = ident(col)
    value = f"list_transform({p.string_list(raw)}, lambda e: {p.term('e', taxonomy.GENRE_ALIASES)})"
    pl.values[col] = value
    pl.present.append(col)
    list_shape(pl, col, raw)
    unknown = f"list_filter({value}, lambda e: NOT list_contains({str_list(known)}, e))"
    hint = lit(
        f" (see `halqa taxonomy list {col}`; "
        f"add it with `halqa taxonomy add {col} ID` or --add-terms)"
    )
    pl.reject_when(
        col,
        f"len({unknown}) > 0",
        f"{lit('unknown ' + noun + ' ')} || {shown(unknown + '[1]')} || "
        f"{did_you_mean(unknown + '[1]', str_list(known))} || "
        f"{hint}",
    )


def list_shape(pl: Plan, col: str, raw: str) -> None:
    pl.reject_when(
        col,
        f"(nullif(trim({raw}), '') IS NOT NULL AND {p.string_list(raw)} IS NULL)",
        f"{shown(raw)} || {lit(' is not a list (use a|b|c or a JSON array)')}",
    )


def list_of(pl: Plan, has: set[str], col: str, rule: contract.Rule) -> None:
    """A list whose every element must pass ``rule`` (languages, regions)."""
    if col not in has:
        return
    parse = _SQL_PARSERS[rule.kind]
    raw = ident(col)
    items = p.string_list(raw)
    value = f"list_transform({items}, lambda e: {parse('e')})"
    pl.values[col] = value
    pl.present.append(col)
    list_shape(pl, col, raw)
    bad = f"list_filter({items}, lambda e: {parse('e')} IS NULL)"
    pl.reject_when(
        col, f"len({bad}) > 0", f"{shown(bad + '[1]')} || {lit(' is not ' + rule.expected)}"
    )


def id_list(pl: Plan, has: set[str], col: str) -> None:
    if col not in has:
        return
    raw = ident(col)
    pl.values[col] = p.string_list(raw)
    pl.present.append(col)
    list_shape(pl, col, raw)
