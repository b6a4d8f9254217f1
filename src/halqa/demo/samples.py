"""Sample files for the README's tour, cut from the generated world (``<out>/samples/``).

The tour's "bring your own data" commands need files shaped like a partner's export, not like
halqa's own: a members CSV, a catalogue in JSON Lines, plays gzipped with the partner's column
names (``user``, ``played_at``), and a seed list of fans for ``halqa audience lookalike``. They
are a slice of the world (the most active members, the films and tracks they played), so
ingesting them into a fresh store beside the creators gives a small, consistent store.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

SAMPLE_MEMBERS = 300
FANS = 200  # the seed of `halqa audience lookalike --seed fans.csv`
STANDALONE_KINDS = ("film", "track", "short", "documentary", "podcast")  # no parent title needed


def write_samples(
    out_dir: Path, titles: Path, members: Path, events: list[Path]
) -> dict[str, Path]:
    """Write members.csv, catalogue.jsonl, plays.csv.gz and fans.csv under ``out_dir/samples``."""
    folder = Path(out_dir) / "samples"
    folder.mkdir(parents=True, exist_ok=True)
    people = pd.read_csv(members, dtype=str, keep_default_na=False)
    catalogue = pd.read_csv(titles, dtype=str, keep_default_na=False)
    plays = pd.concat(
        [
            pq.read_table(p, columns=["member_id", "title_id", "event_type", "ts"]).to_pandas()
            for p in events
        ],
        ignore_index=True,
    )
    standalone = catalogue[
        catalogue["kind"].isin(STANDALONE_KINDS) & (catalogue["parent_id"] == "")
    ]
    plays = plays[plays["title_id"].isin(standalone["title_id"])]
    active = plays["member_id"].value_counts().head(SAMPLE_MEMBERS).index
    chosen = plays[plays["member_id"].isin(active)]
    paths = {
        "members": folder / "members.csv",
        "catalogue": folder / "catalogue.jsonl",
        "plays": folder / "plays.csv.gz",
        "fans": folder / "fans.csv",
    }
    people[people["member_id"].isin(active)].to_csv(paths["members"], index=False, encoding="utf-8")
    _write_jsonl(standalone[standalone["title_id"].isin(chosen["title_id"])], paths["catalogue"])
    chosen.rename(columns={"member_id": "user", "ts": "played_at"}).to_csv(
        paths["plays"], index=False, encoding="utf-8", compression="gzip"
    )
    fans = _fans_of_top_title(plays)
    pd.DataFrame({"member_id": fans}).to_csv(paths["fans"], index=False)
    return paths


def _fans_of_top_title(plays: pd.DataFrame) -> list[str]:
    """Members who played the most played standalone title most often: a plausible seed audience."""
    if plays.empty:
        return []
    top = plays["title_id"].value_counts().index[0]
    return plays[plays["title_id"] == top]["member_id"].value_counts().head(FANS).index.tolist()


def _write_jsonl(titles: pd.DataFrame, path: Path) -> None:
    """One JSON object per title: lists as arrays, empty cells left out, names byte-exact."""
    lists = ("genres", "themes", "creator_ids", "available_regions")
    with path.open("w", encoding="utf-8") as out:
        for row in titles.to_dict(orient="records"):
            record = {k: (v.split("|") if k in lists else v) for k, v in row.items() if v != ""}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
