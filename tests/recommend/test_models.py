"""The contract every model honours: fit, recommend shape, exclude seen, similar, save/load, config."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from halqa.errors import ConfigError, NotFittedError, NotFoundError, UserError
from halqa.recommend import MODELS, RECOMMENDATION_COLUMNS, make_model

FAST = {"als": {"iterations": 3, "factors": 8}, "bpr": {"iterations": 5, "factors": 8}}


@pytest.fixture(params=sorted(MODELS))
def fitted(request, dataset):
    return make_model(request.param, **FAST.get(request.param, {})).fit(dataset)


def test_recommend_returns_the_long_table(fitted, dataset):
    recs = fitted.recommend(["m0", "m1", "m2"], k=5)
    assert tuple(recs.columns) == RECOMMENDATION_COLUMNS
    assert recs.groupby("member_id").size().to_dict() == {"m0": 5, "m1": 5, "m2": 5}
    assert (
        recs.groupby("member_id")["rank"].apply(list)
        == pd.Series({m: [1, 2, 3, 4, 5] for m in ("m0", "m1", "m2")})
    ).all()
    assert recs.groupby("member_id")["score"].apply(lambda s: s.is_monotonic_decreasing).all()
    assert recs["reason"].map(lambda r: isinstance(r, str) and len(r) > 0).all()
    assert set(recs["title_id"]) <= set(dataset.titles.external)


def test_seen_titles_are_excluded_except_repeatable_kinds(fitted, dataset, world):
    ev = world["events"]
    for member in ("m0", "m1", "m2"):
        seen = set(ev.loc[ev["member_id"] == member, "title_id"])
        recs = fitted.recommend(member, k=10, repeat_kinds=())
        assert not seen & set(recs["title_id"]), member
    # music may repeat: m2 likes rap tracks, and with the default rule seen tracks stay eligible
    recs = fitted.recommend("m2", k=dataset.n_titles)
    seen_tracks = set(ev.loc[ev["member_id"] == "m2", "title_id"])
    assert seen_tracks <= set(recs["title_id"])


def test_all_members_and_output_formats(fitted, dataset):
    everyone = fitted.recommend(k=3, explain=False)
    assert everyone["member_id"].nunique() == dataset.n_members
    arrow = fitted.recommend(["m0"], k=3, format="arrow")
    assert arrow.column_names == list(RECOMMENDATION_COLUMNS)
    pl = pytest.importorskip("polars")
    assert isinstance(fitted.recommend(["m0"], k=3, format="polars"), pl.DataFrame)


def test_similar_titles(fitted):
    sims = fitted.similar(["comedy-0", "drama-0"], k=4)
    assert list(sims.columns) == ["title_id", "similar_title_id", "rank", "score"]
    assert not (sims["title_id"] == sims["similar_title_id"]).any()
    assert sims.groupby("title_id").size().max() <= 4


def test_save_load_round_trip(fitted, tmp_path):
    path = fitted.save(tmp_path / "model.pkl")
    again = type(fitted).load(path)
    pd.testing.assert_frame_equal(
        fitted.recommend(["m0", "m5"], k=5), again.recommend(["m0", "m5"], k=5)
    )


def test_model_file_from_another_version_is_refused(fitted, tmp_path):
    path = tmp_path / "old.pkl"
    with open(path, "wb") as fh:
        pickle.dump(
            {"magic": "halqa-recommender", "format": 0, "halqa": "0.0.1", "model": fitted.name}, fh
        )
        pickle.dump(fitted, fh)
    with pytest.raises(UserError, match="saved by halqa 0.0.1.*retrain"):
        type(fitted).load(path)
    junk = tmp_path / "junk.pkl"
    junk.write_bytes(b"not a model")
    with pytest.raises(UserError, match="not a halqa model file"):
        type(fitted).load(junk)


def test_bad_input_is_one_clear_error(fitted):
    with pytest.raises(NotFoundError, match="unknown member 'ghost'"):
        fitted.recommend(["ghost"], k=5)
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ConfigError, match="k must be a positive whole number"):
            fitted.recommend(["m0"], k=bad)
    with pytest.raises(ConfigError, match="unknown filter 'regoin'.*did you mean 'region'"):
        fitted.recommend(["m0"], k=5, filters=["regoin"])
    with pytest.raises(NotFoundError, match="unknown title"):
        fitted.similar(["nope"])


def test_unfitted_model_and_bad_parameters():
    with pytest.raises(NotFittedError, match="not fitted"):
        make_model("ease").recommend(["m0"])
    with pytest.raises(ConfigError, match="unknown parameter 'factor'.*factors"):
        make_model("als", factor=3)
    with pytest.raises(
        ConfigError, match="the 'factors' parameter of als must be greater than 0; got 0"
    ):
        make_model("als", factors=0)
    with pytest.raises(ConfigError, match="unknown model 'eas'.*did you mean 'ease'"):
        make_model("eas")


def test_personalised_models_learn_the_clusters(dataset):
    """Members of the comedy cluster get comedies first (a planted answer every CF model must find)."""
    for name in ("ease", "item-knn", "als", "transitions", "content", "hybrid"):
        model = make_model(name, **({"factors": 8} if name == "als" else {})).fit(dataset)
        recs = model.recommend([f"m{i}" for i in range(0, 30, 3)], k=3, repeat_kinds=())
        assert recs["title_id"].str.startswith("comedy").mean() >= 0.9, name


def test_filters_hide_what_a_member_may_not_see(dataset):
    model = make_model("popular").fit(dataset)
    everything = model.recommend(
        ["m1"], k=dataset.n_titles, repeat_kinds=()
    )  # m1 lives in souss-massa
    assert {"comedy-2", "drama-2"} & set(everything["title_id"])
    m0 = model.recommend(
        ["m0"], k=dataset.n_titles, filters=["region"], repeat_kinds=()
    )  # casablanca
    assert not {"comedy-2", "drama-2", "rap-2"} & set(m0["title_id"])
    minors = model.recommend(
        ["m2"], k=dataset.n_titles, filters={"age_rating": True}, repeat_kinds=()
    )  # <18
    assert not {"comedy-1", "drama-1", "rap-1"} & set(minors["title_id"])
    french = model.recommend(
        ["m0"], k=dataset.n_titles, filters={"language": ["fr"]}, repeat_kinds=()
    )
    assert set(french["title_id"]).issubset({f"drama-{j}" for j in range(12)})


def test_recommend_accepts_tables_of_members(dataset):
    model = make_model("popular").fit(dataset)
    table = pd.DataFrame({"member_id": ["m3", "m4"]})
    lists = model.recommend(table, k=2)
    assert set(lists["member_id"]) == {"m3", "m4"}
    assert list(lists.columns) == list(RECOMMENDATION_COLUMNS)
    assert lists.groupby("member_id").size().to_dict() == {"m3": 2, "m4": 2}
    np.testing.assert_array_equal(model.score(np.array([0]))[0], model.score(np.array([1]))[0])


def test_ease_cholesky_inverse_matches_the_general_inverse():
    import numpy as np

    from halqa.recommend.neighbours import _spd_inverse

    rng = np.random.default_rng(0)
    x = rng.random((40, 12))
    spd = x.T @ x + 5.0 * np.eye(12)
    assert np.allclose(_spd_inverse(spd), np.linalg.inv(spd), rtol=1e-8, atol=1e-10)
    indefinite = np.array(
        [[1.0, 2.0], [2.0, 1.0]]
    )  # symmetric, not positive definite: general inverse
    assert np.allclose(_spd_inverse(indefinite), np.linalg.inv(indefinite))


def test_configs_round_trip_through_json_and_a_model_file_says_its_format(fitted, tmp_path):
    config = fitted.config
    assert type(config).model_validate_json(config.model_dump_json()) == config
    assert make_model(fitted.name, config=config).config == config
    from halqa import __version__
    from halqa.recommend import MODEL_FORMAT

    old = tmp_path / "format1.pkl"  # this halqa, the format whose configs were dataclasses
    with open(old, "wb") as fh:
        header = {"magic": "halqa-recommender", "format": 1, "halqa": __version__}
        pickle.dump({**header, "model": fitted.name}, fh)
    with pytest.raises(UserError, match=rf"\(format 1\).*\(format {MODEL_FORMAT}\).*retrain"):
        type(fitted).load(old)


def test_every_package_export_resolves_to_its_module_object():
    import importlib

    import halqa.recommend as api

    for name in api.__all__:
        module, _, attribute = api._EXPORTS[name].partition(":")
        assert getattr(api, name) is getattr(importlib.import_module(module), attribute or name)
    assert api.Dataset.from_store.__qualname__ == "Dataset.from_store"
