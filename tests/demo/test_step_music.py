"""The demo's music step on a small store whose trends are known (tests/insights/world.py: rap rises)."""

from __future__ import annotations

import os

import pytest
from rich.console import Console

from halqa.catalog import Store
from halqa.demo.steps.music import music_step, rising_style
from halqa.demo.world import World
from halqa.studio.common import ProposalBook, read_c2pa
from tests.insights import world as insights_world
from tests.studio.music.conftest import needs_fluidsynth

PLANTED_SEGMENT = [
    "age_band=18-24",
    "region=casablanca-settat",
]  # where tests/insights/world.py makes rap rise


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("music-demo") / "world.duckdb"
    with Store.open(path) as store:
        insights_world.build(store)
    return path


def test_the_rising_genre_picks_the_style(store_path):
    with Store.open(store_path, read_only=True) as store:
        style, rising = rising_style(
            store, PLANTED_SEGMENT, window="28d", as_of=insights_world.RISING_AS_OF
        )
    assert rising[0] == "rap" and style == "trap"  # rap is composed as trap, the nearest style


@needs_fluidsynth
def test_music_step_composes_the_style_planted_in_the_segment_it_scans_for(
    store_path, tmp_path, monkeypatch
):
    """No insights brief here: the step scans every segment itself and finds the planted riser."""
    monkeypatch.setattr(
        "halqa.demo.steps.music.SAMPLE_RATE", 16000
    )  # the rate the other tests load
    world = World(
        out_dir=tmp_path,
        titles=tmp_path / "t",
        creators=tmp_path / "c",
        members=tmp_path / "m",
        events=[],
        planted={"seed": 3},
    )
    with Store.open(store_path, read_only=True) as store, open(os.devnull, "w") as quiet:
        result = music_step(store, world, Console(file=quiet))
    assert sorted(result["segment"]) == sorted(PLANTED_SEGMENT)
    assert (
        result["rising"][0] == "rap" and result["style"] == "trap"
    )  # planted rap, composed as trap
    assert 60 <= result["seconds"] < 66
    assert read_c2pa(result["files"]["wav"])["provenance"]["parameters"]["style"] == result["style"]
    assert ProposalBook(tmp_path / "studio").get(result["proposal"]["id"]).status == "pending"


def test_music_step_takes_the_segment_and_genre_from_the_insights_brief(
    store_path, tmp_path, monkeypatch
):
    """The insights step's brief (the real one, written by halqa.insights) names the segment; the step
    composes the first of its rising genres that halqa composes in."""
    from halqa.insights.brief import write_brief

    monkeypatch.setenv(
        "HALQA_SOUNDFONT", str(tmp_path / "missing.sf2")
    )  # and a machine without the SoundFont
    with Store.open(
        store_path, read_only=True
    ) as store:  # as the insights step writes it: at the latest day
        write_brief(store, PLANTED_SEGMENT, tmp_path / "brief.md")
    world = World(
        out_dir=tmp_path,
        titles=tmp_path / "t",
        creators=tmp_path / "c",
        members=tmp_path / "m",
        events=[],
        planted={"seed": 3},
    )
    with Store.open(store_path, read_only=True) as store, open(os.devnull, "w") as quiet:
        result = music_step(store, world, Console(file=quiet))
    assert result["found_by"].endswith("figures.json")
    assert sorted(result["segment"]) == sorted(PLANTED_SEGMENT)
    assert result["style"] == "trap"
    assert "missing.sf2" in result["audio_skipped"]
    assert set(result["files"]) == {"midi", "musicxml"}


def test_a_briefs_rising_figures_are_read_in_rank_order():
    from halqa.studio.music.api import _genres_in

    figures = {
        "figures": [  # the shape of halqa.insights.brief's figures.json
            {
                "id": "F3",
                "source": {"report": "trends", "by": "genre", "list": "top", "item": "drama"},
                "values": {"rank": 1},
            },
            {
                "id": "F11",
                "source": {"report": "trends", "by": "genre", "list": "rising", "item": "gnawa"},
                "values": {"rank": 2, "growth": 2.1},
            },
            {
                "id": "F10",
                "source": {"report": "trends", "by": "genre", "list": "rising", "item": "rap"},
                "values": {"rank": 1, "growth": 3.9},
            },
            {
                "id": "F12",
                "source": {"report": "trends", "by": "theme", "list": "rising", "item": "youth"},
                "values": {"rank": 1},
            },
        ]
    }
    assert _genres_in(figures) == ["rap", "gnawa"]
