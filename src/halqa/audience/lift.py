"""Measuring a campaign: conversion of the exposed group against its random holdout.

Lift is reported with two confidence intervals: the normal approximation of a
difference of proportions (and of a log risk ratio for relative lift), and a
seeded bootstrap over members. The planner says how many members the next
campaign needs to detect a given lift at a given power.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.stats import norm

from halqa.audience.breakdown import DEFAULT_K
from halqa.audience.export import campaign as load_campaign
from halqa.errors import ConfigError, UserError

if TYPE_CHECKING:  # DuckDB is imported by whoever opens the store
    from halqa.catalog import Store

CONVERSION_EVENTS = ("play", "view", "listen", "complete", "download", "add_to_list")


@dataclass
class GroupCounts:
    members: int
    converted: int

    @property
    def rate(self) -> float:
        return self.converted / self.members if self.members else float("nan")


def lift_stats(
    exposed: GroupCounts,
    holdout: GroupCounts,
    *,
    confidence: float = 0.95,
    bootstrap: int = 2000,
    seed: int = 0,
) -> dict:
    """Absolute and relative lift with normal-approximation and bootstrap intervals."""
    if not 0 < confidence < 1:
        raise ConfigError(f"confidence must be between 0 and 1 (got {confidence})")
    p1, p0, n1, n0 = exposed.rate, holdout.rate, exposed.members, holdout.members
    z = float(norm.ppf(0.5 + confidence / 2))
    diff = p1 - p0
    se = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    out: dict[str, Any] = {
        "absolute_lift": diff,
        "absolute_ci": [diff - z * se, diff + z * se],
        "relative_lift": None,
        "relative_ci": None,
        "confidence": confidence,
        "p_value": float(2 * norm.sf(abs(diff) / se)) if se > 0 else None,
    }
    if p0 > 0 and p1 > 0:
        log_rr = np.log(p1 / p0)
        se_log = np.sqrt((1 - p1) / (n1 * p1) + (1 - p0) / (n0 * p0))
        out["relative_lift"] = p1 / p0 - 1
        out["relative_ci"] = [
            float(np.exp(log_rr - z * se_log) - 1),
            float(np.exp(log_rr + z * se_log) - 1),
        ]
    if bootstrap:
        rng = np.random.default_rng(seed)
        b1 = rng.binomial(n1, p1, size=bootstrap) / n1  # resampling members = binomial draws
        b0 = rng.binomial(n0, p0, size=bootstrap) / n0
        tail = (1 - confidence) / 2 * 100
        out["bootstrap_absolute_ci"] = [
            float(v) for v in np.percentile(b1 - b0, [tail, 100 - tail])
        ]
        ok = b0 > 0
        out["bootstrap_relative_ci"] = (
            [float(v) for v in np.percentile(b1[ok] / b0[ok] - 1, [tail, 100 - tail])]
            if ok.mean() > 0.99
            else None
        )
        out["bootstrap_samples"] = bootstrap
    out["absolute_ci"] = [float(v) for v in out["absolute_ci"]]
    return out


def sample_size(
    base_rate: float,
    lift: float,
    *,
    power: float = 0.8,
    alpha: float = 0.05,
    holdout_share: float = 0.1,
) -> dict:
    """Members needed (total, exposed, holdout) to detect an absolute ``lift`` over ``base_rate``.

    Two-sided test of a difference of proportions with unequal groups:
    N = (z_{1-α/2} + z_power)² · (p1q1/(1-h) + p0q0/h) / lift².
    """
    if not 0 < base_rate < 1:
        raise ConfigError(f"the base conversion rate must be between 0 and 1 (got {base_rate:.4g})")
    if lift == 0 or not 0 < base_rate + lift < 1:
        raise ConfigError(
            f"the lift to detect must be non-zero and keep the rate within 0-1 (got {lift})"
        )
    if not 0 < holdout_share < 1 or not 0 < power < 1 or not 0 < alpha < 1:
        raise ConfigError("holdout share, power and alpha must each be between 0 and 1")
    p0, p1 = base_rate, base_rate + lift
    zsum = norm.ppf(1 - alpha / 2) + norm.ppf(power)
    total = (
        zsum**2 * (p1 * (1 - p1) / (1 - holdout_share) + p0 * (1 - p0) / holdout_share) / lift**2
    )
    total = int(np.ceil(total))
    holdout = int(np.ceil(total * holdout_share))
    return {
        "base_rate": base_rate,
        "lift": lift,
        "power": power,
        "alpha": alpha,
        "holdout_share": holdout_share,
        "members": total,
        "exposed": total - holdout,
        "holdout": holdout,
    }


def accounting(store: Store, name: str, info: dict) -> dict:
    """Why the measured groups are smaller than the exported ones, member by member.

    Exported = written to the ad platform (exposed) or kept back (holdout), marketing consent only.
    Measured = those who still have analytics consent: measuring is analytics, so a member who never
    gave it, or withdrew it since, leaves both groups (and one deleted from the store too)."""
    rows = store.rows(
        """SELECT x.grp, count(*) AS exported, count(a.member_id) AS measured,
                  count(*) FILTER (WHERE a.member_id IS NULL """
        """AND m.member_id IS NOT NULL) AS no_analytics,
                  count(*) FILTER (WHERE m.member_id IS NULL) AS gone
           FROM audience_exports x LEFT JOIN members_analytics a USING (member_id)
                LEFT JOIN members m USING (member_id)
           WHERE x.campaign = ? GROUP BY x.grp""",
        [name],
    )
    groups = {
        grp: {
            "exported": int(n),
            "measured": int(kept),
            "without_analytics_consent": int(no),
            "no_longer_in_store": int(gone),
        }
        for grp, n, kept, no, gone in rows
    }
    empty = {"exported": 0, "measured": 0, "without_analytics_consent": 0, "no_longer_in_store": 0}
    groups = {g: groups.get(g, empty) for g in ("exposed", "holdout")}
    return {
        **groups,
        "dropped_at_export_without_marketing_consent": int(info["dropped_no_consent"]),
        "holdout_share": float(info["holdout_share"]),
        "explanation": (
            "exported members without analytics consent now (never given or withdrawn since) "
            "are not measured: measuring conversions is analytics"
        ),
    }


def measure(
    store: Store,
    name: str,
    *,
    title_id: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    event_types: tuple[str, ...] = CONVERSION_EVENTS,
    confidence: float = 0.95,
    bootstrap: int = 2000,
    seed: int = 0,
    k: int = DEFAULT_K,
    detect: float | None = None,
    power: float = 0.8,
) -> dict:
    """Conversion per group (members who met the title after the campaign started), lift and a
    plan."""
    info = load_campaign(store, name)
    title = title_id or info.get("title_id")
    if not title or (isinstance(title, float) and np.isnan(title)):
        raise UserError(
            f"campaign '{name}' has no title recorded (it was exported from a file without a "
            "title_id column and without --title-id): give the title it promoted with --title-id"
        )
    start = start or info["created_at"]
    # Measurement is analytics: members who withdrew analytics consent leave both groups.
    counts = {
        grp: GroupCounts(int(n), int(c))
        for grp, n, c in store.rows(
            """SELECT x.grp, count(*) AS n,
                  count(*) FILTER (WHERE EXISTS (
                      SELECT 1 FROM events_analytics e WHERE e.member_id = x.member_id """
            """AND e.title_id = ?
                        AND e.ts >= ? AND (? IS NULL OR e.ts < ?) """
            """AND list_contains(?, e.event_type))) AS c
           FROM audience_exports x JOIN members_analytics m USING (member_id)
           WHERE x.campaign = ? GROUP BY x.grp""",
            [title, start, end, end, list(event_types), name],
        )
    }
    exposed, holdout = (
        counts.get("exposed", GroupCounts(0, 0)),
        counts.get("holdout", GroupCounts(0, 0)),
    )
    result: dict[str, Any] = {
        "campaign": name,
        "title_id": title,
        "start": str(start),
        "end": str(end) if end else None,
        "k": k,
        "title_in_catalogue": bool(
            store.scalar("SELECT count(*) FROM titles WHERE title_id = ?", [title])
        ),
    }
    result["accounting"] = accounting(store, name, info)
    if not result["title_in_catalogue"]:
        result["note"] = (
            f"title '{title}' is not in the catalogue yet: nobody can have played it, so both "
            "groups show 0 conversions until it is ingested and played"
        )
    if exposed.members < k or holdout.members < k:
        raise UserError(
            f"campaign '{name}': a group has fewer than k={k} measurable members "
            f"(exposed {exposed.members if exposed.members >= k else f'<{k}'}, holdout "
            f"{holdout.members if holdout.members >= k else f'<{k}'}); results are suppressed"
        )
    result["groups"] = {
        g: {"members": c.members, "converted": c.converted, "conversion": c.rate}
        for g, c in (("exposed", exposed), ("holdout", holdout))
    }
    result["lift"] = lift_stats(
        exposed, holdout, confidence=confidence, bootstrap=bootstrap, seed=seed
    )
    if exposed.converted + holdout.converted == 0 and "note" not in result:
        result["note"] = (
            "no conversions in either group yet: intervals are degenerate; measure again later"
        )
    observed = result["lift"]["absolute_lift"]
    target = detect if detect is not None else (observed if observed > 0 else None)
    base = holdout.rate if 0 < holdout.rate < 1 else None
    if base is None and detect is not None and exposed.members:
        base = exposed.rate if 0 < exposed.rate < 1 else None
    if target and base:
        result["plan"] = sample_size(
            base, target, power=power, holdout_share=float(info["holdout_share"]) or 0.1
        )
    else:
        result["plan"] = None
    return result
