import pytest

from halqa.audience.lookalike import lookalike
from halqa.audience.targeting import Targeter
from halqa.audience.title import parse_title
from halqa.errors import UserError

AMAZIGH_TRACK = {
    "name": "ⴰⵣⵓⵍ ⴰⵎⴰⵢⵏⵓ",
    "kind": "track",
    "genres": ["amazigh-pop"],
    "language": "zgh",
    "region": "souss-massa",
}
COMEDY = {"name": "Dahk f Ramdan", "kind": "film", "genres": ["comedy"], "language": "ary"}


@pytest.fixture
def targeter(store, world):
    return Targeter(store)


def test_only_marketing_consented_members_are_ranked(targeter, world):
    members = world["members"]
    result = targeter.target(parse_title(COMEDY))
    consented = set(members.member_id[members.consent_marketing])
    assert set(result.audience.member_id) == consented
    assert list(result.audience.columns[:3]) == ["member_id", "score", "reasons"]
    assert (
        result.audience.score.is_monotonic_decreasing and result.audience.score.between(0, 1).all()
    )


def test_amazigh_release_reaches_its_planted_fans(targeter, world):
    result = targeter.target(parse_title(AMAZIGH_TRACK), top=40)
    members = world["members"].set_index("member_id")
    chosen = members.loc[result.audience.member_id]
    assert (chosen.region == "souss-massa").mean() >= 0.8
    assert world["amazigh"][members.index.get_indexer(result.audience.member_id)].mean() >= 0.8
    assert result.breakdown["region"]["souss-massa"] >= 32
    assert all("zgh" in langs for langs in result.audience.languages.head(20))
    assert any("souss-massa" in r or "ⴰⵎⵓⵔ" in r for r in result.audience.reasons)


def test_comedy_reaches_comedy_fans(targeter, world):
    result = targeter.target(parse_title(COMEDY), top=40)
    idx = world["members"].member_id.tolist()
    fans = world["comedy_fan"][[idx.index(m) for m in result.audience.member_id]]
    base = world["comedy_fan"][world["members"].consent_marketing.to_numpy()].mean()
    assert fans.mean() >= 2 * base


def test_breakdown_suppresses_small_groups(targeter):
    result = targeter.target(parse_title(COMEDY), top=25)
    for counts in (result.breakdown["region"], result.breakdown["age_band"]):
        assert all(v is None or v >= 10 for v in counts.values())


def test_min_score_and_existing_title(targeter, world):
    everyone = targeter.target(parse_title(COMEDY))
    cut = float(everyone.audience.score.iloc[30]) - 1e-6  # scores are shown rounded
    assert len(targeter.target(parse_title(COMEDY), min_score=cut).audience) >= 31
    existing = targeter.target_existing("t000", top=10)
    watched = set(world["events"].member_id[world["events"].title_id == "t000"])
    assert not set(existing.audience.member_id) & watched
    with pytest.raises(UserError, match="title 'zzz' is not in the store"):
        targeter.target_existing("zzz")
    with pytest.raises(UserError, match="--top must be at least 1"):
        targeter.target(parse_title(COMEDY), top=0)


def test_available_regions_limit_the_audience(targeter):
    result = targeter.target(parse_title({**COMEDY, "available_regions": ["oriental"]}))
    assert set(result.audience.region) == {"oriental"}


def test_lookalike_grows_a_seed_of_amazigh_fans(targeter, world):
    members = world["members"]
    fans = members.member_id[world["amazigh"] & members.consent_marketing.to_numpy()].tolist()
    seed, rest = fans[:30], fans[30:]
    result = lookalike(targeter.data, seed, size=len(rest))
    assert not set(result.audience.member_id) & set(seed)
    assert len(set(result.audience.member_id) & set(rest)) / len(rest) > 0.6
    report = result.report
    assert report["seed"]["coverage"] == 1.0 and report["overlap"]["members_in_seed"] == 0
    assert report["expansion"]["mean_similarity"] > report["population_mean_similarity"]
    assert report["overlap"]["region"] > 0.6


def test_lookalike_refuses_small_or_empty_seeds(targeter, world):
    with pytest.raises(UserError, match="seed is empty"):
        lookalike(targeter.data, [], size=10)
    with pytest.raises(UserError, match="at least 20 are needed"):
        lookalike(targeter.data, world["members"].member_id[:12], size=10)
