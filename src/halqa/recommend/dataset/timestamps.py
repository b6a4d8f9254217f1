"""Event times as int64 unix seconds, whatever form they came in."""

from __future__ import annotations

import numpy as np
import pandas as pd

from halqa.errors import DataError


def unix_seconds(ts: pd.Series) -> pd.Series:
    """Timestamps (datetime, ISO text, unix s or ms) as int64 unix seconds."""
    if pd.api.types.is_numeric_dtype(ts):
        values = ts.to_numpy(dtype=np.float64)
        if np.isnan(values).any():
            raise DataError("events: ts has empty values; every event needs a time")
        # a value past 1e11 s (year 5138) can only be milliseconds
        return pd.Series(
            np.where(values > 1e11, values / 1000, values).astype(np.int64), index=ts.index
        )
    try:
        parsed = pd.to_datetime(ts, utc=True, format="mixed")
    except (ValueError, TypeError) as exc:
        raise DataError(f"events: ts is not a time ({exc}); use ISO-8601 or unix seconds") from None
    if parsed.isna().any():
        raise DataError("events: ts has empty values; every event needs a time")
    return pd.Series(
        parsed.astype("datetime64[us, UTC]").astype(np.int64) // 1_000_000, index=ts.index
    )
