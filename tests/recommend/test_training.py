"""The domain functions the CLI (and the service) call: training, the re-ranker a request asks
for, and the consent checks before a member's lists are caught up with the store."""

from __future__ import annotations

import pandas as pd
import pytest

from halqa.errors import NotFoundError, UserError
from halqa.recommend import Dataset, make_model
from halqa.recommend.rerank import LocalTalentReranker, reranker_for
from halqa.recommend.saved import catch_up_members
from halqa.recommend.training import train, tuning_axes


def test_train_tunes_only_what_the_caller_did_not_fix(dataset):
    fixed = {"regularization": 100.0}
    assert "regularization" not in tuning_axes("ease", fixed)
    trained = train(make_model("ease", **fixed), dataset, fixed, sample=20, budget_s=60)
    assert trained.tuning is not None and trained.tuning.params["regularization"] == 100.0
    assert all(params["regularization"] == 100.0 for params, _ in trained.tuning.trials)
    assert trained.model.config.regularization == 100.0
    summary = trained.summary("ease", "model.pkl")
    assert summary["config"] == trained.model.config.model_dump(mode="json")
    assert summary["tuning"]["trials"] == len(trained.tuning.trials)


def test_train_without_tuning_fits_the_model_given_and_refuses_no_events(dataset):
    model = make_model("popular", by="weight")
    trained = train(model, dataset, tuned=True)  # popular has nothing to tune
    assert trained.tuning is None and trained.model is model and model.dataset is dataset
    assert "tuning" not in trained.summary("popular", "m.pkl")
    empty = Dataset.from_frame(pd.DataFrame(columns=["member_id", "title_id", "ts"]))
    with pytest.raises(UserError, match="no consented events"):
        train(make_model("ease"), empty)


def test_reranker_for_a_request_that_asks_for_none_of_its_rules_is_none():
    assert reranker_for() is None
    assert reranker_for(emerging_years=9, new_days=5.0) is None  # settings alone ask for nothing
    ranked = reranker_for(new_share=0.2, new_days=30.0)
    assert isinstance(ranked, LocalTalentReranker)
    assert (ranked.config.new_share, ranked.config.new_days, ranked.config.local_share) == (
        0.2,
        30.0,
        0.0,
    )


def test_catch_up_members_checks_consent_and_knows_who_exists(store, world, store_loader):
    store_loader(store, world)
    model = make_model("ease").fit(Dataset.from_store(store))
    assert catch_up_members(model, store, []) == 0
    assert catch_up_members(model, store, ["m1"]) == 0  # nothing new since the fit
    with pytest.raises(NotFoundError, match="unknown member 'ghost'"):
        catch_up_members(model, store, ["m1", "ghost"])
    store.run("UPDATE members SET consent_personalisation = false WHERE member_id = 'm2'")
    with pytest.raises(UserError, match="member 'm2' has not consented"):
        catch_up_members(model, store, ["m2"])
    store.run(
        "INSERT INTO events (member_id, title_id, event_type, ts) "
        "VALUES ('m1', 'drama-3', 'like', TIMESTAMP '2027-01-01 00:00:00')"
    )
    assert catch_up_members(model, store, ["m1"]) == 1
    assert (
        model.dataset.seen()[model.dataset.member_index(["m1"])[0]]
        .toarray()
        .ravel()[model.dataset.title_index(["drama-3"])[0]]
    )
