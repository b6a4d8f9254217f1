"""MovieLens 100K through the foundation's importer: genre lifts checked against pandas on the raw files."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from halqa.catalog import Store
from halqa.cli.main import app

pytestmark = pytest.mark.movielens
GENRE_IDS = {"Children's": "children", "Sci-Fi": "sci-fi", "Film-Noir": "film-noir"}


@pytest.fixture(scope="module")
def ml_path(movielens_dir, tmp_path_factory):
    from halqa.ingest import import_movielens

    path = tmp_path_factory.mktemp("ml") / "ml.duckdb"
    with Store.open(path) as store:
        import_movielens(
            store, movielens_dir, consent=frozenset({"analytics", "personalisation", "marketing"})
        )
    return path


def _expected_lifts(movielens_dir, segment) -> pd.DataFrame:
    """Lift of each genre for the segment vs everyone else, from u.data/u.user/u.item with pandas."""
    ratings = pd.read_csv(
        movielens_dir / "u.data", sep="\t", names=["user", "item", "rating", "ts"]
    )
    users = pd.read_csv(
        movielens_dir / "u.user", sep="|", names=["user", "age", "gender", "occupation", "zip"]
    )
    genres = [
        line.split("|")[0]
        for line in (movielens_dir / "u.genre").read_text("latin-1").splitlines()
        if line
    ]
    items = pd.read_csv(movielens_dir / "u.item", sep="|", encoding="latin-1", header=None)
    flags = items.iloc[:, 5 : 5 + len(genres)].to_numpy().astype(bool)
    in_segment = set(users.loc[segment(users), "user"])
    ratings["seg"] = ratings["user"].isin(in_segment)
    totals = ratings.groupby("seg").size()
    rows = []
    for g_index, genre in enumerate(genres):
        ids = set(items.loc[flags[:, g_index], 0])
        hit = ratings[ratings["item"].isin(ids)]
        a, b = int(hit["seg"].sum()), int((~hit["seg"]).sum())
        members_seg = hit.loc[hit["seg"], "user"].nunique()
        members_others = hit.loc[~hit["seg"], "user"].nunique()
        if a == 0 or b == 0:
            continue
        lift = (a / totals[True]) / (b / totals[False])
        se = np.sqrt(1 / a - 1 / totals[True] + 1 / b - 1 / totals[False])
        rows.append(
            {
                "item": GENRE_IDS.get(genre, genre.lower()),
                "segment_count": a,
                "lift": lift,
                "low": lift * np.exp(-1.959964 * se),
                "high": lift * np.exp(1.959964 * se),
                "visible": members_seg >= 10 and members_others >= 10,
            }
        )
    return pd.DataFrame(rows).set_index("item")


@pytest.mark.parametrize(
    "spec, segment",
    [
        ("age_band=18-24", lambda u: (u["age"] >= 18) & (u["age"] <= 24)),
        ("gender=F", lambda u: u["gender"] == "F"),
    ],
)
def test_cli_genre_lifts_match_an_independent_computation(ml_path, movielens_dir, spec, segment):
    result = CliRunner().invoke(
        app,
        [
            "insights",
            "trends",
            "--db",
            str(ml_path),
            "--segment",
            spec,
            "--window",
            "all",
            "--by",
            "genre",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    expected = _expected_lifts(movielens_dir, segment)
    got = {r["item"]: r for r in report["lift"]}
    assert set(got) == set(expected.index[expected["visible"]])
    for item, row in got.items():
        exp = expected.loc[item]
        assert row["segment_count"] == exp["segment_count"]
        assert row["lift"] == pytest.approx(exp["lift"], abs=6e-4)
        assert row["lift_low"] == pytest.approx(exp["low"], abs=6e-4)
        assert row["lift_high"] == pytest.approx(exp["high"], abs=6e-4)
    # a known contrast: women over-index on romance, men and the young on action/sci-fi less so
    if spec == "gender=F":
        assert got["romance"]["over_indexes"] and got["romance"]["lift"] > 1.2
    assert report["top"] and report["rising"] == []  # an all-time window has no baseline
