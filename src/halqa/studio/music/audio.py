"""Audio: the exported MIDI file played through FluidSynth offline, stems, -14 LUFS, MP3/OGG.

The synthesiser is libfluidsynth (Debian ``fluidsynth``) driven in-process through
pyfluidsynth, fed the very messages of the MIDI file that was written, so what is heard is
what was exported (pitch bends and the RPN bend range included). The SoundFont is loaded
once per process and reused for the mix and every stem. The SoundFont is Debian's
``fluid-soundfont-gm`` (FluidR3_GM), or ``$HALQA_SOUNDFONT``.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from halqa.errors import BackendUnavailableError, DataError

SOUNDFONTS = ("/usr/share/sounds/sf2/FluidR3_GM.sf2", "/usr/share/sounds/sf2/default-GM.sf2")
TARGET_LUFS = -14.0
TAIL_SECONDS = 1.5  # let the last notes ring out


def soundfont() -> Path:
    named = os.environ.get("HALQA_SOUNDFONT")
    if named:
        if not Path(named).is_file():
            raise BackendUnavailableError(f"HALQA_SOUNDFONT={named}: no such SoundFont file")
        return Path(named)
    for candidate in SOUNDFONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    raise BackendUnavailableError(
        "no General MIDI SoundFont: apt-get install fluid-soundfont-gm "
        "(or set HALQA_SOUNDFONT to an .sf2 file)"
    )


@functools.lru_cache(maxsize=2)
def _synth(sample_rate: int, sf2: str):
    try:
        # pyfluidsynth prints where it found the library whenever $CI is set; on stdout
        # that would break every `--json` command, so the note goes to stderr instead.
        with contextlib.redirect_stdout(sys.stderr):
            import fluidsynth
    except (ImportError, OSError) as exc:
        raise BackendUnavailableError(
            "audio needs libfluidsynth and pyfluidsynth: apt-get install fluidsynth; "
            "pip install 'halqa[music]'"
        ) from exc
    synth = fluidsynth.Synth(gain=0.5, samplerate=float(sample_rate))
    synth.setting(
        "synth.chorus.active", 0
    )  # chorus detunes voices; keep the pitch the MIDI asks for
    sfid = synth.sfload(sf2)
    if sfid < 0:
        raise DataError(f"{sf2}: FluidSynth cannot load this SoundFont")
    return synth, sfid


def render_midi(
    midi_path: Path, *, sample_rate: int = 44100, channels: set[int] | None = None
) -> np.ndarray:
    """Stereo float32 samples of ``midi_path`` (only ``channels`` when given: a stem)."""
    import mido

    synth, sfid = _synth(sample_rate, str(soundfont()))
    synth.system_reset()
    for ch in range(16):
        synth.program_select(ch, sfid, 128 if ch == 9 else 0, 0)
    chunks: list[np.ndarray] = []
    pending = 0.0
    for msg in mido.MidiFile(str(midi_path)):
        pending += msg.time
        frames = round(pending * sample_rate)
        if frames:
            chunks.append(synth.get_samples(frames))
            pending -= frames / sample_rate
        if msg.is_meta or (channels is not None and getattr(msg, "channel", None) not in channels):
            continue
        _send(synth, sfid, msg)
    chunks.append(synth.get_samples(int(TAIL_SECONDS * sample_rate)))
    synth.system_reset()
    synth.get_samples(int(0.5 * sample_rate))  # flush reverb so the next render starts silent
    audio = np.concatenate(chunks).reshape(-1, 2).astype(np.float32)
    audio *= 1.0 / 32768.0
    return audio


def _send(synth, sfid: int, msg) -> None:
    kind = msg.type
    if kind == "note_on":
        synth.noteon(msg.channel, msg.note, msg.velocity)
    elif kind == "note_off":
        synth.noteoff(msg.channel, msg.note)
    elif kind == "pitchwheel":
        synth.pitch_bend(msg.channel, msg.pitch)
    elif kind == "control_change":
        synth.cc(msg.channel, msg.control, msg.value)
    elif kind == "program_change":
        synth.program_select(msg.channel, sfid, 128 if msg.channel == 9 else 0, msg.program)


def loudness(audio: np.ndarray, sample_rate: int) -> float:
    import pyloudnorm

    return float(
        pyloudnorm.Meter(sample_rate).integrated_loudness(np.asarray(audio, dtype=np.float64))
    )


def normalise(
    audio: np.ndarray, sample_rate: int, target: float = TARGET_LUFS
) -> tuple[np.ndarray, float]:
    """``audio`` at ``target`` LUFS integrated, peaks held under -0.5 dBFS by a look-ahead limiter.

    Sparse percussive music reaches -14 LUFS only with its drum peaks limited; the gain is
    re-measured after limiting (limiting lowers loudness) until it is within 0.1 LU.
    Returns the audio and the overall gain applied before limiting.
    """
    measured = loudness(audio, sample_rate)
    if not np.isfinite(measured):  # silence
        return audio, 1.0
    gain = 10 ** ((target - measured) / 20)
    out = audio
    for _ in range(4):
        out = limit(audio * gain, sample_rate)
        error = target - loudness(out, sample_rate)
        if abs(error) < 0.1:
            break
        gain *= 10 ** (error / 20)
    return out, gain


def limit(audio: np.ndarray, sample_rate: int, ceiling: float = 0.944) -> np.ndarray:
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    window = max(1, int(0.005 * sample_rate))  # 5 ms look-ahead and release
    peak = np.max(np.abs(audio), axis=1)
    needed = np.minimum(1.0, ceiling / np.maximum(peak, 1e-9))
    if needed.min() >= 1.0:  # nothing reaches the ceiling: leave the audio untouched
        return audio
    smooth = uniform_filter1d(minimum_filter1d(needed, 2 * window + 1), 2 * window + 1)
    smooth = np.minimum(smooth, needed)  # never let a smoothed edge exceed the ceiling
    return audio * smooth[:, None].astype(audio.dtype)


def write_wav(audio: np.ndarray, path: Path, sample_rate: int) -> Path:
    import soundfile

    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(str(path), np.clip(audio, -1.0, 1.0), sample_rate, subtype="PCM_16")
    return path


def encode(wav: Path, fmt: str) -> Path | None:
    """MP3 or OGG beside the WAV through ffmpeg; None when ffmpeg is not installed."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    out = wav.with_suffix("." + fmt)
    codec = {
        "mp3": ["-codec:a", "libmp3lame", "-q:a", "2"],
        "ogg": ["-codec:a", "libvorbis", "-q:a", "5"],
    }[fmt]
    subprocess.run(
        [ffmpeg, "-y", "-loglevel", "error", "-i", str(wav), *codec, str(out)], check=True
    )
    return out


def fluidsynth_cli_render(midi_path: Path, wav_path: Path, sample_rate: int = 44100) -> Path:
    """FluidSynth's own command-line render (the peer the benchmark measures against)."""
    exe = shutil.which("fluidsynth")
    if exe is None:
        raise BackendUnavailableError(
            "the fluidsynth command is missing: apt-get install fluidsynth"
        )
    subprocess.run(
        [
            exe,
            "-ni",
            "-q",
            "-C",
            "0",
            "-g",
            "0.5",
            "-r",
            str(sample_rate),
            "-F",
            str(wav_path),
            str(soundfont()),
            str(midi_path),
        ],
        check=True,
        capture_output=True,
    )
    return wav_path
