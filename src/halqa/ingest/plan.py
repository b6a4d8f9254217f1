"""The plan of a file's ingest: the SQL that parses each canonical column and the checks that
reject a row.

``halqa.ingest.targets.plan`` builds one from the row contract (``halqa.catalog.rules``),
``halqa.ingest.references`` adds the checks against the store, and ``stage.py`` puts them into
one SELECT over the whole file. Each check names its field and builds a reason that quotes the
bad value.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Context:
    """What the checks need to know about the store and the caller's options."""

    genres: tuple[str, ...]
    themes: tuple[str, ...]
    create_missing: bool = False
    consent: frozenset[str] = frozenset()


@dataclass
class Plan:
    """Parsed value per canonical column, and the checks that reject a row.

    ``present`` lists the canonical columns the file sets: an upsert leaves the others as they are.
    """

    target: str
    values: dict[str, str] = field(default_factory=dict)
    checks: list[tuple[str, str, str]] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    # Columns the ingest fills itself (consent_at = now when --consent is given): not compared when
    # deciding whether a re-ingested row changed, and kept as stored when nothing else changed.
    derived: list[str] = field(default_factory=list)
    # Helper columns computed in a layer before the values (a timestamp's numeric reading).
    pre: dict[str, str] = field(default_factory=dict)

    def reject_when(self, field_name: str, bad_sql: str, reason_sql: str) -> None:
        """Refuse a row where ``bad_sql`` holds, for ``reason_sql`` (SQL text quoting the value)."""
        self.checks.append((field_name, bad_sql, reason_sql))


def shown(raw: str) -> str:
    """The raw value quoted in a reason (cut to 80 characters so a reason stays one line)."""
    return f"('''' || left(replace(replace({raw}, chr(10), ' '), chr(13), ' '), 80) || '''')"
