"""The demo's loop closes: brief → development pack and scene → trailer → targeting of the new title.

A small demo world runs the insights, script, trailer and launch steps (music is left out: the
trailer then uses its generated pad). The launch step must target the title the trailer was cut
for, described from the earlier steps' files (no segment or title of its own), through the saved
targeter that ``halqa audience target --title`` then reuses to give the same list.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from halqa.cli.main import app
from halqa.demo.run import DEMO_STEPS, run_demo, select_steps

STEPS = ("demo_step", "studio_step", "trailer_step", "launch_step")
SMALL = {
    "seed": 7,
    "members": 2_000,
    "titles": 300,
    "events": 100_000,
}  # seed 7 plants the rising segment


@pytest.fixture(scope="module")
def loop(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("launch") / "demo"
    with pytest.MonkeyPatch.context() as patch:
        # The default demo world (11k marketing members x 2.9k titles) is past META_MF_MAX_CELLS, so its
        # blend has no meta-mf component; this small world would fit one (minutes of L-BFGS on a loaded
        # machine). The threshold set to 0 gives the small world the default world's blend.
        patch.setattr("halqa.audience.recipes.META_MF_MAX_CELLS", 0)
        summary = run_demo(
            out, console=Console(record=True, width=140), steps=select_steps(list(STEPS)), **SMALL
        )
    return summary


def test_the_launch_step_is_registered_after_the_trailer() -> None:
    keys = [s.rpartition(":")[2] for s in DEMO_STEPS]
    assert keys.index("launch_step") == keys.index("trailer_step") + 1 == len(keys) - 1


def test_the_last_step_targets_the_trailers_new_title(loop: dict) -> None:
    assert loop["failed_steps"] == [], loop["steps"]
    steps = loop["steps"]
    trailer, launch = steps["trailer_step"], steps["launch_step"]
    studio = Path(steps["studio_step"]["studio_dir"])
    # the title the trailer was cut for is the one targeted, and its card names it in Latin and Tifinagh
    assert launch["title_file"] == trailer["new_title_file"]
    assert launch["title"] == trailer["new_title"]["name"] == trailer["title"][0]
    assert any("\u2d30" <= ch <= "\u2d7f" for ch in trailer["title"][1])
    assert (
        launch["trailer"] == trailer["trailer"]
        and launch["trailer_proposal"] == trailer["proposal"]
    )
    # described from what the earlier steps wrote: the scene's name, the pack's genres, the brief's segment
    title = json.loads(Path(launch["title_file"]).read_text(encoding="utf-8"))
    pack = json.loads((studio / "development-pack.json").read_text(encoding="utf-8"))
    brief = json.loads(
        (Path(loop["out_dir"]) / "brief_files" / "figures.json").read_text(encoding="utf-8")
    )
    assert (
        title["name"]
        == Path(steps["studio_step"]["scene"]).read_text(encoding="utf-8").split("\n")[0][7:]
    )
    genres = [line["item"] for line in pack["lines"] if line["topic"] == "genre"]
    assert genres and title["genres"] == genres
    assert launch["segment_share"]["segment"] == brief["segment"] and brief["segment"]
    assert title["region"] == brief["segment"]["region"]
    # the audience was found, and the brief's segment is over-represented in it
    assert launch["size"] >= 50 and launch["models"]["model_file"].endswith("targeting.pkl")
    share = launch["segment_share"]
    assert (
        share["audience_share"] > share["population_share"]
        and launch["checks"]["brief_segment_over_represented"]
    )


def test_halqa_target_reuses_the_saved_targeter_and_gives_the_same_list(loop: dict) -> None:
    launch = loop["steps"]["launch_step"]
    top = launch["command"].split("--top ")[1].split()[0]
    result = CliRunner().invoke(
        app,
        [
            "audience",
            "target",
            "--title",
            launch["title_file"],
            "--top",
            top,
            "--db",
            loop["db"],
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    again = json.loads(result.stdout)
    assert again["models"]["fitted"] is False  # loaded, not refitted: the same code path and models
    with open(launch["audience_file"], encoding="utf-8", newline="") as handle:
        listed = [row["member_id"] for row in csv.DictReader(handle)]
    assert [m["member_id"] for m in again["members"]] == listed
