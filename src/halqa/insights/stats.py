"""The statistics behind "rising" and "over-indexes": exact tests and intervals, vectorised.

Rising uses the exact conditional test for two Poisson rates. With ``c1`` events in the
window (exposure ``T1``: all the segment's events then) and ``c0`` in the baseline (``T0``),
given ``n = c1 + c0`` the window's count is Binomial(n, T1 / (T1 + T0)) when the item's share
did not change. The one-sided p-value is the binomial upper tail; the Clopper-Pearson interval
of the binomial proportion maps one-to-one onto an exact interval for the rate ratio. Both
control for the whole segment getting busier (Ramadan evenings, a marketing push): only a
rise in the item's *share* counts.

Lift uses the Katz log interval for a ratio of two proportions.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def rate_ratio(c1, c0, t1, t0, *, alpha: float = 0.05) -> dict[str, np.ndarray]:
    """Rate ratio of window vs baseline with its exact one-sided p-value and (1-alpha) interval.

    Arrays (or scalars) of counts and exposures in, arrays out: ``growth`` (NaN when the
    baseline count is 0), ``low``, ``high`` (``inf`` when unbounded) and ``p_value``.
    """
    c1, c0 = np.asarray(c1, dtype=float), np.asarray(c0, dtype=float)
    t1, t0 = (
        np.broadcast_to(np.asarray(t1, dtype=float), c1.shape),
        np.broadcast_to(np.asarray(t0, dtype=float), c1.shape),
    )
    n = c1 + c0
    p0 = t1 / (t1 + t0)
    p_value = np.where(c1 > 0, stats.binom.sf(c1 - 1, n, p0), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_low = np.where(c1 > 0, stats.beta.ppf(alpha / 2, c1, n - c1 + 1), 0.0)
        p_high = np.where(c0 > 0, stats.beta.ppf(1 - alpha / 2, c1 + 1, n - c1), 1.0)
        scale = t0 / t1
        low = p_low / (1 - p_low) * scale
        high = np.where(p_high < 1, p_high / (1 - p_high) * scale, np.inf)
        growth = np.where(c0 > 0, (c1 / t1) / (c0 / t0), np.nan)
    return {"growth": growth, "low": low, "high": high, "p_value": p_value}


def benjamini_hochberg(p_values) -> np.ndarray:
    """False-discovery-rate adjusted p-values (q-values), same order as the input."""
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return p
    return stats.false_discovery_control(p, method="bh")


def wilson_lower(hits: int, n: int, *, alpha: float = 0.05) -> float:
    """The lower end of the Wilson score interval of the share ``hits / n`` (two-sided ``alpha``):
    a small group's lucky share counts for less than a large group's."""
    z = float(stats.norm.ppf(1 - alpha / 2))
    p = hits / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n)


def lift(a, big_a, b, big_b, *, alpha: float = 0.05) -> dict[str, np.ndarray]:
    """Share of the segment on an item (a / A) over everyone else's share (b / B), Katz interval."""
    a, big_a = np.asarray(a, dtype=float), np.asarray(big_a, dtype=float)
    b, big_b = np.asarray(b, dtype=float), np.asarray(big_b, dtype=float)
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (a / big_a) / (b / big_b)
        se = np.sqrt(1 / a - 1 / big_a + 1 / b - 1 / big_b)
        low, high = value * np.exp(-z * se), value * np.exp(z * se)
    return {"lift": value, "low": low, "high": high}


def shrunk_lift(overlap, n_target, n_other, total, *, prior: float = 5.0) -> np.ndarray:
    """Audience-overlap lift pulled towards 1 by ``prior`` pseudo-members.

    Plain lift ``overlap * total / (n_target * n_other)`` favours tiny audiences (two fans in
    common look huge); raw overlap favours blockbusters. Adding ``prior`` members to both the
    observed and the expected overlap keeps what is both distinctive and well supported.
    """
    overlap = np.asarray(overlap, dtype=float)
    expected = np.asarray(n_target, dtype=float) * np.asarray(n_other, dtype=float) / float(total)
    return (overlap + prior) / (expected + prior)


def poisson_trend(
    counts, exposure, *, alpha: float = 0.05, iterations: int = 30
) -> dict[str, np.ndarray]:
    """Log-linear growth of each row of ``counts`` (items x periods) against ``exposure``
    (periods): the Poisson regression ``log E[y_t] = log T_t + a + b t`` fitted by Newton's
    method for every item at once, with a quasi-Poisson scale (Pearson chi-square / dof, at
    least 1) so overdispersed audiences do not look more certain than they are.

    Returns per item the slope ``b`` per period, its standard error, the one-sided p-value of
    ``b > 0`` and the (1-alpha) interval of ``b``.
    """
    y = np.asarray(counts, dtype=float)
    t_exp = np.asarray(exposure, dtype=float)
    n_items, n_periods = y.shape
    t = np.arange(n_periods, dtype=float) - (n_periods - 1) / 2
    log_t = np.log(np.where(t_exp > 0, t_exp, 1.0))
    live = t_exp > 0
    a = np.log(np.maximum(y[:, live].sum(1), 0.5) / t_exp[live].sum())
    b = np.zeros(n_items)
    for _ in range(iterations):
        mu = np.exp(np.clip(a[:, None] + b[:, None] * t + log_t, -50, 50)) * live
        r = y - mu
        g0, g1 = r.sum(1), (r * t).sum(1)
        h00, h01, h11 = mu.sum(1), (mu * t).sum(1), (mu * t * t).sum(1)
        det = h00 * h11 - h01**2
        det = np.where(det > 1e-12, det, np.inf)
        a += (h11 * g0 - h01 * g1) / det
        b += (h00 * g1 - h01 * g0) / det
    mu = np.exp(np.clip(a[:, None] + b[:, None] * t + log_t, -50, 50)) * live
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = np.where(mu > 0, (y - mu) ** 2 / mu, 0.0).sum(1)
        scale = np.maximum(pearson / max(int(live.sum()) - 2, 1), 1.0)
        h00, h01, h11 = mu.sum(1), (mu * t).sum(1), (mu * t * t).sum(1)
        se = np.sqrt(scale * h00 / (h00 * h11 - h01**2))
    z = stats.norm.ppf(1 - alpha / 2)
    p_value = np.where(np.isfinite(se), stats.norm.sf(b / se), 1.0)
    return {"slope": b, "se": se, "low": b - z * se, "high": b + z * se, "p_value": p_value}
