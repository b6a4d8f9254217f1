"""The "did you mean" of an unknown genre or theme, computed in the check that refuses it.

The check's reason is SQL evaluated by DuckDB for the refused rows only (a CASE branch), so the
suggestion is a Python function registered on the store's connection: ``difflib``'s close
matches (``halqa.catalog.taxonomy.suggest``) of the unknown term among the known ones.
"""

from __future__ import annotations

import duckdb
from duckdb.func import PythonUDFType
from duckdb.sqltypes import VARCHAR

from halqa.catalog import taxonomy

FUNCTION = "halqa_did_you_mean"


def _suggestion(term: str, known: list[str]) -> str:
    return taxonomy.suggest(term, known)


def register(con: duckdb.DuckDBPyConnection) -> None:
    """Make ``halqa_did_you_mean(term, known)`` callable on ``con`` (once per connection)."""
    [(registered,)] = con.execute(
        "SELECT count(*) FROM duckdb_functions() WHERE function_name = ?", [FUNCTION]
    ).fetchall()
    if registered:
        return
    con.create_function(
        FUNCTION,
        _suggestion,
        [VARCHAR, con.list_type(VARCHAR)],
        VARCHAR,
        type=PythonUDFType.NATIVE,
    )


def did_you_mean(term_sql: str, known_sql: str) -> str:
    """SQL for the suffix `` (did you mean 'x'?)``, empty when no known term is close."""
    return f"coalesce({FUNCTION}({term_sql}, {known_sql}), '')"
