"""Where a query definition meets DuckDB: run it on a halqa Store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from halqa.engines.base import QueryDef

if TYPE_CHECKING:
    from halqa.catalog import Store


def run(
    store: Store, query: QueryDef, params: dict[str, Any] | None = None, *, format: str = "pandas"
) -> Any:
    """Run ``query`` on ``store`` (a ``halqa.catalog.Store``) with its parameters from ``params``.

    Returns a pandas DataFrame, or a ``pyarrow.Table`` with ``format="arrow"``.
    """
    bound = query.bind(params or {})
    if format == "arrow":
        return store.arrow(query.sql, bound)
    return store.df(query.sql, bound)


def stage(store: Store, name: str, query: QueryDef, params: dict[str, Any] | None = None) -> None:
    """Keep the result of ``query`` as temporary table ``name`` (this connection only) so that
    later definitions can read it; works on read-only stores too."""
    store.run(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {query.sql}', query.bind(params or {}))


def unstage(store: Store, name: str) -> None:
    store.run(f'DROP TABLE IF EXISTS temp."{name}"')
