"""`halqa insights trends|brief|over-index|talent|fans|engagement|sql`: audience insights from the
command line. `halqa trends`, `halqa brief`, `halqa insights lift` and `--k` are the deprecated
spellings of `insights trends`, `insights brief`, `insights over-index` and `--min-group`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from halqa.cli.common import (
    DbOption,
    JsonOption,
    console,
    deprecated_alias,
    err_console,
    print_json,
    user_errors,
)
from halqa.cli.spark import EngineOption, LakeOption, SparkMasterOption, open_source

SegmentOption = Annotated[
    list[str] | None,
    typer.Option(
        "--segment",
        "-s",
        help=(
            "key=value, repeatable: age_band, gender, region, country, city, occupation, language."
        ),
    ),
]
WindowOption = Annotated[str, typer.Option("--window", help="Window length: 28d, 4w, 3m or 'all'.")]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="Day after the window (YYYY-MM-DD); default: the day after the last event."
    ),
]
MinGroupOption = Annotated[
    int, typer.Option("--min-group", help="Suppress any group (cell) of fewer members than this.")
]
# `--k` meant the same before `-k` became the list length across the CLI: kept for one release.
OldKOption = Annotated[
    int | None, typer.Option("--k", hidden=True, help="Deprecated: use --min-group.")
]
TopOption = Annotated[int, typer.Option("--top", help="Rows per list.")]

app = typer.Typer(
    help="Audience insights: trends, briefs, over-indexing, rising local talent, fans also like, "
    "engagement.",
    no_args_is_help=True,
)


def attach(root: typer.Typer) -> None:
    deprecated_alias(root, "trends", "insights trends", trends_cmd)
    deprecated_alias(root, "brief", "insights brief", brief_cmd)
    root.add_typer(app, name="insights")


def _min_group(min_group: int, k: int | None) -> int:
    """``--min-group``, or the deprecated ``--k`` (with a warning) when that was given."""
    if k is None:
        return min_group
    err_console.print(
        "[yellow]warning:[/] `--k` is deprecated and will be removed in the next release; "
        "use `--min-group`.",
        markup=True,
        highlight=False,
    )
    return k


@app.command("trends")
@user_errors
def trends_cmd(
    segment: SegmentOption = None,
    window: WindowOption = "28d",
    as_of: AsOfOption = None,
    by: Annotated[
        str, typer.Option("--by", help="genre, theme, title, creator, language or kind.")
    ] = "genre",
    top: TopOption = 10,
    min_group: MinGroupOption = 10,
    k: OldKOption = None,
    min_support: Annotated[
        int, typer.Option("--min-support", help="Fewest events for an item to count as rising.")
    ] = 20,
    alpha: Annotated[
        float, typer.Option("--alpha", help="False discovery rate for rising.")
    ] = 0.05,
    no_season: Annotated[
        bool,
        typer.Option(
            "--no-season",
            help="Always compare with the previous period, even in Ramadan or a festival.",
        ),
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    lake: LakeOption = None,
) -> None:
    """Top and rising items for a segment and window (rising = significant growth vs baseline)."""
    from halqa.insights import trends

    with open_source(db, lake, engine, spark_master) as store:
        report = trends(
            store,
            segment,
            by=by,
            window=window,
            as_of=as_of,
            top=top,
            k=_min_group(min_group, k),
            min_support=min_support,
            alpha=alpha,
            seasonal=not no_season,
        )
    if as_json:
        print_json(report)
        return
    _print_trends(report)


@app.command("brief")
@user_errors
def brief_cmd(
    out: Annotated[
        Path, typer.Option("--out", help="Markdown file to write (charts go beside it).")
    ],
    segment: SegmentOption = None,
    window: WindowOption = "28d",
    as_of: AsOfOption = None,
    min_group: MinGroupOption = 10,
    k: OldKOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    lake: LakeOption = None,
) -> None:
    """Write a creative brief (Markdown + PNG and interactive HTML charts) for a segment."""
    from halqa.insights.brief import write_brief

    with open_source(db, lake, engine, spark_master) as store:
        result = write_brief(
            store, segment, out, window=window, as_of=as_of, k=_min_group(min_group, k)
        )
    if as_json:
        print_json(result)
    else:
        console.print(
            f"wrote {result['markdown']} with {len(result['charts'])} charts "
            f"({len(result['figures'])} figures cited)"
        )


@app.command("over-index")
@user_errors
def over_index_cmd(
    segment: SegmentOption = None,
    window: WindowOption = "28d",
    as_of: AsOfOption = None,
    by: Annotated[
        str, typer.Option("--by", help="genre, theme, language, kind or length.")
    ] = "genre",
    min_group: MinGroupOption = 10,
    k: OldKOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    lake: LakeOption = None,
) -> None:
    """What the segment over-indexes on compared with everyone else (lift with 95% interval)."""
    from halqa.insights import segment_lift

    with open_source(db, lake, engine, spark_master) as store:
        result = segment_lift(
            store, segment, by=by, window=window, as_of=as_of, k=_min_group(min_group, k)
        )
    _emit(
        result,
        as_json,
        (
            "item",
            "segment_count",
            "segment_share",
            "others_share",
            "lift",
            "lift_low",
            "lift_high",
            "over_indexes",
        ),
    )


# `halqa audience lift` (a campaign's lift) is the one `lift`.
deprecated_alias(app, "lift", "insights over-index", over_index_cmd, group="insights")


@app.command("talent")
@user_errors
def talent_cmd(
    window: WindowOption = "364d",
    as_of: AsOfOption = None,
    emerging_years: Annotated[
        int,
        typer.Option("--emerging-years", help="Debut within this many years counts as emerging."),
    ] = 5,
    top: TopOption = 10,
    min_group: MinGroupOption = 10,
    k: OldKOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    lake: LakeOption = None,
) -> None:
    """Rising Moroccan emerging creators, overall and per region."""
    from halqa.insights import rising_talent

    with open_source(db, lake, engine, spark_master) as store:
        result = rising_talent(
            store,
            window=window,
            as_of=as_of,
            emerging_years=emerging_years,
            top=top,
            k=_min_group(min_group, k),
        )
    if as_json:
        print_json(result)
        return
    columns = (
        "rank",
        "name",
        "creator_region",
        "audience",
        "weekly_audience_first_4",
        "weekly_audience_last_4",
        "monthly_growth",
        "growth_low",
        "q_value",
    )
    overall = result["overall"]
    if result["local_creators"] == 0:  # what the JSON's counts say, instead of an empty table
        since = int(result["as_of"][:4]) - result["emerging_years"]
        err_console.print(
            f"[yellow]no emerging Moroccan creator in the store (country MA, debut in {since} or "
            "later): ingest creators with country and debut_year[/]"
        )
        return
    if overall["suppressed"]:
        err_console.print(f"[yellow]all regions: {overall['reason']}[/]")
        return
    if not overall["rows"]:
        err_console.print(
            f"[yellow]none of the {result['local_creators']} emerging Moroccan creators' "
            "audiences rose significantly in the window[/]"
        )
        return
    _table("rising local talent: all regions", overall["rows"], columns)
    for region, block in result["regions"].items():
        if block["rows"]:
            _table(f"rising local talent: {region}", block["rows"], columns)


@app.command("fans")
@user_errors
def fans_cmd(
    target: Annotated[str, typer.Argument(help="Title id or creator id.")],
    creator: Annotated[bool, typer.Option("--creator", help="TARGET is a creator id.")] = False,
    window: WindowOption = "365d",
    as_of: AsOfOption = None,
    top: TopOption = 10,
    min_group: MinGroupOption = 10,
    k: OldKOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    lake: LakeOption = None,
) -> None:
    """Fans also like: titles or creators whose audience overlaps most (popularity-normalised)."""
    from halqa.insights import fans_also_like

    with open_source(db, lake, engine, spark_master) as store:
        result = fans_also_like(
            store,
            target,
            entity="creator" if creator else "title",
            window=window,
            as_of=as_of,
            top=top,
            k=_min_group(min_group, k),
        )
    _emit(
        result, as_json, ("rank", "item", "name", "overlap", "audience", "lift", "score", "jaccard")
    )


@app.command("engagement")
@user_errors
def engagement_cmd(
    segment: SegmentOption = None,
    window: WindowOption = "28d",
    as_of: AsOfOption = None,
    by: Annotated[
        str, typer.Option("--by", help="genre, kind, theme, language or length.")
    ] = "genre",
    min_group: MinGroupOption = 10,
    k: OldKOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    lake: LakeOption = None,
) -> None:
    """Completion, repeat and retention by genre, kind, theme, language or length."""
    from halqa.insights import engagement

    with open_source(db, lake, engine, spark_master) as store:
        result = engagement(
            store, segment, by=by, window=window, as_of=as_of, k=_min_group(min_group, k)
        )
    _emit(
        result, as_json, ("item", "members", "pairs", "completion_rate", "repeat_rate", "retention")
    )


@app.command("sql")
@user_errors
def sql_cmd(
    name: Annotated[str | None, typer.Argument(help="Definition name; omit to list them.")] = None,
    spark: Annotated[
        bool, typer.Option("--spark", help="Print the Spark SQL transpilation.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Show the query definitions behind the insights (DuckDB SQL, or Spark SQL with --spark)."""
    from halqa.errors import NotFoundError
    from halqa.insights.queries import DEFINITIONS

    if name is None:
        if as_json:
            print_json({"definitions": {n: d.doc for n, d in DEFINITIONS.items()}})
        else:
            for n, d in DEFINITIONS.items():
                console.print(f"[bold]{n}[/]  {d.doc}")
        return
    if name not in DEFINITIONS:
        raise NotFoundError(f"no query definition '{name}': run `halqa insights sql` to list them")
    query = DEFINITIONS[name]
    text = query.sql
    if spark:
        from halqa.engines.spark import to_spark_sql

        text = to_spark_sql(query)
    if as_json:
        print_json(
            {
                "name": name,
                "dialect": "spark" if spark else "duckdb",
                "params": list(query.params),
                "sql": text,
            }
        )
    else:
        console.print(text, markup=False, highlight=False)


def _print_trends(report: dict) -> None:
    if report["suppressed"]:
        err_console.print(f"[yellow]{report['segment_label']}: {report['reason']}[/]")
        return
    console.print(
        f"[bold]{report['segment_label']}[/] by {report['by']}, window {report['window']['start']} "
        f"to {report['window']['end']} (exclusive)"
    )
    if report["baseline"]:
        console.print(f"baseline: {report['baseline']['note']}")
    _table("top", report["top"], ("rank", "item", "name", "count", "share", "members"))
    _table(
        "rising",
        report["rising"],
        (
            "rank",
            "item",
            "name",
            "count",
            "baseline",
            "growth",
            "growth_low",
            "growth_high",
            "q_value",
        ),
    )
    if report["season"] and report["season"]["attributed_to_season"]:
        _table(
            f"surge attributed to the season ({report['season']['name']})",
            report["season"]["attributed_to_season"],
            (
                "item",
                "count",
                "recent_baseline",
                "recent_growth",
                "season_baseline",
                "season_growth",
            ),
        )
    if report["lift"]:
        _table(
            "lift vs everyone else",
            report["lift"][:10],
            ("item", "lift", "lift_low", "lift_high", "over_indexes"),
        )


def _emit(result: dict, as_json: bool, columns: tuple[str, ...]) -> None:
    if as_json:
        print_json(result)
    elif result.get("suppressed"):
        err_console.print(f"[yellow]{result['reason']}[/]")
    else:
        _table("", result["rows"], columns)


def _table(title: str, rows: list[dict], columns: tuple[str, ...]) -> None:
    table = Table(title=title or None)
    for col in columns:
        table.add_column(
            col, justify="right" if rows and isinstance(rows[0].get(col), (int, float)) else "left"
        )
    for row in rows:
        table.add_row(*("" if row.get(col) is None else str(row.get(col)) for col in columns))
    console.print(table)
