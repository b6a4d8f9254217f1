"""ALS on Spark MLlib and every member's list computed on the cluster.

Training: the (member, title) confidences are summed in Spark SQL from ``events_personalisation``
with halqa's own event weights (``EventWeights``: the same CASE per event type, the same rating
scale, pairs at or below zero dropped), MLlib's ALS fits them with implicit preferences
(confidence 1 + alpha x weight, as in ``implicit``), and the factors are placed into halqa's own
``ALS`` model, so the saved file is the one ``halqa serve`` and ``halqa recommend`` read.

One difference is kept on purpose: MLlib scales the regularisation of each member and title by
its number of ratings (ALS-WR) where ``implicit`` does not; the parity test holds NDCG@10 within
5% of implicit's with the same rank and regularisation.

Lists: member factors and seen titles go to the executors, title factors are broadcast, and
each partition scores its members with numpy (``mapInPandas``), hides seen titles (music may
repeat, as in ``halqa.recommend``) and keeps the top k; only members who consent to
personalisation now (``members_personalisation``) get a list.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from halqa.catalog.taxonomy import MUSIC_KINDS
from halqa.errors import UserError
from halqa.recommend import (
    ALS,
    REASON_LANGS,
    RECOMMENDATION_COLUMNS,
    ALSConfig,
    Dataset,
    EventWeights,
    Recommender,
    reason_templates,
)

if TYPE_CHECKING:
    from halqa.engines.spark_store import SparkStore

MEMBER_IDS = "_halqa_member_ids"
TITLE_IDS = "_halqa_title_ids"


def weight_sql(weights: EventWeights, event: str = "e") -> str:
    """The Spark SQL expression of ``EventWeights.of`` for one event row."""
    cases = " ".join(
        f"WHEN {_lit(kind)} THEN {float(w)!r}" for kind, w in sorted(weights.weights.items())
    )
    base = f"CASE {event}.event_type {cases} ELSE {float(weights.default)!r} END"
    if weights.rating_scale:
        base = (
            f"{base} * CASE WHEN {event}.event_type = 'rate' AND {event}.value IS NOT NULL "
            f"THEN {event}.value / {float(weights.rating_scale)!r} ELSE 1.0 END"
        )
    if weights.counted:  # an amount of use (plays, seconds) multiplies by 1 + ln(1 + value)
        kinds = ", ".join(_lit(kind) for kind in weights.counted)
        base = (
            f"{base} * CASE WHEN {event}.event_type IN ({kinds}) AND {event}.value > 0 "
            f"THEN 1.0 + ln(1.0 + {event}.value) ELSE 1.0 END"
        )
    return base


def register_ids(store: SparkStore, dataset: Dataset) -> None:
    """The dataset's dense member and title codes as Spark views (what joins map ids onto)."""
    session = store.session
    store.temp_view(
        MEMBER_IDS,
        session.createDataFrame(
            pd.DataFrame(
                {
                    "member_id": dataset.members.external.astype(str),
                    "member_idx": np.arange(dataset.n_members, dtype=np.int32),
                }
            )
        ),
    )
    store.temp_view(
        TITLE_IDS,
        session.createDataFrame(
            pd.DataFrame(
                {
                    "title_id": dataset.titles.external.astype(str),
                    "title_idx": np.arange(dataset.n_titles, dtype=np.int32),
                }
            )
        ),
    )


def confidence_frame(store: SparkStore, dataset: Dataset) -> Any:
    """(member_idx, title_idx, weight) summed on Spark from the consented events of the lake."""
    register_ids(store, dataset)
    weights = dataset.weights
    total = f"sum({weight_sql(weights)})"
    value = "CAST(1.0 AS FLOAT)" if weights.binary else f"CAST({total} AS FLOAT)"
    return store.session.sql(f"""SELECT m.member_idx, t.title_idx, {value} AS weight
        FROM events_personalisation e JOIN {MEMBER_IDS} m ON m.member_id = e.member_id
        JOIN {TITLE_IDS} t ON t.title_id = e.title_id
        GROUP BY m.member_idx, t.title_idx HAVING {total} > 0""")


def matrix_frame(session: Any, dataset: Dataset) -> Any:
    """(member_idx, title_idx, weight) of a dataset already in memory (evaluation splits)."""
    coo = dataset.matrix().tocoo()
    return session.createDataFrame(
        pd.DataFrame(
            {
                "member_idx": coo.row.astype(np.int32),
                "title_idx": coo.col.astype(np.int32),
                "weight": coo.data.astype(np.float32),
            }
        )
    )


def fit_factors(
    session: Any, ratings: Any, n_members: int, n_titles: int, config: ALSConfig
) -> tuple[np.ndarray, np.ndarray]:
    """MLlib ALS (implicit preferences) on a ratings frame; dense factors, zero rows for ids
    without interactions (what implicit gives them too)."""
    from pyspark.ml.recommendation import ALS as MLlibALS

    from halqa.engines.spark import to_pandas

    blocks = max(2, session.sparkContext.defaultParallelism)
    als = MLlibALS(
        rank=config.factors,
        maxIter=config.iterations,
        regParam=config.regularization,
        alpha=config.alpha,
        implicitPrefs=True,
        seed=config.seed,
        userCol="member_idx",
        itemCol="title_idx",
        ratingCol="weight",
        numUserBlocks=blocks,
        numItemBlocks=blocks,
    )
    model = als.fit(ratings)
    return (
        _dense(to_pandas(model.userFactors), n_members, config.factors),
        _dense(to_pandas(model.itemFactors), n_titles, config.factors),
    )


def _dense(frame: pd.DataFrame, n: int, rank: int) -> np.ndarray:
    out = np.zeros((n, rank), dtype=np.float32)
    if len(frame):
        out[frame["id"].to_numpy()] = np.stack(frame["features"].to_numpy()).astype(np.float32)
    return out


def als_from_factors(
    dataset: Dataset, config: ALSConfig, members: np.ndarray, titles: np.ndarray
) -> ALS:
    """halqa's own ALS model holding factors learnt elsewhere; it folds new events in and saves
    exactly like one fitted by ``implicit`` (an implicit model carries the factors for fold-in)."""
    from implicit.cpu.als import AlternatingLeastSquares

    shell = AlternatingLeastSquares(
        factors=config.factors,
        regularization=config.regularization,
        alpha=config.alpha,
        iterations=config.iterations,
        num_threads=config.threads,
        random_state=config.seed,
    )
    shell.user_factors, shell.item_factors = members, titles
    model = ALS(config)
    model.dataset_, model.n_fit_titles_ = dataset, dataset.n_titles
    model.model_, model.member_factors_, model.title_factors_ = shell, members, titles
    return model


def train(store: SparkStore, dataset: Dataset, config: ALSConfig | None = None) -> ALS:
    """ALS fitted on the cluster from the lake's consented events; a halqa ``ALS`` model."""
    config = config or ALSConfig()
    if dataset.n_titles == 0:
        raise UserError("cannot fit a recommender on a catalogue with no titles")
    ratings = confidence_frame(store, dataset)
    members, titles = fit_factors(
        store.session, ratings, dataset.n_members, dataset.n_titles, config
    )
    return als_from_factors(dataset, config, members, titles)


class SparkALS(ALS):
    """``ALS`` whose ``fit`` runs on Spark MLlib (for ``halqa evaluate --engine spark``)."""

    def __init__(
        self, config: ALSConfig | None = None, *, master: str | None = None, **params: Any
    ) -> None:
        super().__init__(config, **params)
        self.master = master

    def _fit(self, dataset: Dataset) -> None:
        from halqa.engines.spark import session

        spark = session(self.master)
        members, titles = fit_factors(
            spark, matrix_frame(spark, dataset), dataset.n_members, dataset.n_titles, self.config
        )
        fitted = als_from_factors(dataset, self.config, members, titles)
        self.model_, self.member_factors_, self.title_factors_ = fitted.model_, members, titles


# -- every member's list -----------------------------------------------------------------------
def recommend_all(
    store: SparkStore, model: Recommender, out: str | Path, *, k: int = 10, lang: str = "en"
) -> dict:
    """Top ``k`` for every consenting member, written by Spark as Parquet (``member_id, title_id,
    rank, score, reason``); returns rows and members written."""
    if not hasattr(model, "member_factors_") or not hasattr(model, "title_factors_"):
        raise UserError(
            f"recommend --all --engine spark scores factor models (als, bpr); "
            f"this model is {model.name}: train with --model als"
        )
    if lang not in REASON_LANGS:
        raise UserError(f"--lang {lang}: use one of {', '.join(REASON_LANGS)}")
    session, ds = store.session, model.dataset
    register_ids(store, ds)
    factors = model.member_factors_
    n_fit = min(len(factors), ds.n_members)
    store.temp_view(
        "_halqa_member_factors",
        session.createDataFrame(
            pd.DataFrame(
                {
                    "member_idx": np.arange(n_fit, dtype=np.int32),
                    "factors": list(factors[:n_fit].astype(np.float32)),
                }
            )
        ),
    )
    # Seen = any event of the member on the title (even a skip), from the lake as it is now.
    members = session.sql(f"""SELECT f.member_idx, ids.member_id, f.factors,
            coalesce(seen.titles, CAST(array() AS ARRAY<INT>)) AS seen
        FROM _halqa_member_factors f JOIN {MEMBER_IDS} ids ON ids.member_idx = f.member_idx
        JOIN members_personalisation m ON m.member_id = ids.member_id
        LEFT JOIN (SELECT ids.member_idx, collect_set(t.title_idx) AS titles
                   FROM events_personalisation e JOIN {MEMBER_IDS} ids \
ON ids.member_id = e.member_id
                   JOIN {TITLE_IDS} t ON t.title_id = e.title_id GROUP BY ids.member_idx) seen
          ON seen.member_idx = f.member_idx""")
    kinds = (
        ds.title_features["kind"].astype(object).to_numpy()
        if "kind" in ds.title_features.columns
        else None
    )
    table = {
        "titles": model.title_factors_[: model.n_fit_titles_].astype(np.float32),
        "ids": ds.titles.external.astype(str)[: model.n_fit_titles_],
        "names": np.asarray(ds.title_names(np.arange(model.n_fit_titles_)), dtype=object),
        "repeatable": np.isin(kinds[: model.n_fit_titles_], list(MUSIC_KINDS))
        if kinds is not None
        else np.zeros(model.n_fit_titles_, dtype=bool),
        "k": int(k),
        "templates": reason_templates(lang),
    }
    shared = session.sparkContext.broadcast(table)
    schema = "member_id string, title_id string, rank int, score double, reason string"
    lists = members.mapInPandas(lambda batches: _score_batches(batches, shared), schema=schema)
    target = str(out)
    lists.write.mode("overwrite").parquet(target)
    written = session.read.parquet(target)
    counts = written.selectExpr(
        "count(*) AS rows", "count(DISTINCT member_id) AS members"
    ).collect()[0]
    return {
        "out": target,
        "rows": int(counts["rows"]),
        "members": int(counts["members"]),
        "columns": list(RECOMMENDATION_COLUMNS),
    }


def _score_batches(batches: Any, shared: Any) -> Any:
    """Runs on the executors: numpy scoring of one partition's members against every title."""
    table = shared.value
    titles, k = table["titles"], table["k"]
    unit = titles / np.maximum(np.linalg.norm(titles, axis=1, keepdims=True), 1e-12)
    for batch in batches:
        if batch.empty:
            continue
        users = np.stack(batch["factors"].to_numpy()).astype(np.float32)
        scores = (users @ titles.T).astype(np.float64)
        for row, seen in enumerate(batch["seen"]):
            seen = np.asarray(seen, dtype=np.int64)
            seen = seen[seen < len(titles)]
            scores[row, seen[~table["repeatable"][seen]]] = -np.inf
        yield _top_rows(batch, scores, seen_lists=batch["seen"], unit=unit, table=table, k=k)


def _top_rows(
    batch: pd.DataFrame,
    scores: np.ndarray,
    *,
    seen_lists: Any,
    unit: np.ndarray,
    table: dict,
    k: int,
) -> pd.DataFrame:
    n = min(k, scores.shape[1])
    top = (
        np.argpartition(-scores, n - 1, axis=1)[:, :n]
        if n < scores.shape[1]
        else np.tile(np.arange(scores.shape[1]), (len(scores), 1))
    )
    rows = []
    for row, member in enumerate(batch["member_id"]):
        picks = top[row][np.argsort(-scores[row, top[row]], kind="stable")]
        picks = picks[np.isfinite(scores[row, picks])]
        seen = np.asarray(seen_lists.iloc[row], dtype=np.int64)
        seen = seen[seen < len(unit)]
        for rank, title in enumerate(picks, start=1):
            rows.append(
                (
                    member,
                    table["ids"][title],
                    rank,
                    float(scores[row, title]),
                    _reason(title, seen, unit, table),
                )
            )
    return pd.DataFrame(rows, columns=list(RECOMMENDATION_COLUMNS))


def _reason(title: int, seen: np.ndarray, unit: np.ndarray, table: dict) -> str:
    """ "because you watched X": the seen title whose factors are closest to the pick's."""
    others = seen[seen != title]
    if len(others) == 0:
        return table["templates"]["popular"]
    source = others[int(np.argmax(unit[others] @ unit[title]))]
    key = "listened" if table["repeatable"][source] else "watched"
    return table["templates"][key].format(title=table["names"][source])


def _lit(text: str) -> str:
    return "'" + str(text).replace("\\", "\\\\").replace("'", "\\'") + "'"
