"""Quarter tones verified in the sound: pitch measured in WAVs rendered by FluidSynth."""

from __future__ import annotations

import numpy as np
import pytest

from halqa.studio.music.analysis import analyse_file
from halqa.studio.music.audio import render_midi, write_wav
from halqa.studio.music.compose import compose
from halqa.studio.music.midi import assign_channels, write_midi
from halqa.studio.music.pitch import audio_tempo, sustained_notes, yin
from tests.studio.music.conftest import needs_fluidsynth


@pytest.mark.parametrize("midi", [45.0, 63.5, 69.0, 80.25])
def test_yin_finds_the_pitch_of_a_sine_within_two_cents(midi):
    sr = 16000
    t = np.arange(sr) / sr
    hz = 440 * 2 ** ((midi - 69) / 12)
    held = sustained_notes(0.3 * np.sin(2 * np.pi * hz * t) + 0.1 * np.sin(4 * np.pi * hz * t), sr)
    assert len(held) == 1 and held[0]["pitch"] == pytest.approx(midi, abs=0.02)


def test_silence_has_no_pitch_and_clicks_give_a_tempo():
    sr = 16000
    f0, _ = yin(np.zeros(sr), sr)
    assert not f0.any()
    clicks = np.zeros(sr * 8)
    clicks[:: sr // 2] = 1.0  # 120 per minute
    assert audio_tempo(clicks, sr) == pytest.approx(120, abs=3)


def _melody_stem(style: str, mode: str | None, tmp_path, rhythm: str | None = None):
    """The melody of a composed piece, rendered alone by FluidSynth from the exported MIDI file."""
    piece = compose(style, mode, bars=8, seed=3, rhythm_name=rhythm)
    midi = write_midi(piece, tmp_path / f"{style}.mid")
    channels = set(assign_channels(piece.tracks)[[t.role for t in piece.tracks].index("melody")])
    rate = 16000
    return write_wav(
        render_midi(midi, sample_rate=rate, channels=channels), tmp_path / f"{style}.wav", rate
    )


@needs_fluidsynth
def test_rast_third_sounds_half_flat(tmp_path):
    report = analyse_file(_melody_stem("rast", None, tmp_path))
    assert report["mode"]["mode"] == "rast"
    third = report["degrees_cents_from_12tet"]["3"]
    assert third["notes"] >= 2 and third["median_cents"] == pytest.approx(-50, abs=15)
    for degree in ("1", "4", "5"):
        if degree in report["degrees_cents_from_12tet"]:
            assert abs(report["degrees_cents_from_12tet"][degree]["median_cents"]) <= 15


@needs_fluidsynth
@pytest.mark.parametrize(
    "style,mode,rhythm", [("chaabi", None, None), ("andalusi", "istihlal", "quddam")]
)
def test_twelve_tet_styles_sound_within_15_cents(tmp_path, style, mode, rhythm):
    report = analyse_file(_melody_stem(style, mode, tmp_path, rhythm))
    cents = [n["cents_from_12tet"] for n in report["sustained_notes"]]
    assert len(cents) >= 8
    assert max(abs(c) for c in cents) <= 15
    assert report["mode_used"]["out_of_mode"] == 0.0


def _full_mix(style: str, mode: str | None, tmp_path, rhythm: str | None = None):
    """A composed piece's whole mix (melody, drone or harmony, bass, percussion) as `halqa music compose`
    writes it: every track rendered by FluidSynth, summed, at -14 LUFS."""
    from halqa.studio.common import test_signer
    from halqa.studio.music.export import make_provenance, write_piece

    piece = compose(style, mode, bars=8, seed=3, rhythm_name=rhythm)
    assert len(piece.tracks) >= 3
    result = write_piece(
        piece,
        tmp_path / style,
        style,
        provenance=make_provenance(piece, "test"),
        studio_root=tmp_path / "studio",
        signer=test_signer(tmp_path / "signer"),
        sample_rate=16000,
        stems=False,
        propose=False,
    )
    return result["files"]["wav"]


@needs_fluidsynth
def test_rast_third_sounds_half_flat_in_the_full_mix(tmp_path):
    report = analyse_file(_full_mix("rast", None, tmp_path))
    assert report["pitch_tracker"] == "melody" and report["mode"]["mode"] == "rast"
    third = report["degrees_cents_from_12tet"]["3"]
    assert third["notes"] >= 2 and third["median_cents"] == pytest.approx(-50, abs=15)
    for degree in ("1", "2", "4", "5"):
        assert abs(report["degrees_cents_from_12tet"][degree]["median_cents"]) <= 15


@needs_fluidsynth
def test_a_twelve_tet_full_mix_sounds_within_15_cents(tmp_path):
    report = analyse_file(_full_mix("chaabi", None, tmp_path))
    cents = [n["cents_from_12tet"] for n in report["sustained_notes"]]
    assert len(cents) >= 8 and max(abs(c) for c in cents) <= 15


def test_the_melody_tracker_follows_the_top_line_over_a_drone_and_drums():
    """Synthetic mix: a harmonic melody (E half-flat then G) over a steady drone an octave under the tonic
    and noise bursts on every beat; the tracker reports the melody, not the drone."""
    sr = 16000
    t = np.arange(sr * 4) / sr

    def tone(midi, where):
        hz = 440 * 2 ** ((midi - 69) / 12)
        return where * sum(0.3 / h * np.sin(2 * np.pi * hz * h * t) for h in range(1, 6))

    drone = tone(48.0, np.ones_like(t))  # C3, never moves
    melody = tone(63.5, t < 2) + tone(67.0, t >= 2)
    hits = np.zeros_like(t)
    for beat in range(8):
        at = int(beat * sr / 2)
        hits[at : at + 400] = np.random.default_rng(beat).normal(0, 0.5, 400)
    held = sustained_notes(drone + melody + hits, sr, tracker="melody")
    pitches = [h["pitch"] for h in held if h["seconds"] >= 0.5]
    assert any(abs(p - 63.5) < 0.1 for p in pitches) and any(abs(p - 67.0) < 0.1 for p in pitches)
    assert not any(abs(p - 48.0) < 0.5 for p in pitches)


@needs_fluidsynth
def test_a_mix_rendered_in_one_pass_equals_the_sum_of_the_stems(tmp_path):
    """Without stems the mix is one render of every channel; FluidSynth is linear, so it is the mix of stems."""
    import soundfile

    from halqa.studio.common import test_signer
    from halqa.studio.music.export import make_provenance, write_piece

    piece = compose("chaabi", bars=4, seed=2)
    mixes = []
    for stems in (True, False):
        result = write_piece(
            piece,
            tmp_path / str(stems),
            "p",
            provenance=make_provenance(piece, "test"),
            studio_root=tmp_path / "studio",
            signer=test_signer(tmp_path / "signer"),
            sample_rate=16000,
            stems=stems,
            propose=False,
        )
        mixes.append(soundfile.read(result["files"]["wav"])[0])
    n = min(len(m) for m in mixes)
    a, b = mixes[0][:n], mixes[1][:n]
    assert np.corrcoef(a.ravel(), b.ravel())[0, 1] > 0.99
    assert np.sqrt(np.mean(b**2)) == pytest.approx(np.sqrt(np.mean(a**2)), rel=0.02)
