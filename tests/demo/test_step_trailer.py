"""The demo's visual-effects step on its own (a stand-in world: only out_dir is read)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from rich.console import Console

from halqa.demo.steps.trailer import TARGET, trailer_step
from halqa.studio.common import read_c2pa
from halqa.studio.vfx.media import probe


def test_trailer_step_cuts_a_titled_trailer_pending_a_person(tmp_path: Path) -> None:
    from halqa.demo.steps.script import SCENE

    (tmp_path / "studio").mkdir()
    (tmp_path / "studio" / "scene.fountain").write_text(
        SCENE, encoding="utf-8"
    )  # what the script step writes
    world = SimpleNamespace(out_dir=tmp_path, planted={})
    console = Console(record=True, width=160)
    result = trailer_step(None, world, console)
    # the card: the scene's title, the same in Tifinagh, and the scene's first Arabic line as the tagline
    assert result["title"][0] == "Darb Sultan" and result["title"][1] == "ⴷⴰⵔⴱ ⵙⵓⵍⵜⴰⵏ"
    assert result["title"][2].startswith("واش سمعتي")
    assert result["new_title"]["name"] == "Darb Sultan" and result["new_title"]["language"] == "ary"
    assert result["shots_found"] == len(result["planted_cuts"]) + 1
    assert abs(probe(result["trailer"]).duration - TARGET) <= 1 / 25
    assert result["proposal_status"] == "pending" and result["music_from"] == "generated pad"
    assert [a["action"] for a in read_c2pa(result["trailer"])["actions"]] == [
        "c2pa.opened",
        "c2pa.edited",
    ]
    printed = console.export_text()
    assert "proposal" in printed and "C2PA" in printed
