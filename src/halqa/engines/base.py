"""A query definition: one named SQL text (DuckDB dialect, ``$name`` parameters) that every
engine runs. DuckDB runs it as written; Spark runs its sqlglot transpilation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class QueryDef:
    """A named analytics query; ``sql`` is DuckDB SQL with ``$name`` parameters."""

    name: str
    sql: str
    doc: str = ""
    params: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", tuple(dict.fromkeys(_PARAM.findall(self.sql))))

    def bind(self, values: dict) -> dict:
        """The parameters this query names, taken from ``values`` (missing ones are NULL)."""
        return {name: values.get(name) for name in self.params}
