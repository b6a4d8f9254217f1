"""Fixtures of the music tests: a private studio folder, a local signer, real FluidSynth."""

from __future__ import annotations

import ctypes.util
from pathlib import Path

import pytest

from halqa.studio.music.audio import SOUNDFONTS


def fluidsynth_missing() -> str | None:
    if ctypes.util.find_library("fluidsynth") is None:
        return "libfluidsynth is not installed (apt-get install fluidsynth)"
    if not any(Path(p).is_file() for p in SOUNDFONTS):
        return "no General MIDI SoundFont (apt-get install fluid-soundfont-gm)"
    return None


needs_fluidsynth = pytest.mark.skipif(
    fluidsynth_missing() is not None, reason=fluidsynth_missing() or ""
)


@pytest.fixture
def studio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "studio"
    monkeypatch.setenv("HALQA_STUDIO_DIR", str(root))
    monkeypatch.delenv("HALQA_C2PA_CERT", raising=False)
    monkeypatch.delenv("HALQA_C2PA_KEY", raising=False)
    return root


def write_motif(
    path: Path,
    notes: list[tuple[float, float, float]],
    *,
    tempo: int = 90,
    meter=(4, 4),
    program: int = 24,
) -> Path:
    """A musician's motif written straight with mido (not halqa's writer): (start, length, pitch) in beats;
    quarter tones by pitch bend with the default ±2 semitone range."""
    import mido

    midi = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(tempo), time=0))
    track.append(
        mido.MetaMessage("time_signature", numerator=meter[0], denominator=meter[1], time=0)
    )
    track.append(mido.Message("program_change", program=program, time=0))
    events = []
    for start, length, pitch in notes:
        key = round(pitch)
        bend = round((pitch - key) * 4096)
        events.append((int(start * 480), 1, mido.Message("pitchwheel", pitch=bend)))
        events.append((int(start * 480), 2, mido.Message("note_on", note=key, velocity=90)))
        events.append(
            (int((start + length) * 480), 0, mido.Message("note_off", note=key, velocity=0))
        )
    last = 0
    for tick, _, msg in sorted(events, key=lambda e: (e[0], e[1])):
        track.append(msg.copy(time=tick - last))
        last = tick
    midi.tracks.append(track)
    midi.save(str(path))
    return path
