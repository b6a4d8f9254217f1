"""Beat sheets on a draft, and the development pack built from a real insights brief."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from halqa.catalog import Store
from halqa.cli.main import app
from halqa.studio.script.beats import beat_sheet, element_pages
from halqa.studio.script.fountain import parse_fountain
from halqa.studio.script.layout import paginate
from halqa.studio.script.sample import long_script

INSIGHTS_WORLD = Path(__file__).resolve().parents[2] / "insights" / "world.py"


def _marked_draft() -> str:
    out, scene = [], 0
    for line in long_script(220).split("\n"):
        if line.startswith(("INT.", "EXT.")):
            scene += 1
            marks = {
                1: ["# Act One", "# Opening Image"],
                25: ["[[beat: catalyst]]"],
                50: ["# Act Two"],
                110: ["# Midpoint"],
                200: ["# Act Three"],
            }.get(scene, [])
            for mark in marks:
                out += [mark, ""]
        out.append(line)
    return "\n".join(out)


def test_beats_found_missing_and_acts() -> None:
    script = parse_fountain(_marked_draft())
    sheet = beat_sheet(script)
    pages = element_pages(paginate(script), len(script.elements))
    page_of = {el.text: pages[i] for i, el in enumerate(script.elements) if el.kind == "section"}
    beats = {b["beat"]: b for b in sheet["beats"]}
    assert len(sheet["beats"]) == 15 and sheet["pages"] > 100
    assert beats["Opening Image"]["status"] == "on target" and beats["Opening Image"]["page"] == 1
    assert beats["Catalyst"]["page"] is not None and beats["Midpoint"]["page"] is not None
    assert "Theme Stated" in sheet["missing"] and "Catalyst" not in sheet["missing"]
    acts = sheet["acts"]
    assert [a["from"] for a in acts] == ["start", "section", "section"]
    assert sum(a["pages"] for a in acts) == sheet["pages"]
    assert (acts[1]["start"], acts[2]["start"]) == (page_of["Act Two"], page_of["Act Three"])
    assert beats["Midpoint"]["page"] == page_of["Midpoint"]
    assert beats["Midpoint"]["status"] == "on target"  # page 60 against a target of 59 (+-3)


def test_a_late_catalyst_is_reported_late() -> None:
    draft = (
        _marked_draft()
        .replace("[[beat: catalyst]]", "")
        .replace("# Midpoint", "[[beat: Catalyst]]")
    )
    catalyst = next(
        b for b in beat_sheet(parse_fountain(draft))["beats"] if b["beat"] == "Catalyst"
    )
    assert catalyst["status"] == "late" and catalyst["page"] > catalyst["target"][1]


@pytest.fixture(scope="module")
def insights_store(tmp_path_factory) -> tuple[Path, object]:
    spec = importlib.util.spec_from_file_location("insights_world", INSIGHTS_WORLD)
    world = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(world)
    path = tmp_path_factory.mktemp("develop") / "world.duckdb"
    with Store.open(path) as store:
        world.build(store)
    return path, world.RISING_AS_OF


def test_development_pack_cites_only_brief_figures(insights_store, tmp_path: Path) -> None:
    db, as_of = insights_store
    result = CliRunner().invoke(
        app,
        [
            "script",
            "develop",
            "--segment",
            "age_band=18-24",
            "--segment",
            "region=casablanca-settat",
            "--as-of",
            str(as_of),
            "--db",
            str(db),
            "--out",
            str(tmp_path / "pack.md"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    brief_figures = json.loads(
        (tmp_path / "pack-brief_files" / "figures.json").read_text(encoding="utf-8")
    )["figures"]
    by_id = {f["id"]: f for f in brief_figures}
    pack = out["pack"]
    assert pack["lines"] and all(line["figures"] for line in pack["lines"])
    for line in pack["lines"]:
        for fid in line["figures"]:
            assert by_id[fid] == next(
                f for f in pack["figures"] if f["id"] == fid
            )  # same values as the brief
    genre = next(line for line in pack["lines"] if line["topic"] == "genre")
    assert genre["item"] == "rap"  # the world plants rap rising for this segment
    rising = next(by_id[f] for f in genre["figures"] if by_id[f]["source"].get("list") == "rising")
    assert (
        f"x{rising['values']['growth']}" in genre["text"]
    )  # the number is the brief's, not recomputed
    markdown = (tmp_path / "pack.md").read_text(encoding="utf-8")
    for line in markdown.splitlines():
        if line.startswith("- ") and "no figure" not in line:
            assert re.search(r"\[F\d+\]", line), line
