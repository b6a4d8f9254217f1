"""Demo titles have distinct names (issue 13): a list showing "الحب" three times cannot be read."""

from __future__ import annotations

import pandas as pd

from halqa.demo import World


def test_title_names_are_distinct(world: World):
    titles = pd.read_csv(world.titles, dtype=str, keep_default_na=False)
    repeated = titles[titles["name"].duplicated(keep=False)].sort_values("name")
    # at most a stray clash between a planted name and a drawn one, never a vocabulary running dry
    assert len(repeated) <= 2, repeated[["title_id", "kind", "name"]].head(10).to_string()
    episodes = titles[titles["kind"] == "episode"]
    assert not episodes["name"].duplicated().any()  # later seasons carry their number
    # a clash resolved by the year keeps the translations in step with the name
    suffixed = titles[titles["name"].str.contains(r" \(\d{4}(, \d+)?\)$")]
    for _, row in suffixed.iterrows():
        suffix = row["name"][row["name"].rindex(" (") :]
        assert all(
            row[c].endswith(suffix) for c in titles.columns if c.startswith("name_") and row[c]
        )
