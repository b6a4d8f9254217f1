"""`halqa audience target|lookalike|export|lift|evaluate`: audience targeting commands.

Thin wrappers over ``halqa.audience``; heavy imports happen inside the commands. The old
top-level spellings (`halqa target`, `lookalike`, `audience-export`, `lift`,
`evaluate-targeting`) stay one release as hidden aliases that warn.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from halqa.cli.common import (
    DbOption,
    JsonOption,
    console,
    deprecated_alias,
    err_console,
    open_store,
    print_json,
    user_errors,
)
from halqa.errors import ConfigError

OutOption = Annotated[
    Path | None, typer.Option("--out", help="Write the full list to this .csv or .parquet file.")
]
SHOWN = 15


def attach(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Target titles, grow lookalikes, export consented audiences, measure campaign lift.",
        no_args_is_help=True,
    )
    commands: dict[str, Callable[..., None]] = {
        "target": target,
        "lookalike": lookalike,
        "export": audience_export,
        "lift": lift,
        "evaluate": evaluate_targeting,
    }
    for name, command in commands.items():
        group.command(name)(command)
    app.add_typer(group, name="audience")
    for old, new in OLD_SPELLINGS.items():
        deprecated_alias(app, old, f"audience {new}", commands[new])


# The top-level names of before the `audience` group -> the group's command (kept one release).
OLD_SPELLINGS = {
    "target": "target",
    "lookalike": "lookalike",
    "audience-export": "export",
    "lift": "lift",
    "evaluate-targeting": "evaluate",
}


@user_errors
def target(
    title: Annotated[
        Path | None,
        typer.Option(
            "--title",
            help="JSON metadata of a new title (name, kind, genres, "
            "language; themes, creator_ids, region, synopses...).",
        ),
    ] = None,
    title_id: Annotated[
        str | None, typer.Option("--title-id", help="A title already in the store.")
    ] = None,
    top: Annotated[int | None, typer.Option("--top", help="Keep the N best members.")] = None,
    min_score: Annotated[
        float | None, typer.Option("--min-score", help="Keep members scoring at least X (0-1).")
    ] = None,
    like: Annotated[
        str | None,
        typer.Option(
            "--like",
            help="Comparable titles in the store (comps), "
            "comma-separated ids: their audiences count as a signal.",
        ),
    ] = None,
    out: OutOption = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Rank every member with marketing consent by predicted affinity to a title, with reasons.

    The targeting models are fitted once per store state and saved beside the store
    (<db>.models/targeting.pkl); later calls on an unchanged store only score.
    """
    import time

    from halqa.audience.saved import fitted_targeter

    if (title is None) == (title_id is None):
        raise ConfigError("give exactly one of --title new_title.json or --title-id ID")
    comps = [t.strip() for t in like.split(",") if t.strip()] if like else None
    if like is not None and not comps:
        raise ConfigError("--like takes comma-separated title ids, e.g. --like 50,181")
    started = time.perf_counter()
    with open_store(db, read_only=True) as store:
        if title is not None:
            from halqa.audience import load_title  # its pydantic schema: only for a new title

            meta = load_title(title, genres=store.genre_ids(), themes=store.theme_ids())
        with err_console.status(
            "reading the store (the targeting models are fitted once per store state)..."
        ):
            targeter, fit = fitted_targeter(store, seed=seed)
        result = (
            targeter.target_existing(title_id, top=top, min_score=min_score, like=comps)
            if title_id is not None
            else targeter.target(meta, top=top, min_score=min_score, like=comps)
        )
    fit["seconds"] = round(time.perf_counter() - started, 2)
    if out:
        from halqa.audience import write_table  # pandas: only when a file is written

        write_table(result.table(), out)
    if as_json:
        print_json(
            {**result.to_dict(), **result.extra, "models": fit, "out": str(out) if out else None}
        )
        return
    console.print(
        f"[bold]{result.title}[/]: audience of {result.size:,} members "
        f"(out of {result.candidates:,} with marketing consent)"
        + (f", {result.already_reached:,} already reached" if result.already_reached else "")
    )
    _print_breakdown(result.breakdown)
    _print_members(
        result.head(SHOWN), ("member_id", "score", "reasons", "region", "age_band"), result.size
    )
    if out:
        console.print(f"wrote {out}")


@user_errors
def lookalike(
    seed_file: Annotated[
        Path, typer.Option("--seed", help="CSV or Parquet with a member_id column.")
    ],
    size: Annotated[int, typer.Option("--size", help="How many lookalike members to return.")],
    out: OutOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Grow a seed audience with the most similar marketing-consented members."""
    from halqa.audience import load_targeting_data, read_member_list, write_table
    from halqa.audience import lookalike as grow

    seed_ids = read_member_list(seed_file)["member_id"].tolist()
    with open_store(db, read_only=True) as store, err_console.status("finding lookalikes..."):
        result = grow(load_targeting_data(store), seed_ids, size)
    if out:
        write_table(result.audience, out)
    if as_json:
        print_json({**result.to_dict(), "out": str(out) if out else None})
        return
    r = result.report
    console.print(
        f"seed: {r['seed']['with_history']:,} of {r['seed']['given']:,} usable "
        f"(coverage {r['seed']['coverage']:.0%}), "
        f"mean similarity to its centre {r['seed']['mean_similarity']}"
    )
    console.print(
        f"expansion: {r['expansion']['size']:,} members, "
        f"mean similarity {r['expansion']['mean_similarity']} "
        f"(population {r['population_mean_similarity']}); overlap with seed: "
        f"{r['overlap']['members_in_seed']} members, profile overlap "
        + ", ".join(f"{k} {v}" for k, v in r["overlap"].items() if k != "members_in_seed")
    )
    _print_breakdown(r["breakdown"]["expansion"])
    _print_members(
        result.audience.to_dict(orient="records"), ("member_id", "similarity", "region", "age_band")
    )


@user_errors
def audience_export(
    audience: Annotated[
        Path,
        typer.Argument(
            help="Audience file from `halqa audience target --out` or `lookalike --out`."
        ),
    ],
    campaign: Annotated[str, typer.Option("--campaign", help="Name to record the campaign under.")],
    out: Annotated[
        Path, typer.Option("--out", help="File for the ad platform (.csv or .parquet).")
    ],
    holdout: Annotated[
        float, typer.Option("--holdout", help="Random share held back for measurement.")
    ] = 0.1,
    hash_salt: Annotated[
        str | None,
        typer.Option(
            "--hash-salt",
            help="Export sha256(salt:member_id), never raw ids.",
            envvar="HALQA_HASH_SALT",
        ),
    ] = None,
    title_id: Annotated[
        str | None,
        typer.Option("--title-id", help="Title the campaign promotes (for `halqa audience lift`)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the holdout draw.")] = 0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Export an audience for a campaign: marketing consent only, a recorded random holdout,
    optional hashing."""
    from halqa.audience import export_audience, read_member_list, write_table

    members = read_member_list(audience)
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise ConfigError(f"{out}: --out must end in .csv or .parquet")
    with open_store(db) as store:
        result = export_audience(
            store,
            members,
            campaign,
            holdout=holdout,
            hash_salt=hash_salt,
            seed=seed,
            title_id=title_id,
            source=str(audience),
        )
    write_table(result.exposed, out)
    if as_json:
        print_json({**result.to_dict(), "out": str(out)})
        return
    console.print(
        f"campaign [bold]{campaign}[/]: {result.n_exposed:,} exposed written to {out}"
        f"{' (salted hashes)' if result.hashed else ''}, {result.n_holdout:,} held back; "
        f"{result.dropped_no_consent:,} dropped without marketing consent, "
        f"{result.unknown:,} unknown ids"
    )
    if result.title_id:
        console.print(
            f"promotes title {result.title_id}: measure it with "
            f"`halqa audience lift --campaign {campaign}`"
        )
    else:
        err_console.print(
            "[yellow]no title recorded (the file has no title_id column): "
            "`halqa audience lift` will need "
            "--title-id[/]"
        )


@user_errors
def lift(
    campaign: Annotated[
        str, typer.Option("--campaign", help="Campaign recorded by `halqa audience export`.")
    ],
    title_id: Annotated[
        str | None, typer.Option("--title-id", help="Title counted as a conversion.")
    ] = None,
    detect: Annotated[
        float | None,
        typer.Option(
            "--detect",
            help="Absolute lift the next campaign should detect (default: the observed lift).",
        ),
    ] = None,
    power: Annotated[float, typer.Option("--power", help="Power of the planned test.")] = 0.8,
    confidence: Annotated[
        float, typer.Option("--confidence", help="Confidence level of intervals.")
    ] = 0.95,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Count events from this time (ISO; default: when the campaign was exported).",
        ),
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Count events before this time (ISO).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Conversion of exposed vs holdout, absolute and relative lift with CIs, and a sample-size
    plan."""
    from halqa.audience import measure

    start, end = _when(since, "--since"), _when(until, "--until")
    with open_store(db) as store:
        result = measure(
            store,
            campaign,
            title_id=title_id,
            detect=detect,
            power=power,
            confidence=confidence,
            seed=seed,
            start=start,
            end=end,
        )
    if as_json:
        print_json(result)
        return
    table = Table(title=f"campaign {campaign} -> {result['title_id']} (since {result['start']})")
    for col in ("group", "members", "converted", "conversion"):
        table.add_column(col, justify="right" if col != "group" else "left")
    for grp, g in result["groups"].items():
        table.add_row(grp, f"{g['members']:,}", f"{g['converted']:,}", f"{g['conversion']:.2%}")
    console.print(table)
    _print_accounting(result["accounting"])
    lf = result["lift"]
    lo, hi = lf["absolute_ci"]
    blo, bhi = lf["bootstrap_absolute_ci"]
    console.print(
        f"absolute lift {lf['absolute_lift']:+.2%} ({confidence:.0%} CI {lo:+.2%} to {hi:+.2%}; "
        f"bootstrap {blo:+.2%} to {bhi:+.2%})"
    )
    if lf["relative_lift"] is not None:
        rlo, rhi = lf["relative_ci"]
        console.print(f"relative lift {lf['relative_lift']:+.1%} (CI {rlo:+.1%} to {rhi:+.1%})")
    if result.get("note"):
        console.print(f"[yellow]{result['note']}[/]")
    plan = result["plan"]
    if plan:
        console.print(
            f"next campaign: {plan['members']:,} members ({plan['exposed']:,} exposed, "
            f"{plan['holdout']:,} holdout) to detect {plan['lift']:+.2%} over "
            f"{plan['base_rate']:.2%} at power {plan['power']}"
        )


@user_errors
def evaluate_targeting(
    seed: Annotated[int, typer.Option(help="Seed of the title split.")] = 0,
    min_events: Annotated[
        int, typer.Option("--min-events", help="Titles need this many members to be hidden.")
    ] = 5,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Hide 10% of titles, target each from metadata only, score against who really watched."""
    from halqa.audience.evaluation import evaluate_store

    with (
        open_store(db, read_only=True) as store,
        err_console.status("evaluating targeting...") as status,
    ):
        result = evaluate_store(
            store,
            seed=seed,
            min_events=min_events,
            on_step=lambda s: status.update(f"tuning {s}"),
        )
    if as_json:
        print_json(result)
        return
    table = Table(
        title=f"targeting of {result['test_titles']} hidden titles ({result['members']:,} members, "
        f"seed {seed})"
    )
    for col in ("method", "ROC-AUC", "Recall@100", "Precision@50"):
        table.add_column(col, justify="left" if col == "method" else "right")
    for m in result["methods"]:
        table.add_row(
            m["method"], f"{m['roc_auc']:.4f}", f"{m['recall@100']:.4f}", f"{m['precision@50']:.4f}"
        )
    console.print(table)


def _when(value: str | None, option: str):
    from datetime import datetime

    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            f"{option} '{value}' is not an ISO date or time (e.g. 2026-03-01 or 2026-03-01T20:00)"
        ) from None


def _print_accounting(acc: dict) -> None:
    for grp in ("exposed", "holdout"):
        g = acc[grp]
        gone = (
            f", {g['no_longer_in_store']:,} no longer in the store"
            if g["no_longer_in_store"]
            else ""
        )
        console.print(
            f"  {grp}: {g['exported']:,} exported, {g['measured']:,} measured "
            f"({g['without_analytics_consent']:,} without analytics consent{gone})"
        )
    console.print(
        f"  ({acc['dropped_at_export_without_marketing_consent']:,} were dropped at export without "
        f"marketing consent; the holdout was a random {acc['holdout_share']:.0%}; "
        f"{acc['explanation']})"
    )


def _print_breakdown(bd: dict) -> None:
    for field in ("age_band", "region", "language"):
        counts = bd.get(field) or {}
        if counts:
            shown = ", ".join(
                f"{k} {v:,}" if v is not None else f"{k} <{bd['k']}"
                for k, v in list(counts.items())[:8]
            )
            console.print(f"  [bold]{field}[/]: {shown}")


def _print_members(
    rows: list[dict[str, Any]], columns: tuple[str, ...], total: int | None = None
) -> None:
    total = len(rows) if total is None else total
    table = Table(title=f"top {min(SHOWN, len(rows))} of {total:,}")
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows[:SHOWN]:
        table.add_row(
            *(f"{row[c]:.3f}" if isinstance(row[c], float) else str(row[c]) for c in columns)
        )
    console.print(table)
