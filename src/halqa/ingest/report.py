"""What an ingest did: per file and in total."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class FileReport:
    """Counts for one input file (one transaction, one row of the ``ingests`` table)."""

    file: str
    ingest_id: int
    format: str
    rows: int = 0  # data rows read, good and bad
    accepted: int = 0  # rows stored: inserted, or updated with new values
    updated: int = 0  # of accepted, rows that replaced an existing key (entity tables)
    rejected: int = 0
    duplicates: int = 0  # rows already stored unchanged, or repeated within the file
    created: int = 0  # placeholder members/titles/creators made by create_missing
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> source column used
    ignored_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class IngestReport:
    """The outcome of ``ingest_files`` / ``import_movielens``;
    ``to_dict`` is what ``--json`` prints."""

    target: str
    files: list[FileReport] = field(default_factory=list)
    quarantine: Path | None = None  # the quarantine CSV of this run, None when nothing was rejected
    parts: dict[str, IngestReport] = field(
        default_factory=dict
    )  # import_movielens: one report per target
    # With parts: the part whose counts are the headline (MovieLens: the ratings, i.e. events).
    headline: str | None = None

    def _sum(self, name: str) -> int:
        if self.headline:
            return self.parts[self.headline]._sum(name)
        return self._total(name)

    def _total(self, name: str) -> int:
        own = sum(getattr(f, name) for f in self.files)
        return own + sum(p._total(name) for p in self.parts.values())

    @property
    def accepted(self) -> int:
        return self._sum("accepted")

    @property
    def rejected(self) -> int:
        return self._sum("rejected")

    @property
    def duplicates(self) -> int:
        return self._sum("duplicates")

    @property
    def created(self) -> int:
        return self._sum("created")

    @property
    def updated(self) -> int:
        return self._sum("updated")

    @property
    def rows(self) -> int:
        return self._sum("rows")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "target": self.target,
            "rows": self.rows,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "created": self.created,
            "updated": self.updated,
            "quarantine": str(self.quarantine) if self.quarantine else None,
            "files": [asdict(f) for f in self.files],
        }
        if self.parts:
            out["parts"] = {k: v.to_dict() for k, v in self.parts.items()}
            out["totals"] = {
                n: self._total(n)
                for n in ("rows", "accepted", "rejected", "duplicates", "created", "updated")
            }
        return out
