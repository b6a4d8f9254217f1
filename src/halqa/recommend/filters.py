"""Business-rule filters: which titles a member may be shown at all.

Filters are named; each takes ``True`` (use the member's own profile) or an explicit value for
everyone:

- ``region``: the title's ``available_regions`` (NULL = everywhere) must include the region.
- ``age_rating``: titles rated above the limit are hidden (members under 18 get ``12+``).
- ``language``: the title's original language must be one the member uses (titles with no
  language, or ``zxx``, e.g. instrumentals, always pass).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from halqa.catalog.taxonomy import AGE_RATINGS
from halqa.errors import ConfigError
from halqa.recommend.dataset import Dataset

FILTERS = ("region", "age_rating", "language")
_MINOR_LIMIT = "12+"


def parse_filters(filters: Mapping[str, Any] | Iterable[str] | None) -> dict[str, Any]:
    """``["region", "language"]`` or ``{"age_rating": "12+"}`` → checked dict;
    unknown names refused."""
    if not filters:
        return {}
    spec = dict(filters) if isinstance(filters, Mapping) else {name: True for name in filters}
    for name, value in spec.items():
        if name not in FILTERS:
            from halqa.catalog.taxonomy import suggest

            raise ConfigError(
                f"unknown filter '{name}'{suggest(name, FILTERS)}: use one of {', '.join(FILTERS)}"
            )
        if name == "age_rating" and value is not True and value not in AGE_RATINGS:
            raise ConfigError(
                f"age_rating filter '{value}' is not a rating: use one of {', '.join(AGE_RATINGS)}"
            )
    return {k: v for k, v in spec.items() if v is not False and v is not None}


def allowed(dataset: Dataset, member_idx: np.ndarray, spec: Mapping[str, Any]) -> np.ndarray | None:
    """Boolean members × titles mask of what may be shown, or None when nothing is filtered."""
    if not spec:
        return None
    mask = np.ones((len(member_idx), dataset.n_titles), dtype=bool)
    titles, members = dataset.title_features, dataset.member_features
    for name, value in spec.items():
        cache: dict[Any, np.ndarray] = {}  # members share a handful of regions/languages
        for row, m in enumerate(member_idx):
            wanted = _member_value(members, int(m), name) if value is True else value
            key = tuple(wanted) if isinstance(wanted, (list, np.ndarray)) else wanted
            if key not in cache:
                cache[key] = _TITLE_RULES[name](titles, wanted)
            mask[row] &= cache[key]
    return mask


def _member_value(members: Any, m: int, name: str) -> Any:
    if m >= len(members):
        return None
    if name == "region":
        return members.at[m, "region"]
    if name == "language":
        return members.at[m, "languages"]
    band = members.at[m, "age_band"]
    return _MINOR_LIMIT if band == "<18" else None


def _region_ok(titles: Any, region: Any) -> np.ndarray:
    avail = titles["available_regions"].to_numpy()
    return np.array([a is None or (region is not None and region in a) for a in avail], dtype=bool)


def _rating_ok(titles: Any, limit: Any) -> np.ndarray:
    if limit is None:
        return np.ones(len(titles), dtype=bool)
    top = AGE_RATINGS.index(limit)
    ratings = titles["age_rating"].to_numpy()
    return np.array(
        [r not in AGE_RATINGS or AGE_RATINGS.index(r) <= top for r in ratings], dtype=bool
    )


def _language_ok(titles: Any, languages: Any) -> np.ndarray:
    if not languages:
        return np.ones(len(titles), dtype=bool)
    wanted = {
        str(lang).split("-")[0]
        for lang in ([languages] if isinstance(languages, str) else languages)
    }
    langs = titles["original_language"].to_numpy()
    return np.array(
        [not lang or lang in ("zxx", "und") or str(lang).split("-")[0] in wanted for lang in langs],
        dtype=bool,
    )


_TITLE_RULES = {"region": _region_ok, "age_rating": _rating_ok, "language": _language_ok}
