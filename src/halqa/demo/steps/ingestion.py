"""The demo's second step: what the store holds after ingesting the world's files."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from halqa.catalog import Store
from halqa.demo.world import World


def ingestion_summary(store: Store, world: World, console: Console) -> dict[str, Any]:
    """Row counts in the store and what the ingest runs accepted, rejected and skipped."""
    counts = store.counts()
    runs = store.rows(
        "SELECT target, sum(accepted), sum(rejected), sum(duplicates), count(*) FROM ingests "
        "WHERE status = 'done' GROUP BY target ORDER BY target"
    )
    consent = store.rows(
        "SELECT count(*) FILTER (consent_analytics), count(*) FILTER (consent_personalisation), "
        "count(*) FILTER (consent_marketing), count(*) FROM members"
    )[0]
    table = Table(title=f"Store {store.path}")
    for col in ("table", "rows"):
        table.add_column(col, justify="right" if col == "rows" else "left")
    for name in ("creators", "titles", "members", "events", "quarantine"):
        table.add_row(name, f"{counts[name]:,}")
    console.print(table)
    return {
        "counts": counts,
        "ingests": {
            t: {
                "accepted": int(a or 0),
                "rejected": int(r or 0),
                "duplicates": int(d or 0),
                "runs": n,
            }
            for t, a, r, d, n in runs
        },
        "consent": {
            "analytics": consent[0],
            "personalisation": consent[1],
            "marketing": consent[2],
            "members": consent[3],
        },
    }
