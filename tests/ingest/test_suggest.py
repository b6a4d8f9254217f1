"""The "did you mean" of an unknown term is computed by the check's own SQL, on a real DuckDB."""

from __future__ import annotations

import duckdb

from halqa.ingest import suggest
from halqa.ingest.sql import lit, str_list


def test_the_check_sql_suggests_the_closest_known_term_or_nothing() -> None:
    con = duckdb.connect()
    suggest.register(con)
    suggest.register(con)  # once per connection: a second call is a no-op, not an error
    known = str_list(["gnawa", "rap", "chaabi"])
    close, far = con.sql(
        f"SELECT {suggest.did_you_mean(lit('gnaoua'), known)}, "
        f"{suggest.did_you_mean(lit('zzzz'), known)}"
    ).fetchall()[0]
    assert close == " (did you mean 'gnawa'?)"
    assert far == ""
