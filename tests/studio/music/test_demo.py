"""The demo's music step on a small store whose trends are known (tests/insights/world.py: rap rises)."""

from __future__ import annotations

import os

import pytest
from rich.console import Console

from halqa.catalog import Store
from halqa.demo.world import World
from halqa.studio.common import ProposalBook, read_c2pa
from halqa.studio.music.demo import music_step, rising_style
from tests.insights import world as insights_world
from tests.studio.music.conftest import needs_fluidsynth


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("music-demo") / "world.duckdb"
    with Store.open(path) as store:
        insights_world.build(store)
    return path


def test_the_rising_genre_picks_the_style(store_path):
    with Store.open(store_path, read_only=True) as store:
        style, rising = rising_style(store, ["age_band=18-24", "region=casablanca-settat"], window="28d",
                                     as_of=insights_world.RISING_AS_OF)
    assert rising[0] == "rap" and style == "trap"  # rap is composed as trap, the nearest style


@needs_fluidsynth
def test_music_step_writes_a_one_minute_piece_with_provenance(store_path, tmp_path, monkeypatch):
    monkeypatch.setattr("halqa.studio.music.demo.SAMPLE_RATE", 16000)  # the rate the other tests load
    world = World(out_dir=tmp_path, titles=tmp_path / "t", creators=tmp_path / "c", members=tmp_path / "m",
                  events=[], planted={"seed": 3})
    with Store.open(store_path, read_only=True) as store, open(os.devnull, "w") as quiet:
        result = music_step(store, world, Console(file=quiet))
    assert 60 <= result["seconds"] < 66
    assert read_c2pa(result["files"]["wav"])["provenance"]["parameters"]["style"] == result["style"]
    assert ProposalBook(tmp_path / "studio").get(result["proposal"]["id"]).status == "pending"


def test_music_step_without_a_soundfont_still_writes_the_score(store_path, tmp_path, monkeypatch):
    monkeypatch.setenv("HALQA_SOUNDFONT", str(tmp_path / "missing.sf2"))  # a machine without the SoundFont
    world = World(out_dir=tmp_path, titles=tmp_path / "t", creators=tmp_path / "c", members=tmp_path / "m",
                  events=[], planted={"seed": 3})
    with Store.open(store_path, read_only=True) as store, open(os.devnull, "w") as quiet:
        result = music_step(store, world, Console(file=quiet))
    assert "missing.sf2" in result["audio_skipped"]
    assert set(result["files"]) == {"midi", "musicxml"}
