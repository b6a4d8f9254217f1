"""Tables in and out: pandas, Polars or Arrow at the public boundary, pandas inside."""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd

from halqa.errors import ConfigError, DataError

Format = Literal["pandas", "polars", "arrow"]
FORMATS = ("pandas", "polars", "arrow")


def to_pandas(table: Any, what: str = "table") -> pd.DataFrame:
    """Accept a pandas, Polars or Arrow table (or anything pandas can read) as a DataFrame."""
    if table is None:
        return pd.DataFrame()
    if isinstance(table, pd.DataFrame):
        return table
    if hasattr(table, "to_pandas"):  # pyarrow.Table, polars.DataFrame
        return table.to_pandas()
    try:
        return pd.DataFrame(table)
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"{what}: expected a pandas, Polars or Arrow table, got {type(table).__name__}"
        ) from exc


def from_pandas(frame: pd.DataFrame, format: str = "pandas") -> Any:
    """Return ``frame`` as the requested table type."""
    if format == "pandas":
        return frame
    if format == "arrow":
        import pyarrow as pa

        return pa.Table.from_pandas(frame, preserve_index=False)
    if format == "polars":
        try:
            import polars as pl
        except ImportError as exc:
            from halqa.errors import BackendUnavailableError

            raise BackendUnavailableError(
                "format='polars' needs Polars: pip install 'halqa[polars]'"
            ) from exc
        return pl.from_pandas(frame)
    raise ConfigError(f"unknown format '{format}': use one of {', '.join(FORMATS)}")


def require_columns(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"{what}: missing column(s) {', '.join(missing)}; "
            f"expected at least {', '.join(columns)} (found "
            f"{', '.join(map(str, frame.columns)) or 'none'})"
        )
