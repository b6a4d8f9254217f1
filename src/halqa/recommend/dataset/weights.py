"""How much confidence each event type adds to a (member, title) pair."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field, PositiveFloat

from halqa.catalog.event_weights import COUNTED_EVENTS, DEFAULT_WEIGHTS
from halqa.config import Config

if TYPE_CHECKING:
    import pandas as pd

# What each event type means is the catalogue's (halqa.catalog.event_weights): targeting reads the
# same defaults without importing the recommenders.
__all__ = ["COUNTED_EVENTS", "DEFAULT_WEIGHTS", "EventWeights"]


class EventWeights(Config):
    """Confidence each event type adds to a (member, title) pair.

    ``binary=True`` makes every pair with any positive event worth 1 (the MovieLens protocol).
    ``rating_scale`` multiplies ``rate`` events by ``value / rating_scale`` when a value is given.
    ``counted``: event types whose value means *more of it* (a play count, seconds listened or
    watched). Their weight is multiplied by ``1 + ln(1 + value)``: 1 play counts 1.7×, 10 plays
    3.4×, 100 plays 5.6×, an hour of listening 9.2×. Confidence grows with use but a heavy
    listener's favourite does not drown everything else (the log scaling of Hu, Koren & Volinsky
    2008, and of Johnson's logistic MF, for play counts).
    """

    weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    default: float = 1.0
    binary: bool = False
    rating_scale: PositiveFloat | None = 5.0
    counted: tuple[str, ...] = COUNTED_EVENTS

    @classmethod
    def parse(cls, value: EventWeights | Mapping[str, float] | None) -> EventWeights:
        """The defaults (None), ``value`` itself, or the defaults with some types re-weighted."""
        if value is None:
            return cls()
        if isinstance(value, EventWeights):
            return value
        return cls.build("event weights", weights={**DEFAULT_WEIGHTS, **value})

    def of(self, event_type: pd.Series, value: pd.Series) -> np.ndarray:
        """The weight of each event (``event_type`` and ``value`` aligned row by row)."""
        import pandas as pd

        codes, kinds = pd.factorize(event_type)  # a dozen event types: map those, not every row
        per_kind = np.array(
            [self.weights.get(str(k), self.default) for k in kinds] + [self.default]
        )
        w = per_kind[codes].astype(np.float64)  # code -1 (missing type) picks the default
        if self.rating_scale and "rate" in set(map(str, kinds)):
            is_rate = (codes == list(map(str, kinds)).index("rate")) & value.notna().to_numpy()
            w[is_rate] = (
                w[is_rate]
                * value.to_numpy(dtype=np.float64, na_value=0.0)[is_rate]
                / self.rating_scale
            )
        counted = [i for i, k in enumerate(map(str, kinds)) if k in self.counted]
        if counted:
            amount = value.to_numpy(dtype=np.float64, na_value=0.0)
            more = np.isin(codes, counted) & (amount > 0)
            w[more] = w[more] * (1.0 + np.log1p(amount[more]))
        return w
