"""Audience segments: ``age_band=18-24 region=casablanca-settat`` parsed, checked and named.

A segment is a conjunction of member attributes. Every query applies it through the same
static predicate (``SEGMENT_PREDICATE`` in ``halqa.insights.queries``), each key a parameter
that is NULL when the segment leaves it open, so one SQL text serves every segment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from halqa.catalog import taxonomy
from halqa.errors import ConfigError

SEGMENT_KEYS = ("age_band", "gender", "region", "country", "city", "occupation", "language")
DEFAULT_K = 10


@dataclass(frozen=True)
class Segment:
    """Member attributes that must all hold; empty means everyone with analytics consent."""

    filters: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, specs: Iterable[str] | Mapping[str, str] | None) -> Segment:
        """From ``["age_band=18-24", "region=casablanca-settat"]`` or a mapping."""
        if specs is None:
            return cls()
        pairs = list(specs.items()) if isinstance(specs, Mapping) else [_split(s) for s in specs]
        seen: dict[str, str] = {}
        for key, value in pairs:
            key = key.strip().lower().replace("-", "_")
            if key not in SEGMENT_KEYS:
                raise ConfigError(
                    f"unknown segment key '{key}'{taxonomy.suggest(key, SEGMENT_KEYS)}: "
                    f"use one of {', '.join(SEGMENT_KEYS)}"
                )
            if key in seen:
                raise ConfigError(
                    f"segment key '{key}' given twice ('{seen[key]}' and '{value}'): "
                    "a segment is one value per key"
                )
            seen[key] = _normalise(key, value.strip())
        return cls(tuple(sorted(seen.items(), key=lambda kv: SEGMENT_KEYS.index(kv[0]))))

    @property
    def label(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.filters) or "everyone"

    def params(self) -> dict[str, str | None]:
        """One parameter per segment key, NULL where the segment leaves it open."""
        values = dict(self.filters)
        return {f"seg_{key}": values.get(key) for key in SEGMENT_KEYS}

    def to_dict(self) -> dict[str, str]:
        return dict(self.filters)


def _split(spec: str) -> tuple[str, str]:
    if "=" not in spec:
        raise ConfigError(
            f"segment '{spec}' is not key=value (e.g. age_band=18-24 or region=souss-massa)"
        )
    key, value = spec.split("=", 1)
    if not value.strip():
        raise ConfigError(f"segment '{spec}' has no value after '='")
    return key, value


def _normalise(key: str, value: str) -> str:
    if key == "age_band":
        if value not in taxonomy.AGE_BANDS:
            raise ConfigError(f"age_band '{value}' is not one of {', '.join(taxonomy.AGE_BANDS)}")
        return value
    if key == "gender":
        if value.upper() not in taxonomy.GENDERS:
            raise ConfigError(f"gender '{value}' is not one of {', '.join(taxonomy.GENDERS)}")
        return value.upper()
    if key == "region":
        region = taxonomy.normalise_region(value)
        if region is None:
            raise ConfigError(
                f"region '{value}' is not a Moroccan region"
                f"{taxonomy.suggest(taxonomy.slug(value), taxonomy.REGION_IDS)}: "
                f"use one of {', '.join(taxonomy.REGION_IDS)}"
            )
        return region
    if key == "country":
        if len(value) != 2 or not value.isalpha():
            raise ConfigError(f"country '{value}' is not an ISO 3166-1 alpha-2 code (e.g. MA, FR)")
        return value.upper()
    if key == "language":
        tag = taxonomy.normalise_language(value)
        if tag is None:
            raise ConfigError(f"language '{value}' is not a BCP-47 tag (e.g. ary, fr, zgh)")
        return tag
    return value
