"""The issue's "Done means": each style writes MIDI, MusicXML, WAV and stems with provenance (real FluidSynth)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from halqa.cli.main import app
from halqa.studio.common import read_c2pa, read_sidecar
from tests.studio.music.conftest import needs_fluidsynth

runner = CliRunner()
RATE = "16000"  # pitch is not measured here; a low rate keeps the renders fast

STYLE_ARGS = {
    "chaabi": ["--style", "chaabi"],
    "gnawa": ["--style", "gnawa"],
    "andalusi": ["--style", "andalusi", "--mode", "rasd", "--rhythm", "quddam"],
    "ahidous": ["--style", "ahidous"],
    "rai": ["--style", "rai"],
    "trap": ["--style", "trap"],
    "rast": ["--style", "rast"],
    "bayati": ["--style", "bayati"],
    "sikah": ["--style", "sikah"],
    "hijaz": ["--style", "maqam", "--mode", "hijaz"],
}


def run(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@needs_fluidsynth
@pytest.mark.parametrize("style", sorted(STYLE_ARGS))
def test_compose_writes_every_output_with_provenance(studio, style):
    out = run(
        "music", "compose", *STYLE_ARGS[style], "--bars", "4", "--seed", "1", "--sample-rate", RATE
    )
    files = out["files"]
    for kind in ("midi", "musicxml", "wav"):
        assert Path(files[kind]).stat().st_size > 0
        prov = read_sidecar(files[kind])
        assert prov.tool == "music.compose" and prov.parameters["seed"] == 1
        assert prov.parameters["style"] == out["piece"]["style"]
    roles = {t["name"] for t in out["piece"]["tracks"]}
    assert set(files["stems"]) == roles and "percussion" in roles and "melody" in roles
    for stem in files["stems"].values():
        assert read_sidecar(stem).generator == "halqa.studio.music.markov"
    manifest = read_c2pa(files["wav"])
    assert manifest["provenance"]["parameters"]["mode"] == out["piece"]["mode"]
    assert any(a["action"] == "c2pa.created" for a in manifest["actions"])
    assert out["loudness_lufs"] == pytest.approx(-14.0, abs=0.5)
    assert out["proposal"]["status"] == "pending"


@needs_fluidsynth
def test_a_proposal_is_accepted_once_and_listed(studio):
    out = run(
        "music",
        "compose",
        "--style",
        "gnawa",
        "--bars",
        "2",
        "--seed",
        "9",
        "--sample-rate",
        RATE,
        "--no-stems",
    )
    pid = out["proposal"]["id"]
    assert run("music", "proposals", "--status", "pending")["proposals"][0]["id"] == pid
    assert run("music", "accept", pid, "--by", "Latifa")["status"] == "accepted"
    again = runner.invoke(app, ["music", "reject", pid, "--by", "Omar"])
    assert again.exit_code == 2 and "Traceback" not in again.output
    # the same request again finds the same proposal instead of adding one
    assert (
        run(
            "music",
            "compose",
            "--style",
            "gnawa",
            "--bars",
            "2",
            "--seed",
            "9",
            "--sample-rate",
            RATE,
            "--no-stems",
        )["proposal"]["id"]
        == pid
    )


def test_no_audio_still_writes_midi_and_musicxml(studio):
    out = run("music", "compose", "--style", "trap", "--bars", "2", "--no-audio")
    assert set(out["files"]) == {"midi", "musicxml"}


@pytest.mark.parametrize(
    "args,message",
    [
        (["compose", "--style", "rast", "--mode", "zanjaran"], "unknown mode or maqam 'zanjaran'"),
        (["compose", "--tempo", "0"], "'tempo' parameter of music compose"),
        (["compose", "--bars", "10000"], "'bars' parameter of music compose"),
        (["compose", "--style", "polka"], "unknown style 'polka'"),
        (["analyse", "NOTMIDI"], "not a MIDI file"),
        (["continue", "NOTMIDI"], "not a MIDI file"),
        (["accompany", "NOTMIDI", "--style", "chaabi"], "not a MIDI file"),
    ],
)
def test_bad_input_is_one_clear_line(studio, tmp_path, args, message):
    bad = tmp_path / "notes.mid"
    bad.write_text("C D E F G")
    args = [str(bad) if a == "NOTMIDI" else a for a in args]
    result = runner.invoke(app, ["music", *args])
    assert result.exit_code == 2
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.output


def test_from_brief_takes_the_rising_genre(studio, tmp_path):
    brief = tmp_path / "trends.json"
    brief.write_text(
        json.dumps(
            {"rising": [{"item": "jazz"}, {"item": "gnawa"}, {"item": "rai"}]}, ensure_ascii=False
        )
    )
    out = run("music", "compose", "--from-brief", str(brief), "--bars", "2", "--no-audio")
    assert out["piece"]["style"] == "gnawa"
    nothing = tmp_path / "none.json"
    nothing.write_text(json.dumps({"rising": [{"item": "jazz"}]}))
    result = runner.invoke(app, ["music", "compose", "--from-brief", str(nothing), "--no-audio"])
    assert result.exit_code == 2 and "no rising genre" in result.output


def test_styles_lists_sources_and_assumptions():
    data = run("music", "styles")
    assert data["modes"]["rast"]["cents_up"][2] == pytest.approx(
        354.5, abs=0.1
    )  # d'Erlanger's E half-flat
    assert data["modes"]["gnawa"]["assumption"]
    assert data["rhythms"]["chaabi"]["layers"] == ["..T.D..T.D.."]
    assert set(data["styles"]) >= {"chaabi", "gnawa", "andalusi", "ahidous", "rai", "trap", "maqam"}


@needs_fluidsynth
def test_continue_accompany_render_and_analyse_through_the_cli(studio, tmp_path):
    from tests.studio.music.conftest import write_motif
    from tests.studio.music.test_develop import BAYATI

    motif = write_motif(tmp_path / "oud.mid", BAYATI)
    cont = run(
        "music",
        "continue",
        str(motif),
        "--bars",
        "4",
        "--seed",
        "2",
        "--sample-rate",
        RATE,
        "--no-stems",
    )
    assert cont["detected"]["mode"] == "bayati" and cont["continuation_starts_at_beat"] == 16.0
    assert read_sidecar(cont["files"]["midi"]).inputs[0].role == "motif"
    acc = run("music", "accompany", str(motif), "--style", "chaabi", "--sample-rate", RATE)
    assert {"melody", "bass", "percussion"} <= set(acc["files"]["stems"])
    rendered = run(
        "music",
        "render",
        acc["files"]["midi"],
        "--out",
        str(tmp_path / "r"),
        "--sample-rate",
        RATE,
        "--no-stems",
    )
    assert read_c2pa(rendered["files"]["wav"])["provenance"]["tool"] == "music.render"
    report = run("music", "analyse", acc["files"]["midi"], "--style", "chaabi")
    assert report["mode"]["mode"] == "bayati" and report["rhythm"]["percussion_onsets"] == 1.0
    assert report["provenance"]["tool"] == "music.accompany"
    heard = run("music", "analyse", rendered["files"]["wav"])
    assert heard["kind"] == "audio" and heard["sustained_notes"]


@needs_fluidsynth
@pytest.mark.skipif(
    __import__("shutil").which("ffmpeg") is None,
    reason="ffmpeg is not installed (MP3/OGG are optional outputs)",
)
def test_mp3_and_ogg_when_ffmpeg_is_there(studio):
    out = run(
        "music",
        "compose",
        "--style",
        "rai",
        "--bars",
        "2",
        "--sample-rate",
        RATE,
        "--no-stems",
        "--mp3",
        "--ogg",
    )
    assert (
        Path(out["files"]["mp3"]).stat().st_size > 0
        and Path(out["files"]["ogg"]).stat().st_size > 0
    )
    assert read_sidecar(out["files"]["mp3"]).tool == "music.compose"


def test_arabic_and_tifinagh_names_survive_byte_exact(studio):
    name = "ⴰⵣⵓⵍ-لحن رمضان"
    out = run(
        "music",
        "compose",
        "--style",
        "rast",
        "--bars",
        "2",
        "--no-audio",
        "--name",
        name,
        "--tuning",
        "24-tet",
    )
    assert out["name"] == name and Path(out["files"]["midi"]).name == f"{name}.mid"
    sidecar = Path(out["files"]["midi"] + ".provenance.json").read_text(encoding="utf-8")
    assert f'"{name}.mid"' in sidecar  # written unescaped
    assert run("music", "proposals")["proposals"][0]["subject"] == name
    assert out["piece"]["tuning"] == "24-tet"


def test_an_unknown_tuning_is_one_line(studio):
    result = runner.invoke(
        app,
        [
            "music",
            "compose",
            "--style",
            "rast",
            "--bars",
            "2",
            "--no-audio",
            "--tuning",
            "nonexistent.scl",
        ],
    )
    assert result.exit_code == 2 and "tuning 'nonexistent.scl'" in result.output
