from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from audience_world import insert

from halqa.audience.export import export_audience, read_member_list, salted_hash, write_table
from halqa.audience.lift import GroupCounts, lift_stats, measure, sample_size
from halqa.errors import UserError


def test_export_keeps_only_marketing_consent_and_records_holdout(store, world, tmp_path):
    members = world["members"]
    audience = pd.DataFrame(
        {"member_id": members.member_id, "score": np.linspace(1, 0, len(members))}
    )
    result = export_audience(store, audience, "spring", holdout=0.2, seed=1, title_id="t001")
    consented = set(members.member_id[members.consent_marketing])
    recorded = store.df("SELECT member_id, grp FROM audience_exports WHERE campaign = 'spring'")
    assert set(recorded.member_id) <= consented and len(recorded) == len(consented)
    assert set(result.exposed.member_id) <= consented
    assert result.dropped_no_consent == len(members) - len(consented) > 0
    holdout_share = (recorded.grp == "holdout").mean()
    assert 0.12 < holdout_share < 0.28
    assert not set(result.exposed.member_id) & set(recorded.member_id[recorded.grp == "holdout"])
    with pytest.raises(UserError, match="already exists"):
        export_audience(store, audience, "spring")


def test_hashed_export_contains_no_raw_ids(store, world, tmp_path):
    members = world["members"]
    result = export_audience(
        store, members[["member_id"]], "hashed", hash_salt="pepper-2026", seed=3
    )
    path = write_table(result.exposed, tmp_path / "out.csv")
    text = path.read_text()
    assert "member_id" not in text.splitlines()[0]
    assert not any(m in text for m in members.member_id)
    consented = members.member_id[members.consent_marketing]
    assert set(result.exposed.member_hash) <= {salted_hash(m, "pepper-2026") for m in consented}
    fingerprint = store.scalar(
        "SELECT salt_fingerprint FROM audience_campaigns WHERE campaign = 'hashed'"
    )
    assert fingerprint and "pepper" not in fingerprint
    with pytest.raises(UserError, match="at least 8 characters"):
        export_audience(store, members[["member_id"]], "weak", hash_salt="abc")


def test_read_member_list_errors(tmp_path):
    path = tmp_path / "seed.csv"
    path.write_text("id\nm1\n")
    with pytest.raises(UserError, match="no member_id column"):
        read_member_list(path)


def _simulated_campaign(store, world, exposed_rate, holdout_rate, seed):
    members = world["members"][["member_id"]]
    export_audience(store, members, f"camp{seed}", holdout=0.5, seed=seed, title_id="t000")
    groups = store.df(f"SELECT member_id, grp FROM audience_exports WHERE campaign = 'camp{seed}'")
    rng = np.random.default_rng(
        seed + 1000
    )  # not the export's own stream, or groups and outcomes correlate
    rate = np.where(groups.grp == "exposed", exposed_rate, holdout_rate)
    converted = groups.member_id[rng.random(len(groups)) < rate]
    later = datetime.now() + timedelta(days=1)
    insert(
        store,
        "events",
        pd.DataFrame(
            {
                "member_id": converted,
                "title_id": "t000",
                "event_type": "play",
                "ts": later,
                "value": 1.0,
            }
        ),
    )
    return measure(store, f"camp{seed}", bootstrap=4000, seed=seed)


def test_lift_recovers_a_planted_lift(store, rng):
    from audience_world import make_world

    world = make_world(store, rng, n_members=4000, n_titles=5)
    result = _simulated_campaign(store, world, 0.30, 0.15, seed=7)
    lo, hi = result["lift"]["absolute_ci"]
    assert lo <= 0.15 <= hi and lo > 0
    blo, bhi = result["lift"]["bootstrap_absolute_ci"]
    assert blo <= 0.15 <= bhi
    rlo, rhi = result["lift"]["relative_ci"]
    assert rlo <= 1.0 <= rhi  # 0.30 / 0.15 - 1
    assert result["plan"]["members"] > 0


def test_no_lift_interval_covers_zero(store, rng):
    from audience_world import make_world

    world = make_world(store, rng, n_members=4000, n_titles=5)
    result = _simulated_campaign(store, world, 0.2, 0.2, seed=11)
    lo, hi = result["lift"]["absolute_ci"]
    blo, bhi = result["lift"]["bootstrap_absolute_ci"]
    assert lo < 0 < hi and blo < 0 < bhi


def test_lift_coverage_over_many_seeded_campaigns():
    rng = np.random.default_rng(0)
    covered = 0
    for _ in range(400):
        n1, n0 = 2000, 500
        c1, c0 = rng.binomial(n1, 0.12), rng.binomial(n0, 0.10)
        lo, hi = lift_stats(GroupCounts(n1, c1), GroupCounts(n0, c0), bootstrap=0)["absolute_ci"]
        covered += lo <= 0.02 <= hi
    assert 0.92 <= covered / 400 <= 0.98


def test_sample_size_planner_matches_textbook():
    # Equal groups, 10% -> 12%, alpha 0.05, power 0.8: about 3,841 per group (unpooled formula).
    plan = sample_size(0.10, 0.02, holdout_share=0.5)
    assert 3800 <= plan["holdout"] <= 3900 and abs(plan["exposed"] - plan["holdout"]) <= 1
    assert sample_size(0.10, 0.02, holdout_share=0.1)["members"] > plan["members"]


def test_unknown_campaign_and_tiny_groups(store, world):
    with pytest.raises(UserError, match="no campaign 'nope'"):
        measure(store, "nope")
    export_audience(
        store, world["members"][["member_id"]].head(30), "tiny", holdout=0.1, title_id="t000"
    )
    with pytest.raises(UserError, match="fewer than k=10"):
        measure(store, "tiny")
