"""Columns in several languages: ``name_fr``, ``synopsis_ary_Latn`` and JSON-object ``names``.

A file may give a title's names and synopses one column per language (``name_<BCP-47 tag>``,
with ``_`` for ``-``), as one JSON object per row, or both; they are merged into the ``names``
and ``synopses`` MAP columns.
"""

from __future__ import annotations

from halqa.catalog import taxonomy
from halqa.errors import DataError
from halqa.ingest import parsers as p
from halqa.ingest.sql import ident, lit

MULTILINGUAL = {"name_": "names", "synopsis_": "synopses"}


def multilingual_columns(columns: list[str]) -> dict[str, dict[str, str]]:
    """``name_fr``, ``synopsis_ary_Latn`` -> {"names": {"fr": col}, "synopses": {"ary-Latn":
    col}}."""
    out: dict[str, dict[str, str]] = {"names": {}, "synopses": {}}
    for col in columns:
        for prefix, target in MULTILINGUAL.items():
            if col.startswith(prefix):
                tag = taxonomy.normalise_language(col[len(prefix) :])
                if tag is None:
                    raise DataError(
                        f"column {col!r}: '{col[len(prefix) :]}' is not a BCP-47 language tag "
                        f"(use e.g. {prefix}fr, {prefix}ar, {prefix}zgh, {prefix}ary_Latn)"
                    )
                out[target][tag] = col
    return out


def multilingual_values(columns: list[str]) -> dict[str, str]:
    """MAP columns built from ``name_<lang>`` columns and/or a JSON-object ``names`` column."""
    out: dict[str, str] = {}
    for target, by_lang in multilingual_columns(columns).items():
        parts = []
        if by_lang:
            entries = ", ".join(
                f"{{'key': {lit(tag)}, 'value': {p.text(ident(col))}}}"
                for tag, col in by_lang.items()
            )
            parts.append(
                f"map_from_entries(list_filter([{entries}], lambda e: e.value IS NOT NULL))"
            )
        if target in columns:
            parts.append(f"coalesce({p.string_map(ident(target))}, MAP {{}})")
        if parts:
            merged = parts[0] if len(parts) == 1 else f"map_concat({', '.join(parts)})"
            out[target] = f"(CASE WHEN cardinality({merged}) > 0 THEN {merged} END)"
    return out
