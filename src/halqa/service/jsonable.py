"""Values from DuckDB, pandas and numpy made JSON-ready (responses refuse NaN, numpy and dates)."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any


def jsonable(value: Any) -> Any:
    """Timestamps as ISO-8601, maps as dicts, numpy scalars as Python numbers, NaN/inf as null."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if hasattr(value, "item") and hasattr(value, "dtype"):  # numpy scalar or 0-d array
        value = value.item() if getattr(value, "ndim", 0) == 0 else value.tolist()
        return jsonable(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is not None and type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value
