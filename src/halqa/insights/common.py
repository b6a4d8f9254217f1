"""What every insight shares: windows, the as-of date, rounding, labels, suppression."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import TYPE_CHECKING, Any

import pandas as pd

from halqa import engines
from halqa.catalog.rules import latest_timestamp
from halqa.errors import ConfigError
from halqa.insights import queries
from halqa.insights.calendar import Period

if TYPE_CHECKING:
    from halqa.engines import AnalyticsStore

ALL_TIME_START = dt.date(1970, 1, 1)
_WINDOW = re.compile(r"^(\d+)\s*([dwm]?)$")
SUPPRESSED_NOTE = "fewer than {k} members: suppressed"


def parse_window(text: str | int | None) -> int | None:
    """``28d``, ``4w``, ``3m`` (30-day months) or a number of days; ``all`` means no limit
    (None)."""
    if text is None:
        return 28
    if isinstance(text, int):
        days = text
    else:
        value = text.strip().lower()
        if value in ("all", "all-time", "0"):
            return None
        match = _WINDOW.match(value)
        if not match:
            raise ConfigError(f"window '{text}' is not a length such as 28d, 4w, 3m or 'all'")
        days = int(match.group(1)) * {"": 1, "d": 1, "w": 7, "m": 30}[match.group(2)]
    if days < 1 or days > 3660:
        raise ConfigError(f"window of {days} days is outside 1-3660 days")
    return days


def parse_date(text: str | dt.date | None, name: str = "as-of") -> dt.date | None:
    if text is None or isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):  # the shape is right, the day is not
            raise ConfigError(f"{name} date '{text}' is not a real date ({exc})") from None
        raise ConfigError(f"{name} date '{text}' is not YYYY-MM-DD") from None


def resolve_as_of(store: AnalyticsStore, as_of: str | dt.date | None) -> dt.date:
    """The day after the window ends: given, or the day after the last consented event.

    Only plausible events anchor it (the row contract's horizon, ``halqa.catalog.rules``): one
    event stored with a typo far in the future (by an older halqa) must not empty every window."""
    day = parse_date(as_of)
    if day is not None:
        return day
    last = store.scalar("SELECT max(ts) FROM events_analytics WHERE ts <= ?", [latest_timestamp()])
    if last is None:
        raise ConfigError(
            f"{store.path}: no events with analytics consent yet (ingest events first)"
        )
    return last.date() + dt.timedelta(days=1)


def event_span(
    store: AnalyticsStore, as_of: str | dt.date | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """First and last consented event, of those before ``as_of`` when given (None, None:
    no events)."""
    day = parse_date(as_of)
    before = None if day is None else dt.datetime(day.year, day.month, day.day)
    span = engines.run(store, queries.event_span(), {"before": before})
    first, last = (span.iloc[0][c] if len(span) else None for c in ("first_ts", "last_ts"))
    return instant(first), instant(last)


def instant(value: Any) -> dt.datetime | None:
    """A timestamp an engine returned (pandas or Python,
    NULL as NaT/None) as a naive UTC datetime."""
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).to_pydatetime()


def window_period(days: int | None, as_of: dt.date) -> Period:
    start = ALL_TIME_START if days is None else as_of - dt.timedelta(days=days)
    return Period(start, as_of)


def period_params(window: Period, baseline: Period | None) -> dict[str, dt.datetime]:
    def ts(day: dt.date) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day)

    empty = Period(window.start, window.start)  # no baseline: an empty range
    base = baseline or empty
    return {
        "cur_start": ts(window.start),
        "cur_end": ts(window.end),
        "base_start": ts(base.start),
        "base_end": ts(base.end),
    }


def num(value: Any, digits: int = 3) -> float | int | None:
    """The one rounding used in reports and briefs alike (so their figures match exactly)."""
    if value is None:
        return None
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        return None
    if value.is_integer() and abs(value) < 1e15:
        return int(value)
    return round(value, digits)


def pval(value: Any) -> float | None:
    """P-values to three significant digits."""
    if value is None or math.isnan(float(value)):
        return None
    return float(f"{float(value):.3g}")


def labels(store: AnalyticsStore, by: str) -> dict[str, str]:
    """Display names of items: title and creator names as written, genre/theme English labels."""
    if by == "title":
        return dict(store.rows("SELECT title_id, name FROM titles"))
    if by == "creator":
        return dict(store.rows("SELECT creator_id, name FROM creators"))
    if by == "genre":
        return dict(store.rows("SELECT genre_id, coalesce(label_en, genre_id) FROM genres"))
    if by == "theme":
        return dict(store.rows("SELECT theme_id, coalesce(label_en, theme_id) FROM themes"))
    return {}
