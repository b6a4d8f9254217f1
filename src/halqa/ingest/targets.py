"""What a valid row of each target (titles, creators, members, events) looks like: its plan.

``plan(target, columns, context)`` returns, for the columns a file has, the SQL that parses
each canonical column and the checks that reject a row.
"""

from __future__ import annotations

from collections.abc import Callable

from halqa.catalog import CONSENT_PURPOSES, ENTITY_TABLES
from halqa.catalog import rules as contract
from halqa.errors import DataError
from halqa.ingest import parsers as p
from halqa.ingest.columns import by_rule, by_rules, id_list, list_of, terms
from halqa.ingest.multilingual import multilingual_values
from halqa.ingest.plan import Context, Plan, shown
from halqa.ingest.sql import ident, lit


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
    for name, sql in multilingual_values(columns).items():
        if name in (c.name for c in table.columns):
            result.values[name] = sql
            result.present.append(name)
    return result


def _titles(pl: Plan, has: set[str], ctx: Context) -> None:
    by_rules(pl, has, contract.TITLES, "title_id", "kind", "parent_id", "name", "original_language")
    if "names" in has:
        raw = ident("names")
        pl.reject_when(
            "names",
            f"(nullif(trim({raw}), '') IS NOT NULL AND {p.string_map(raw)} IS NULL)",
            f"{shown(raw)} || {lit(' is not a JSON object of language -> text')}",
        )
    terms(pl, has, "genres", ctx.genres, "genre")
    terms(pl, has, "themes", ctx.themes, "theme")
    by_rules(
        pl, has, contract.TITLES, "release_date", "duration_s", "age_rating", "country", "region"
    )
    id_list(pl, has, "creator_ids")
    list_of(pl, has, "available_regions", contract.REGION)
    by_rule(pl, has, contract.TITLES["added_at"])
    if "parent_id" in has:
        pl.reject_when(
            "parent_id",
            f"{pl.values['parent_id']} = {pl.values['title_id']}",
            lit(contract.SELF_PARENT),
        )
    pl.values["auto_created"] = "false"  # the title's own row: no longer a placeholder
    pl.present.append("auto_created")


def _creators(pl: Plan, has: set[str], ctx: Context) -> None:
    by_rules(pl, has, contract.CREATORS, *contract.CREATORS)


def _members(pl: Plan, has: set[str], ctx: Context) -> None:
    by_rules(
        pl, has, contract.MEMBERS, "member_id", "age_band", "gender", "country", "region", "city"
    )
    list_of(pl, has, "languages", contract.LANGUAGE)
    by_rule(pl, has, contract.MEMBERS["occupation"])
    consent_cols = [f"consent_{c}" for c in CONSENT_PURPOSES]
    if any(c in has for c in consent_cols):
        by_rules(pl, has, contract.MEMBERS, *consent_cols, "consent_at")
    else:
        # A source without consent fields: every member gets the consents the caller named.
        for purpose in CONSENT_PURPOSES:
            pl.values[f"consent_{purpose}"] = lit(purpose in ctx.consent)
            pl.present.append(f"consent_{purpose}")
        pl.values["consent_at"] = "now()::TIMESTAMP" if ctx.consent else "NULL::TIMESTAMP"
        pl.present.append("consent_at")
        pl.derived.append("consent_at")
    by_rule(pl, has, contract.MEMBERS["joined_at"])
    pl.values["auto_created"] = "false"
    pl.present.append("auto_created")


def _events(pl: Plan, has: set[str], ctx: Context) -> None:
    by_rules(pl, has, contract.EVENTS, "member_id", "title_id", "event_type", "ts", "value")
    for col in (
        "device",
        "source",
    ):  # free context labels: stored as written (only absurd lengths refused)
        if col in has:
            pl.values[col] = p.identifier(ident(col))
            pl.present.append(col)
            rule = contract.EVENTS[col]
            pl.reject_when(
                col,
                f"length({pl.values[col]}) > {rule.max_length}",
                f"'text of ' || length({pl.values[col]}) || "
                f"{lit(f' characters is longer than {rule.max_length}')}",
            )


def term_columns(target: str) -> dict[str, str]:
    """Columns of ``target`` holding taxonomy terms -> vocabulary table."""
    return {"genres": "genres", "themes": "themes"} if target == "titles" else {}
