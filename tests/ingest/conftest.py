"""Small real files for the ingest tests (written per test into tmp_path)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from halqa.ingest import ingest_files


def write_csv(
    path: Path, header: list[str], rows: list[list[object]], *, bom: bool = False
) -> Path:
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def world(store, tmp_path):
    """A store with 3 members (m1..m3, all consents) and 3 titles (t1..t3)."""
    members = write_csv(
        tmp_path / "members.csv",
        [
            "member_id",
            "age_band",
            "region",
            "consent_analytics",
            "consent_personalisation",
            "consent_marketing",
        ],
        [
            ["m1", "18-24", "souss-massa", "true", "true", "false"],
            ["m2", "25-34", "Casablanca-Settat", "1", "0", "0"],
            ["m3", "31", "9", "yes", "yes", "yes"],
        ],
    )
    titles = write_csv(
        tmp_path / "titles.csv",
        ["title_id", "kind", "name", "genres"],
        [
            ["t1", "film", "Zanka", "drama"],
            ["t2", "track", "Ghiwane song", "ghiwane"],
            ["t3", "series", "Ramadan show", "ramadan-sitcom|comedy"],
        ],
    )
    ingest_files(store, "members", [members])
    ingest_files(store, "titles", [titles])
    return store
