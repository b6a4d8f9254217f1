"""Small helpers to write SQL text safely: literals, identifiers, lists."""

from __future__ import annotations

from collections.abc import Iterable

# Separates the field from the reason inside the one-string error column of a stage;
# a control character so that no real field name or reason can contain it.
ERR_SEP = "\x1f"


def lit(value: object) -> str:
    """A SQL literal for a str/int/float/bool/None."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted identifier (source columns can hold spaces, quotes, Arabic...)."""
    return '"' + name.replace('"', '""') + '"'


def str_list(values: Iterable[str]) -> str:
    """A VARCHAR[] literal."""
    items = ", ".join(lit(v) for v in values)
    return f"[{items}]::VARCHAR[]"


def case_map(expr: str, mapping: dict[str, str], default: str) -> str:
    """``CASE expr WHEN k THEN v ... ELSE default END`` (cheaper than a MAP lookup per row)."""
    if not mapping:
        return default
    whens = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in mapping.items())
    return f"(CASE {expr} {whens} ELSE {default} END)"


def error(field: str, reason_sql: str) -> str:
    """The value of a stage's ``_err`` column: field, separator, reason (a SQL expression)."""
    return f"({lit(field + ERR_SEP)} || {reason_sql})"
