"""`halqa train`, `halqa recommend`, `halqa similar`, `halqa evaluate`: the recommendation engine.

Thin: options in, ``halqa.recommend`` does the work, a table or one JSON object out.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from halqa.cli.common import (
    DbOption,
    JsonOption,
    console,
    err_console,
    open_store,
    print_json,
    user_errors,
)
from halqa.cli.spark import EngineOption, LakeOption, SparkMasterOption, resolve_engine
from halqa.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

    from halqa.recommend import Recommender

ModelPathOption = Annotated[
    Path | None,
    typer.Option(
        "--model-file",
        help="Model file (default: <db>.models/recommender.pkl).",
        show_default=False,
    ),
]
KOption = Annotated[int, typer.Option("-k", "--k", help="How many titles per list.")]


def attach(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("recommend")(recommend)
    app.command("similar")(similar)
    app.command("evaluate")(evaluate)


def default_model_path(db_path: str | Path) -> Path:
    from halqa.recommend.saved import default_model_path as path

    return path(db_path)


def _params(pairs: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UserError(f"--param '{pair}': write it as name=value (e.g. factors=64)")
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out


@user_errors
def train(
    model: Annotated[
        str,
        typer.Option(
            "--model",
            help="hybrid, ease, als, bpr, item-knn, transitions, "
            "content, demographic, trending, popular...",
        ),
    ] = "hybrid",
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", help="Model parameter name=value (repeatable; kept fixed while tuning)."
        ),
    ] = None,
    tune: Annotated[
        bool,
        typer.Option(
            "--tune/--no-tune",
            help="Tune the model's settings on validation splits of the store's own events first.",
        ),
    ] = True,
    budget: Annotated[
        float,
        typer.Option(
            "--budget",
            help="Seconds of tuning at most: the search ends "
            "sooner on its own (two passes over the settings); "
            "a trial that has started finishes.",
            min=0,
        ),
    ] = 300.0,  # tuning.DEFAULT_BUDGET_S
    tune_sample: Annotated[int, typer.Option(help="Validation members judged per trial.")] = 2000,
    out: ModelPathOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    lake: LakeOption = None,
) -> None:
    """Fit a recommender on the store's consented events
    (tuned on its own validation splits) and save it."""
    from halqa.recommend import Dataset, make_model
    from halqa.recommend.training import train as fit
    from halqa.recommend.training import tuning_axes

    params = _params(param)
    if resolve_engine(engine) == "spark":  # ALS on Spark MLlib, saved in the same model format
        from halqa.cli.spark import train_on_spark

        summary = train_on_spark(model, params, out, db, lake, spark_master)
        print_json(summary) if as_json else console.print(
            f"trained [bold]als[/] on Spark on {summary['events']:,} events in "
            f"{summary['fit_seconds']:.1f}s "
            f"→ {summary['model_file']}"
        )
        return
    recommender = make_model(model, **params)  # a bad --model or --param fails before any work
    with open_store(db, read_only=True) as store:
        dataset = Dataset.from_store(store)
        path = out or default_model_path(store.path)
    tuning_budget = budget if tune and tuning_axes(model, params) else 0.0
    with _training_progress(model, len(dataset.events), tuning_budget) as progress:
        trained = fit(
            recommender,
            dataset,
            params,
            tuned=tune,
            budget_s=budget,
            sample=tune_sample,
            progress=progress,
        )
    trained.model.save(path)
    summary = trained.summary(model, str(path))
    record_run(path, "training", summary)  # what the dashboard's model status shows
    if as_json:
        print_json(summary)
        return
    console.print(
        f"trained [bold]{model}[/] on {summary['events']:,} events "
        f"({summary['members']:,} members, {summary['titles']:,} titles) "
        f"in {trained.seconds:.1f}s → {path}"
    )
    if (tuned := trained.tuning) is not None and not tuned.splits:
        console.print(
            "not tuned: no validation split has held-out events (too few events per member); "
            "fitted with the defaults"
        )
    elif tuned is not None:
        console.print(
            f"tuned on {' + '.join(tuned.splits)} validation split(s): {len(tuned.trials)} trials, "
            f"validation NDCG@10 {tuned.ndcg:.4f}, settings {tuned.params or 'the defaults'}"
        )


@contextmanager
def _training_progress(
    model: str, events: int, budget: float
) -> Iterator[Callable[[dict[str, Any], float], None]]:
    """A progress bar on stderr, over the tuning budget (or pulsing while a model is only fitted);
    yields the callback the tuner reports each trial to."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        fitting = f"training {model} on {events:,} events"
        task = bar.add_task(fitting if budget <= 0 else f"tuning {model} (budget {budget:g}s)")
        bar.update(task, total=budget if budget > 0 else None)
        started = time.perf_counter()
        best = [-1.0]

        def show(trial: dict[str, Any], ndcg: float) -> None:
            best[0] = max(best[0], ndcg)
            bar.update(
                task,
                completed=min(budget, time.perf_counter() - started),
                description=f"tuning {model}: validation NDCG@10 {best[0]:.4f} (then {fitting})",
            )

        yield show


def _load(db: Path | None, model_file: Path | None) -> tuple[Recommender, str]:
    from halqa.catalog import resolve_db_path
    from halqa.recommend.saved import load_saved

    db_path = str(resolve_db_path(db))
    return load_saved(model_file or default_model_path(db_path)), db_path


@user_errors
def recommend(
    member: Annotated[
        list[str] | None, typer.Option("--member", help="Member id (repeatable).")
    ] = None,
    all_members: Annotated[bool, typer.Option("--all", help="Every member (needs --out).")] = False,
    k: KOption = 10,
    local_share: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Share of slots for Moroccan creators (0-1).")
    ] = 0.0,
    emerging_share: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Share of slots for emerging creators (0-1).")
    ] = 0.0,
    emerging_years: Annotated[
        int, typer.Option(help="Debut within this many years = emerging.")
    ] = 3,
    creator_cap: Annotated[
        int | None, typer.Option(help="At most this many titles per creator.")
    ] = None,
    diversity: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Genre diversity (MMR weight, 0-1).")
    ] = 0.0,
    new_share: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Share of slots for new titles (0-1; default 0: "
            "see `halqa evaluate --new-share` for the cost).",
        ),
    ] = 0.0,
    new_days: Annotated[
        float,
        typer.Option(help="Added (or released) within this many days of the newest event = new."),
    ] = 60.0,
    filter_: Annotated[
        list[str] | None,
        typer.Option("--filter", help="region, age_rating or language (repeatable)."),
    ] = None,
    repeat: Annotated[
        bool,
        typer.Option(
            "--repeat/--no-repeat",
            help="Music (tracks, albums, clips) the member already played may come back.",
        ),
    ] = True,
    lang: Annotated[str, typer.Option(help="Language of the reasons: en, fr or ar.")] = "en",
    out: Annotated[Path | None, typer.Option(help="Write the lists to .csv or .parquet.")] = None,
    model_file: ModelPathOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
    lake: LakeOption = None,
) -> None:
    """Top-k titles per member, each with a reason."""
    if not member and not all_members:
        raise UserError("say who: --member ID (repeatable) or --all")
    if all_members and out is None:
        raise UserError(
            "--all writes every member's list to a file: add --out recs.csv or --out recs.parquet"
        )
    if out is not None and out.suffix not in (".csv", ".parquet"):
        raise UserError(f"--out {out}: use a .csv or .parquet file name")
    if resolve_engine(engine) == "spark":
        _recommend_all_on_spark(
            all_members,
            out,
            k,
            model_file,
            db,
            lake,
            spark_master,
            lang,
            as_json,
            bool(local_share or emerging_share or creator_cap or diversity or filter_),
        )
        return
    from halqa.recommend.rerank import reranker_for
    from halqa.recommend.saved import catch_up_members

    rerank = reranker_for(  # bad settings fail before the model is read
        local_share=local_share,
        emerging_share=emerging_share,
        emerging_years=emerging_years,
        creator_cap=creator_cap,
        diversity=diversity,
        new_share=new_share,
        new_days=new_days,
    )
    model, db_path = _load(db, model_file)
    if member:  # what the store learnt since training, the same catch-up `halqa serve` does
        with open_store(Path(db_path), read_only=True) as store:
            catch_up_members(model, store, member)
    with err_console.status(
        f"ranking {'every member' if all_members else 'the members asked for'} (top {k})"
    ):
        recs = model.recommend(
            None if all_members else list(member or []),
            k,
            rerank=rerank,
            filters=filter_ or None,
            lang=lang,
            **({} if repeat else {"repeat_kinds": ()}),
        )
    if out is not None:
        from halqa.catalog.csvsafe import write_csv

        out.parent.mkdir(parents=True, exist_ok=True)
        write_csv(recs, out) if out.suffix == ".csv" else recs.to_parquet(out, index=False)
        summary = {"out": str(out), "rows": len(recs), "members": int(recs["member_id"].nunique())}
        print_json(summary) if as_json else console.print(
            f"wrote {summary['rows']:,} picks for {summary['members']:,} members to {out}"
        )
        return
    if as_json:
        print_json({"k": k, "recommendations": recs.to_dict("records")})
        return
    _print_lists(recs, model)


def _recommend_all_on_spark(
    all_members: bool,
    out: Path | None,
    k: int,
    model_file: Path | None,
    db: Path | None,
    lake: Path | None,
    master: str | None,
    lang: str,
    as_json: bool,
    reranked: bool,
) -> None:
    from halqa.cli.spark import _default_model_path, recommend_all_on_spark

    if not all_members or reranked or out is None:  # --all comes with --out (checked before)
        raise UserError(
            "--engine spark computes plain lists for --all (no --member, re-rankers or --filter)"
        )
    path = model_file or _default_model_path(db, lake)
    model, _ = _load(db, path)
    summary = recommend_all_on_spark(model, out, k, lang, db, lake, master)
    print_json(summary) if as_json else console.print(
        f"wrote {summary['rows']:,} picks for {summary['members']:,} members to {out} (Spark)"
    )


def _print_lists(recs: pd.DataFrame, model: Recommender) -> None:
    names = dict(
        zip(model.dataset.titles.external, model.dataset.title_names(range(model.dataset.n_titles)))
    )
    for member_id, rows in recs.groupby("member_id", sort=False):
        table = Table(title=f"for {member_id}")
        for col in ("#", "title", "score", "why"):
            table.add_column(col, justify="right" if col in ("#", "score") else "left")
        for r in rows.itertuples():
            table.add_row(
                str(r.rank), names.get(r.title_id, r.title_id), f"{r.score:.3f}", r.reason
            )
        console.print(table)


@user_errors
def similar(
    title_id: Annotated[str, typer.Option("--title-id", help="Title to find neighbours of.")],
    k: KOption = 10,
    model_file: ModelPathOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Titles most like a title (more-like-this)."""
    model, _ = _load(db, model_file)
    sims = model.similar([title_id], k)
    names = model.dataset.title_names(model.dataset.title_index(sims["similar_title_id"]))
    sims = sims.assign(name=names)
    if as_json:
        print_json(
            {"title_id": title_id, "similar": sims.drop(columns="title_id").to_dict("records")}
        )
        return
    table = Table(
        title=f"like {model.dataset.title_names(model.dataset.title_index([title_id]))[0]}"
    )
    for col in ("#", "title", "score"):
        table.add_column(col)
    for r in sims.itertuples():
        table.add_row(str(r.rank), r.name, f"{r.score:.3f}")
    console.print(table)


@user_errors
def evaluate(
    model: Annotated[
        list[str] | None, typer.Option("--model", help="Model(s) to compare (repeatable).")
    ] = None,
    split: Annotated[
        str, typer.Option(help="member (last 20% of each member), global, or both.")
    ] = "both",
    k: KOption = 10,
    test_fraction: Annotated[float, typer.Option(help="Share held out.")] = 0.2,
    local_share: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Also score lists re-ranked with this local share, and report the cost.",
        ),
    ] = 0.0,
    new_share: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Also score lists with this share of slots for new "
            "titles: NDCG cost and exposure gain.",
        ),
    ] = 0.0,
    new_days: Annotated[
        float, typer.Option(help="Added (or released) within this many days = new.")
    ] = 60.0,
    db: DbOption = None,
    as_json: JsonOption = False,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
) -> None:
    """Offline evaluation on temporal splits: accuracy, coverage, novelty, local share,
    exposure Gini."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from halqa.recommend import Dataset, make_model
    from halqa.recommend.evaluate import SPLITS, compare
    from halqa.recommend.evaluate import split as make_split
    from halqa.recommend.ranking import check_k

    check_k(k)
    splits = SPLITS if split == "both" else (split,)
    names = model or ["popular", "trending", "ease", "als", "hybrid"]
    from halqa.cli.spark import evaluation_model

    # unknown names fail before any work; --engine spark fits ALS on Spark MLlib
    models = {name: evaluation_model(name, engine, spark_master, make_model) for name in names}
    with open_store(db, read_only=True) as store:
        dataset = Dataset.from_store(store)
        model_file = default_model_path(store.path)
    results: dict[str, Any] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("evaluating", total=len(splits) * len(names))
        for how in splits:
            s = make_split(dataset, how, test_fraction)
            if s.truth.empty:
                raise UserError(
                    f"{how} split: no held-out events to judge (too few events per member)"
                )
            for name in names:
                bar.update(task, description=f"{how} split: {name}")
                results.update(
                    compare(
                        name,
                        models[name],
                        s,
                        dataset,
                        how,
                        k=k,
                        local_share=local_share,
                        new_share=new_share,
                        new_days=new_days,
                    )
                )
                bar.advance(task)
    record_run(
        model_file, "evaluation", {"k": k, "test_fraction": test_fraction, "results": results}
    )
    if as_json:
        print_json({"k": k, "test_fraction": test_fraction, "results": results})
        return
    _print_metrics(results, k)


def _print_metrics(results: dict[str, Any], k: int) -> None:
    cols = [
        f"recall@{k}",
        f"ndcg@{k}",
        f"map@{k}",
        f"hit_rate@{k}",
        "coverage",
        "novelty_pct",
        "local_share",
        "gini_creators",
        "gini_moroccan_creators",
    ]
    table = Table(title="offline evaluation")
    table.add_column("split/model")
    for col in cols:
        table.add_column(col, justify="right")
    for name, row in results.items():
        table.add_row(name, *(f"{row.get(c, float('nan')):.4f}" for c in cols))
    console.print(table)
    for name, row in results.items():
        if "min_local_share_per_list" in row:
            console.print(
                f"{name}: NDCG drop {row['ndcg_drop_pct']:.2f}%, smallest local share in a list "
                f"{row['min_local_share_per_list']:.2f}"
            )
        if "new_share_reranked" in row:
            console.print(
                f"{name}: NDCG drop {row['ndcg_drop_pct']:.2f}%; slots on new titles "
                f"{row['new_share_plain']:.2%} -> {row['new_share_reranked']:.2%} "
                f"({row['new_titles_shown']} of {row['new_titles']} new titles shown)"
            )


def record_run(model_path: str | Path, kind: str, summary: dict[str, Any]) -> None:
    from halqa.recommend.saved import record_run as record

    try:
        record(model_path, kind, summary)
    except OSError as exc:  # a read-only place: the run's figures are printed all the same
        err_console.print(f"note: the {kind} summary was not kept beside {model_path}: {exc}")
