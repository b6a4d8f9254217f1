"""Rows the service receives (posted events, upserted members and titles) as the frames a
recommender's ``add_events``, ``add_members`` and ``add_titles`` take."""

from __future__ import annotations

from typing import Any

import pandas as pd


def events_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Posted events as ``add_events`` reads them (timestamps parsed, value optional)."""
    return pd.DataFrame(
        {
            "member_id": [r["member_id"] for r in rows],
            "title_id": [r["title_id"] for r in rows],
            "event_type": [r["event_type"] for r in rows],
            "ts": pd.to_datetime([r["ts"] for r in rows]),
            "value": [r.get("value") for r in rows],
        }
    )


def rows_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Member or title rows, one column per field, for ``add_members`` and ``add_titles``."""
    return pd.DataFrame(rows)
