"""The demo's visual-effects step on its own (a stand-in world: only out_dir and planted are read)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from rich.console import Console

from halqa.studio.common import read_c2pa
from halqa.studio.vfx.demo import TARGET, trailer_step
from halqa.studio.vfx.media import probe


def test_trailer_step_cuts_a_titled_trailer_pending_a_person(tmp_path: Path) -> None:
    planted = {"new_releases": {"ramadan_series": {"title": {
        "name": "دار الفطور", "names": {"ary-Latn": "Dar lftour", "fr": "La maison du ftour"}}}}}
    world = SimpleNamespace(out_dir=tmp_path, planted=planted)
    console = Console(record=True, width=160)
    result = trailer_step(None, world, console)
    assert result["title"][0] == "دار الفطور" and any("\u2d30" <= ch <= "\u2d7f" for ch in result["title"][1])
    assert result["shots_found"] == len(result["planted_cuts"]) + 1
    assert abs(probe(result["trailer"]).duration - TARGET) <= 1 / 25
    assert result["status"] == "pending" and result["music_from"] == "generated pad"
    assert [a["action"] for a in read_c2pa(result["trailer"])["actions"]] == ["c2pa.opened", "c2pa.edited"]
    printed = console.export_text()
    assert "proposal" in printed and "C2PA" in printed
