"""Dataset: id maps, confidence weights, consent, growth, and errors that name the problem."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from halqa.errors import ConfigError, DataError, NotFoundError
from halqa.recommend import Dataset, EventWeights, IdMap


def test_id_map_round_trip_and_growth():
    ids = IdMap.from_values(["b", "a", "b", 7])
    assert list(ids.external) == ["b", "a", "7"]
    assert list(ids.to_internal(["a", "7"])) == [1, 2]
    grown = ids.extend(["z", "a"])
    assert list(grown.external) == ["b", "a", "7", "z"]  # existing indices never move
    assert list(grown.to_internal(["z"], strict=False)) == [3]
    assert list(ids.to_internal(["nope"], strict=False)) == [-1]
    with pytest.raises(NotFoundError, match="unknown id 'nope'"):
        ids.to_internal(["nope"])


def test_event_weights_rank_complete_over_play_over_skip():
    ev = pd.DataFrame(
        {
            "member_id": ["m"] * 4,
            "title_id": ["done", "liked", "played", "skipped"],
            "event_type": ["complete", "like", "play", "skip"],
            "ts": [1, 2, 3, 4],
        }
    )
    ds = Dataset.from_frame(ev)
    row = ds.matrix()[0].toarray().ravel()[ds.title_index(["done", "liked", "played", "skipped"])]
    assert row[0] > row[1] > row[2] > row[3] > 0
    binary = Dataset.from_frame(ev, weights=EventWeights(binary=True)).matrix()
    assert set(binary.data) == {1.0}
    custom = Dataset.from_frame(ev, weights={"skip": 0.0}).matrix()[0].toarray().ravel()
    assert custom[ds.title_index(["skipped"])[0]] == 0.0


def test_event_weights_are_a_config_that_refuses_what_is_not_a_number():
    weights = EventWeights.parse({"like": 5})
    assert weights.weights["like"] == 5.0 and weights.weights["play"] == 1.0  # defaults kept
    assert EventWeights.model_validate_json(weights.model_dump_json()) == weights
    with pytest.raises(ConfigError, match="'weights.like' parameter of event weights"):
        EventWeights.parse({"like": "lots"})
    with pytest.raises(ConfigError, match="'rating_scale' parameter .* greater than 0; got 0"):
        EventWeights.build("event weights", rating_scale=0)


def test_dislike_removes_preference_but_counts_as_seen():
    ev = pd.DataFrame(
        {
            "member_id": ["m", "m"],
            "title_id": ["t", "t"],
            "event_type": ["play", "dislike"],
            "ts": ["2026-01-01T10:00:00", "2026-01-01T10:05:00"],
        }
    )
    ds = Dataset.from_frame(ev)
    assert ds.matrix().nnz == 0
    assert ds.seen().nnz == 1


def test_timestamps_accept_iso_unix_seconds_and_milliseconds():
    base = {"member_id": ["m"], "title_id": ["t"]}
    iso = Dataset.from_frame(pd.DataFrame({**base, "ts": ["2026-01-01T00:00:00Z"]})).events["ts"][0]
    sec = Dataset.from_frame(pd.DataFrame({**base, "ts": [1767225600]})).events["ts"][0]
    ms = Dataset.from_frame(pd.DataFrame({**base, "ts": [1767225600000]})).events["ts"][0]
    assert iso == sec == ms == 1767225600


def test_missing_column_is_named():
    with pytest.raises(DataError, match="missing column.*ts"):
        Dataset.from_frame(pd.DataFrame({"member_id": ["m"], "title_id": ["t"]}))


def test_polars_and_arrow_inputs(world):
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    events = world["events"].assign(ts=world["events"]["ts"].astype("datetime64[us]"))
    a = Dataset.from_frame(pa.Table.from_pandas(events))
    p = Dataset.from_frame(pl.from_pandas(events))
    assert a.matrix().nnz == p.matrix().nnz == Dataset.from_frame(events).matrix().nnz


def test_with_events_keeps_indices_and_appends_new_ids(dataset):
    before = dataset.title_index(["comedy-0"])[0]
    grown = dataset.with_events(
        pd.DataFrame(
            {
                "member_id": ["new-member"],
                "title_id": ["new-title"],
                "event_type": ["play"],
                "ts": [pd.Timestamp("2026-02-01")],
            }
        )
    )
    assert grown.title_index(["comedy-0"])[0] == before
    assert grown.n_members == dataset.n_members + 1 and grown.n_titles == dataset.n_titles + 1
    assert grown.matrix().shape == (grown.n_members, grown.n_titles)
    assert dataset.matrix().shape == (
        dataset.n_members,
        dataset.n_titles,
    )  # the original is untouched


def test_recency_matrix_weighs_the_latest_event_most():
    ev = pd.DataFrame({"member_id": ["m"] * 3, "title_id": ["old", "mid", "new"], "ts": [1, 2, 3]})
    ds = Dataset.from_frame(ev, weights=EventWeights(binary=True))
    row = ds.recency_matrix(1.0)[0].toarray().ravel()[ds.title_index(["old", "mid", "new"])]
    assert row == pytest.approx([0.25, 0.5, 1.0])


def test_from_store_reads_only_consented_members(store, world, store_loader):
    store_loader(store, world)
    store.run("UPDATE members SET consent_personalisation = false WHERE member_id = 'm0'")
    ds = Dataset.from_store(store)
    assert "m0" not in ds.members
    assert "m1" in ds.members
    assert ds.n_titles == len(world["titles"])
    names = ds.title_names(ds.title_index(["comedy-0"]))
    assert names == ["فيلم comedy 0"]  # Arabic survives byte-exact
    assert ds.creators.loc["c3", "name"] == "ⵜⴰⵙⴰ"
    assert np.asarray(
        ds.title_features.loc[ds.title_index(["comedy-0"])[0], "genres"]
    ).tolist() == ["comedy"]


_EVENT_TYPES = ("play", "complete", "skip", "dislike", "like")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 6), st.sampled_from(_EVENT_TYPES)),
        min_size=1,
        max_size=40,
    ),
    st.integers(0, 40),
)
def test_fold_in_matrices_equal_a_rebuild_from_all_events(rows, cut):
    """with_events updates the cached sums by addition (new members, new titles, dislikes that
    cancel earlier plays); the result must equal building from every event at once."""
    ev = pd.DataFrame(
        {
            "member_id": [f"m{m}" for m, _, _ in rows],
            "title_id": [f"t{t}" for _, t, _ in rows],
            "event_type": [e for _, _, e in rows],
            "ts": range(len(rows)),
        }
    )
    cut = min(cut, len(ev) - 1) or 1
    base = Dataset.from_frame(ev.iloc[:cut])
    base.matrix(), base.seen()  # cached: the grown copy inherits and adds
    grown = base.with_events(ev.iloc[cut:])
    whole = Dataset.from_frame(ev)
    order = whole.member_index(list(grown.members.external))
    titles = whole.title_index(list(grown.titles.external))
    for mine, theirs in ((grown.matrix(), whole.matrix()), (grown.seen(), whole.seen())):
        expected = theirs[order][:, titles].toarray()
        np.testing.assert_allclose(mine.toarray(), expected, rtol=1e-6)
        assert mine.dtype == np.float32
