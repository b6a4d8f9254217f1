"""Checks against what the store already holds: ids that must exist, parents of the right kind.

They run in the same SELECT as the row checks (``stage.py``), after ``targets.plan``: an event's
member and title must be stored (unless ``--create-missing``), a title's parent must be stored
or in the same file, of a kind it can hang under, and not lead back to the title.
"""

from __future__ import annotations

from halqa.catalog import rules as contract
from halqa.catalog import taxonomy
from halqa.ingest import parsers as p
from halqa.ingest.plan import Context, Plan, shown
from halqa.ingest.sql import lit


def referential_checks(pl: Plan, ctx: Context) -> None:
    """Ids that must already be in the store (unless ``create_missing``)."""
    if pl.target == "events" and not ctx.create_missing:
        for col, table in (("member_id", "members"), ("title_id", "titles")):
            v = pl.values[col]
            # The wording of contract.unknown_reference, which the API's writer uses too.
            pl.reject_when(
                col,
                f"({v} IS NOT NULL AND {v} NOT IN (SELECT {col} FROM {table}))",
                f"{lit('unknown ' + col.removesuffix('_id') + ' ')} || {shown(v)} || "
                f"{lit(f' (ingest {table} first, or use --create-missing)')}",
            )
    if pl.target == "titles" and "parent_id" in pl.values:
        v = pl.values["parent_id"]
        pl.reject_when(
            "parent_id",
            f"({v} IS NOT NULL AND {v} NOT IN (SELECT title_id FROM titles) "
            f"AND {v} NOT IN (SELECT trim(title_id) FROM _src WHERE title_id IS NOT NULL))",
            f"'unknown parent title ' || {shown(v)} || ' (not in the store nor in this file)'",
        )
        if "kind" in pl.values:
            _parent_kind_check(pl, v, pl.values["kind"])
        # The temp table of titles whose parents lead back to them (stage.find_parent_cycles).
        title = pl.values["title_id"]
        pl.reject_when(
            "parent_id",
            f"({v} IS NOT NULL AND {title} IN (SELECT title_id FROM _halqa_cycles))",
            f"(SELECT any_value(reason) FROM _halqa_cycles c WHERE c.title_id = {title})",
        )
    if pl.target == "titles" and "creator_ids" in pl.values and not ctx.create_missing:
        ids = pl.values["creator_ids"]
        # A lambda cannot hold a subquery: the known ids are one list, computed once in the helper
        # layer.
        pl.pre["__known_creators"] = "(SELECT coalesce(list(creator_id), []) FROM creators)"
        unknown = f'list_filter({ids}, lambda e: NOT list_contains("__known_creators", e))'
        pl.reject_when(
            "creator_ids",
            f"len({unknown}) > 0",
            f"'unknown creator ' || {shown(unknown + '[1]')} || ' (ingest creators first, "
            "or use --create-missing)'",
        )


def _parent_kind_check(pl: Plan, parent: str, kind: str) -> None:
    """An episode hangs under a series or season, a season under a series,
    a track under an album."""
    file_kind = p.enum("s.kind", taxonomy.KINDS, contract.KIND_ALIASES)
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
    pl.reject_when(
        "parent_id",
        f"({parent} IS NOT NULL AND {kind} IN ({', '.join(map(lit, taxonomy.PARENT_KINDS))}) "
        f"AND NOT coalesce(CASE {kind} {allowed} END, true))",
        f"'a ' || {kind} || ' cannot hang under ' || {shown(parent)} || ', a ' || {parent_kind} || "
        f"{lit(f' ({rule})')}",
    )
