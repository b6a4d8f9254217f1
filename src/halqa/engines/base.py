"""A query definition: one named SQL text (DuckDB dialect, ``$name`` parameters) that every
engine runs. DuckDB runs it as written; Spark runs its sqlglot transpilation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class QueryDef:
    """A named analytics query; ``sql`` is DuckDB SQL with ``$name`` parameters."""

    name: str
    sql: str
    doc: str = ""

    @cached_property
    def params(self) -> tuple[str, ...]:
        """The ``$name`` parameters the SQL names, in order of first use."""
        return tuple(dict.fromkeys(_PARAM.findall(self.sql)))

    def bind(self, values: dict[str, Any]) -> dict[str, Any]:
        """The parameters this query names, taken from ``values`` (missing ones are NULL)."""
        return {name: values.get(name) for name in self.params}
