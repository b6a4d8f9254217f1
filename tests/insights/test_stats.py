import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from halqa.insights import stats


@settings(max_examples=60, deadline=None)
@given(
    c1=st.integers(0, 300),
    c0=st.integers(0, 300),
    t1=st.integers(500, 5000),
    t0=st.integers(500, 5000),
)
def test_rate_ratio_p_value_is_the_exact_binomial_test(c1, c0, t1, t0):
    result = stats.rate_ratio([c1], [c0], t1, t0)
    if c1 + c0 == 0:
        return
    expected = sps.binomtest(c1, c1 + c0, t1 / (t1 + t0), alternative="greater").pvalue
    assert result["p_value"][0] == pytest.approx(expected, rel=1e-6, abs=1e-12)
    assert result["low"][0] <= result["high"][0]
    if c0 > 0 and c1 > 0:
        assert result["low"][0] <= result["growth"][0] <= result["high"][0]


def test_one_to_three_plays_has_a_wide_interval_that_includes_no_growth():
    r = stats.rate_ratio([3], [1], 1000, 1000)
    assert r["growth"][0] == 3 and r["low"][0] < 1 and r["p_value"][0] > 0.05


def test_rate_ratio_interval_covers_the_truth_about_95_percent():
    rng = np.random.default_rng(0)
    c1, c0 = rng.poisson(2 * 40, 4000), rng.poisson(40, 4000)
    r = stats.rate_ratio(c1, c0, 1000, 1000)
    coverage = np.mean((r["low"] <= 2) & (r["high"] >= 2))
    assert 0.93 <= coverage <= 0.99


def test_lift_and_its_katz_interval():
    r = stats.lift([30], [100], [100], [1000])
    assert r["lift"][0] == pytest.approx(3.0)
    se = np.sqrt(1 / 30 - 1 / 100 + 1 / 100 - 1 / 1000)
    assert r["low"][0] == pytest.approx(3 * np.exp(-1.959964 * se), rel=1e-5)


def test_shrunk_lift_prefers_a_distinctive_overlap_to_a_blockbuster_or_a_fluke():
    total, target = 10_000, 200
    blockbuster = stats.shrunk_lift(150, target, 7000, total)  # everyone watches it
    niche = stats.shrunk_lift(60, target, 400, total)  # 7.5x what chance predicts
    fluke = stats.shrunk_lift(2, target, 2, total)  # two fans in common
    assert niche > blockbuster and niche > fluke


def test_benjamini_hochberg_matches_scipy():
    p = np.array([0.01, 0.04, 0.03, 0.2])
    assert np.allclose(stats.benjamini_hochberg(p), sps.false_discovery_control(p))


def test_wilson_lower_bound_matches_the_published_value() -> None:
    from halqa.insights.stats import wilson_lower

    # 5 of 10 at 95%: the Wilson score interval is (0.2366, 0.7634)
    assert abs(wilson_lower(5, 10) - 0.2366) < 1e-4
    assert wilson_lower(50, 100) > wilson_lower(5, 10)  # the same share, better supported
