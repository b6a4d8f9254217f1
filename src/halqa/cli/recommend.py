"""`halqa train`, `halqa recommend`, `halqa similar`, `halqa evaluate`: the recommendation engine.

Thin: options in, ``halqa.recommend`` does the work, a table or one JSON object out.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from halqa.cli.common import DbOption, JsonOption, console, err_console, open_store, print_json, user_errors
from halqa.cli.spark import EngineOption, LakeOption, SparkMasterOption, resolve_engine
from halqa.errors import UserError

ModelPathOption = Annotated[Path | None, typer.Option(
    "--model-file", help="Model file (default: <db>.models/recommender.pkl).", show_default=False)]
KOption = Annotated[int, typer.Option("-k", "--k", help="How many titles per list.")]


def attach(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("recommend")(recommend)
    app.command("similar")(similar)
    app.command("evaluate")(evaluate)


def default_model_path(db_path: str | Path) -> Path:
    return Path(f"{db_path}.models") / "recommender.pkl"


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
def train(model: Annotated[str, typer.Option("--model", help="hybrid, ease, als, bpr, item-knn, transitions, "
                                                               "content, demographic, trending, popular...")] = "hybrid",
          param: Annotated[list[str] | None, typer.Option("--param", help="Model parameter name=value "
                                                                          "(repeatable).")] = None,
          tune: Annotated[bool, typer.Option("--tune", help="Tune the hybrid's weights on a validation split "
                                                            "of the store's own events first.")] = False,
          tune_sample: Annotated[int, typer.Option(help="Validation members judged per trial.")] = 2000,
          out: ModelPathOption = None, db: DbOption = None, as_json: JsonOption = False,
          engine: EngineOption = None, spark_master: SparkMasterOption = None, lake: LakeOption = None) -> None:
    """Fit a recommender on the store's consented events and save it next to the store."""
    from halqa.recommend import Dataset, make_model

    params = _params(param)
    if resolve_engine(engine) == "spark":  # ALS on Spark MLlib, saved in the same model format
        from halqa.cli.spark import train_on_spark

        summary = train_on_spark(model, params, out, db, lake, spark_master)
        print_json(summary) if as_json else console.print(
            f"trained [bold]als[/] on Spark on {summary['events']:,} events in {summary['fit_seconds']:.1f}s "
            f"→ {summary['model_file']}")
        return
    recommender = make_model(model, **params)
    if tune and model != "hybrid":
        raise UserError(f"--tune tunes the hybrid model; got --model {model}")
    with open_store(db, read_only=True) as store:
        dataset = Dataset.from_store(store)
        path = out or default_model_path(store.path)
    if len(dataset.events) == 0:
        raise UserError("no consented events in the store to train on (ingest events first, or run `halqa demo`)")
    started = time.perf_counter()
    tuned = None
    if tune:
        from halqa.recommend.tuning import tune as tune_model

        with err_console.status("tuning on a validation split (one setting at a time)") as status:
            tuned = tune_model(model, dataset, sample=tune_sample, start=params,
                               progress=lambda p, v: status.update(f"tuning: {p} → NDCG@10 {v:.4f}"))
        recommender = make_model(model, **tuned.params)
    with err_console.status(f"training {model} on {len(dataset.events):,} events"):
        recommender.fit(dataset)
    seconds = time.perf_counter() - started
    recommender.save(path)
    summary = {"model": model, "config": recommender.config.__dict__, "members": dataset.n_members,
               "titles": dataset.n_titles, "events": int(len(dataset.events)), "fit_seconds": round(seconds, 2),
               "model_file": str(path)}
    if tuned is not None:
        summary["tuning"] = {"params": tuned.params, "validation_ndcg@10": round(tuned.ndcg, 4),
                             "trials": len(tuned.trials)}
    if as_json:
        print_json(summary)
    else:
        console.print(f"trained [bold]{model}[/] on {summary['events']:,} events "
                      f"({summary['members']:,} members, {summary['titles']:,} titles) in {seconds:.1f}s "
                      f"→ {path}")


def _load(db: Path | None, model_file: Path | None) -> tuple[Any, str]:
    from halqa.catalog import resolve_db_path
    from halqa.recommend import Recommender

    db_path = str(resolve_db_path(db))
    path = model_file or default_model_path(db_path)
    if not Path(path).exists():
        raise UserError(f"{path}: no trained model here; run `halqa train` first")
    return Recommender.load(path), db_path


def _catch_up(model: Any, store: Any, members: list[str]) -> None:
    """Fold in what the store has learnt about these members since the model was trained."""
    from halqa.errors import NotFoundError

    ds = model.dataset
    since = int(ds.events["ts"].max()) if len(ds.events) else 0
    placeholders = ", ".join("?" for _ in members)
    known = {r[0] for r in store.rows(f"SELECT member_id FROM members WHERE member_id IN ({placeholders})", members)}
    consented = {r[0] for r in store.rows(
        f"SELECT member_id FROM members_personalisation WHERE member_id IN ({placeholders})", members)}
    for member in members:
        if member not in known and member not in ds.members:
            raise NotFoundError(f"unknown member '{member}'")
        if member not in consented and member in known:
            raise UserError(f"member '{member}' has not consented to personalised recommendations")
    new_members = [m for m in members if m not in ds.members]
    if new_members:
        model.add_members(store.df(f"SELECT * FROM members_personalisation WHERE member_id IN "
                                   f"({', '.join('?' for _ in new_members)})", new_members))
    fresh = store.df(f"SELECT member_id, title_id, event_type, ts, value FROM events_personalisation "
                     f"WHERE member_id IN ({placeholders}) AND epoch(ts) > ?", [*members, since])
    if len(fresh):
        model.add_events(fresh)


def _reranker(local_share: float, emerging_share: float, emerging_years: int, creator_cap: int | None,
              diversity: float) -> Any:
    if not (local_share or emerging_share or diversity or creator_cap):
        return None
    from halqa.recommend import LocalTalentReranker

    return LocalTalentReranker(local_share=local_share, emerging_share=emerging_share,
                               emerging_years=emerging_years, creator_cap=creator_cap, diversity=diversity)


@user_errors
def recommend(member: Annotated[list[str] | None, typer.Option("--member", help="Member id (repeatable).")] = None,
              all_members: Annotated[bool, typer.Option("--all", help="Every member (needs --out).")] = False,
              k: KOption = 10,
              local_share: Annotated[float, typer.Option(help="Share of slots for Moroccan creators (0-1).")] = 0.0,
              emerging_share: Annotated[float, typer.Option(help="Share of slots for emerging creators.")] = 0.0,
              emerging_years: Annotated[int, typer.Option(help="Debut within this many years = emerging.")] = 3,
              creator_cap: Annotated[int | None, typer.Option(help="At most this many titles per creator.")] = None,
              diversity: Annotated[float, typer.Option(help="Genre diversity (MMR weight, 0-1).")] = 0.0,
              filter_: Annotated[list[str] | None, typer.Option("--filter", help="region, age_rating or "
                                                                "language (repeatable).")] = None,
              lang: Annotated[str, typer.Option(help="Language of the reasons: en, fr or ar.")] = "en",
              out: Annotated[Path | None, typer.Option(help="Write the lists to .csv or .parquet.")] = None,
              model_file: ModelPathOption = None, db: DbOption = None, as_json: JsonOption = False,
              engine: EngineOption = None, spark_master: SparkMasterOption = None,
              lake: LakeOption = None) -> None:
    """Top-k titles per member, each with a reason."""
    if not member and not all_members:
        raise UserError("say who: --member ID (repeatable) or --all")
    if all_members and out is None:
        raise UserError("--all writes every member's list to a file: add --out recs.csv or --out recs.parquet")
    if out is not None and out.suffix not in (".csv", ".parquet"):
        raise UserError(f"--out {out}: use a .csv or .parquet file name")
    if resolve_engine(engine) == "spark":
        _recommend_all_on_spark(all_members, out, k, model_file, db, lake, spark_master, lang, as_json,
                                bool(local_share or emerging_share or creator_cap or diversity or filter_))
        return
    model, db_path = _load(db, model_file)
    if member:
        with open_store(db_path, read_only=True) as store:
            _catch_up(model, store, list(member))
    rerank = _reranker(local_share, emerging_share, emerging_years, creator_cap, diversity)
    with err_console.status(f"ranking {'every member' if all_members else 'the members asked for'} (top {k})"):
        recs = model.recommend(None if all_members else list(member), k, rerank=rerank, filters=filter_ or None,
                               lang=lang)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        recs.to_csv(out, index=False) if out.suffix == ".csv" else recs.to_parquet(out, index=False)
        summary = {"out": str(out), "rows": int(len(recs)), "members": int(recs["member_id"].nunique())}
        print_json(summary) if as_json else console.print(
            f"wrote {summary['rows']:,} picks for {summary['members']:,} members to {out}")
        return
    if as_json:
        print_json({"k": k, "recommendations": recs.to_dict("records")})
        return
    _print_lists(recs, model)


def _recommend_all_on_spark(all_members: bool, out: Path | None, k: int, model_file: Path | None, db: Path | None,
                            lake: Path | None, master: str | None, lang: str, as_json: bool, reranked: bool) -> None:
    from halqa.cli.spark import _default_model_path, recommend_all_on_spark

    if not all_members or reranked:
        raise UserError("--engine spark computes plain lists for --all (no --member, re-rankers or --filter)")
    path = model_file or _default_model_path(db, lake)
    model, _ = _load(db, path)
    summary = recommend_all_on_spark(model, out, k, lang, db, lake, master)  # type: ignore[arg-type]
    print_json(summary) if as_json else console.print(
        f"wrote {summary['rows']:,} picks for {summary['members']:,} members to {out} (Spark)")


def _print_lists(recs: Any, model: Any) -> None:
    names = dict(zip(model.dataset.titles.external, model.dataset.title_names(range(model.dataset.n_titles))))
    for member_id, rows in recs.groupby("member_id", sort=False):
        table = Table(title=f"for {member_id}")
        for col in ("#", "title", "score", "why"):
            table.add_column(col, justify="right" if col in ("#", "score") else "left")
        for r in rows.itertuples():
            table.add_row(str(r.rank), names.get(r.title_id, r.title_id), f"{r.score:.3f}", r.reason)
        console.print(table)


@user_errors
def similar(title_id: Annotated[str, typer.Option("--title-id", help="Title to find neighbours of.")],
            k: KOption = 10, model_file: ModelPathOption = None, db: DbOption = None,
            as_json: JsonOption = False) -> None:
    """Titles most like a title (more-like-this)."""
    model, _ = _load(db, model_file)
    sims = model.similar([title_id], k)
    names = model.dataset.title_names(model.dataset.title_index(sims["similar_title_id"]))
    sims = sims.assign(name=names)
    if as_json:
        print_json({"title_id": title_id, "similar": sims.drop(columns="title_id").to_dict("records")})
        return
    table = Table(title=f"like {model.dataset.title_names(model.dataset.title_index([title_id]))[0]}")
    for col in ("#", "title", "score"):
        table.add_column(col)
    for r in sims.itertuples():
        table.add_row(str(r.rank), r.name, f"{r.score:.3f}")
    console.print(table)


@user_errors
def evaluate(model: Annotated[list[str] | None, typer.Option("--model", help="Model(s) to compare "
                                                                              "(repeatable).")] = None,
             split: Annotated[str, typer.Option(help="member (last 20% of each member), global, or both.")] = "both",
             k: KOption = 10, test_fraction: Annotated[float, typer.Option(help="Share held out.")] = 0.2,
             local_share: Annotated[float, typer.Option(help="Also score lists re-ranked with this local "
                                                              "share, and report the cost.")] = 0.0,
             db: DbOption = None, as_json: JsonOption = False, engine: EngineOption = None,
             spark_master: SparkMasterOption = None) -> None:
    """Offline evaluation on temporal splits: accuracy, coverage, novelty, local share, exposure Gini."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from halqa.recommend import Dataset, make_model
    from halqa.recommend.evaluate import SPLITS
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
    results: dict[str, Any] = {}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task("evaluating", total=len(splits) * len(names))
        for how in splits:
            s = make_split(dataset, how, test_fraction)
            if s.truth.empty:
                raise UserError(f"{how} split: no held-out events to judge (too few events per member)")
            for name in names:
                bar.update(task, description=f"{how} split: {name}")
                results.update(_evaluate_one(name, models[name], s, dataset, how, k, local_share))
                bar.advance(task)
    if as_json:
        print_json({"k": k, "test_fraction": test_fraction, "results": results})
        return
    _print_metrics(results, k)


def _print_metrics(results: dict[str, Any], k: int) -> None:
    cols = [f"recall@{k}", f"ndcg@{k}", f"map@{k}", f"hit_rate@{k}", "coverage", "novelty_pct", "local_share",
            "gini_creators", "gini_moroccan_creators"]
    table = Table(title="offline evaluation")
    table.add_column("split/model")
    for col in cols:
        table.add_column(col, justify="right")
    for name, row in results.items():
        table.add_row(name, *(f"{row.get(c, float('nan')):.4f}" for c in cols))
    console.print(table)
    for name, row in results.items():
        if "ndcg_drop_pct" in row:
            console.print(f"{name}: NDCG drop {row['ndcg_drop_pct']:.2f}%, smallest local share in a list "
                          f"{row['min_local_share_per_list']:.2f}")


def _evaluate_one(name: str, model: Any, split: Any, dataset: Any, how: str, k: int,
                  local_share: float | None) -> dict[str, Any]:
    """Fit one model on a split's training part and score its lists (and the re-ranked ones)."""
    from halqa.recommend import LocalTalentReranker
    from halqa.recommend.evaluate import dense_recommend, rerank_cost, score_lists

    fitted = copy.deepcopy(model).fit(split.train)  # a fresh copy of the unfitted model, per split
    if not local_share:
        return {f"{how}/{name}": score_lists(dense_recommend(fitted, split.members, k), split, dataset, k)}
    cost = rerank_cost(fitted, split, dataset, LocalTalentReranker(local_share=local_share), k=k)
    return {f"{how}/{name}": cost["plain"],
            f"{how}/{name}+local{local_share:g}": {**cost["reranked"], "ndcg_drop_pct": cost["ndcg_drop_pct"],
                                                   "min_local_share_per_list": cost["min_local_share_per_list"]}}
