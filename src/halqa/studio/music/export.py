"""Writing a piece out: MIDI, MusicXML, WAV mix and stems, MP3/OGG; provenance on each; a proposal.

Every file gets a provenance sidecar (``<file>.provenance.json``); the MIDI file also
carries the record as a text meta event and every WAV a signed C2PA manifest. The piece
then waits in the studio's proposal book until a person accepts or rejects it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from halqa.studio.common import (
    ContentSigner,
    InputRef,
    ProposalBook,
    Provenance,
    embed_c2pa,
    write_sidecar,
)
from halqa.studio.music.piece import Piece

GENERATOR = "halqa.studio.music.markov"
IPTC_TRAINED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


def make_provenance(
    piece: Piece,
    tool: str,
    *,
    inputs: list[InputRef] | None = None,
    extra: dict[str, Any] | None = None,
) -> Provenance:
    params = {
        "style": piece.style,
        "mode": piece.mode,
        "tonic": piece.tonic,
        "tempo": piece.tempo,
        "meter": piece.meter,
        "bars": piece.bars,
        "rhythm": piece.rhythm,
        "tuning": piece.tuning,
        "midi_tuning": piece.meta.get("midi_tuning", "bend"),
        "seed": piece.seed,
        **piece.meta.get("model", {}),
        **(extra or {}),
    }
    return Provenance.make(tool=tool, generator=GENERATOR, parameters=params, inputs=inputs or [])


def write_piece(
    piece: Piece,
    out_dir: Path,
    name: str,
    *,
    provenance: Provenance,
    sample_rate: int = 44100,
    audio: bool = True,
    stems: bool = True,
    formats: tuple[str, ...] = (),
    studio_root: Path | None = None,
    signer: ContentSigner | None = None,
    propose: bool = True,
    progress: Callable[[str], None] | None = None,
    owner: str | None = None,
) -> dict[str, Any]:
    """Write every output of ``piece`` under ``out_dir``;
    returns their paths and the proposal id."""
    from halqa.studio.music.midi import assign_channels, write_midi
    from halqa.studio.music.notation import write_musicxml

    step = progress or (lambda _label: None)
    out_dir.mkdir(parents=True, exist_ok=True)
    record = provenance.model_dump(mode="json")
    files: dict[str, Any] = {}
    step("MIDI")
    files["midi"] = write_midi(piece, out_dir / f"{name}.mid", provenance=record)
    step("MusicXML")
    files["musicxml"] = write_musicxml(piece, out_dir / f"{name}.musicxml")
    loudness = None
    if audio:
        from halqa.studio.music import audio as au

        signer = signer or ContentSigner.default(studio_root)
        channels = assign_channels(piece.tracks)
        stems_audio = []
        with tempfile.TemporaryDirectory() as tmp:
            # the audio is rendered from pitch bend, which every FluidSynth build plays; an MTS file
            # is for the musician's own synth
            render_from = (
                files["midi"]
                if piece.meta.get("midi_tuning") != "mts"
                else write_midi(
                    replace(piece, meta={**piece.meta, "midi_tuning": "bend"}),
                    Path(tmp) / "bend.mid",
                )
            )
            if stems:
                for track, chans in zip(piece.tracks, channels):
                    step(f"render {track.name}")
                    stems_audio.append(
                        au.render_midi(render_from, sample_rate=sample_rate, channels=set(chans))
                    )
            else:
                # no stems wanted: one render of every channel, a quarter of the synthesis for four
                # tracks
                step("render")
                stems_audio.append(au.render_midi(render_from, sample_rate=sample_rate))
        # FluidSynth's voices and reverb are linear, so the mix is the sum of the stems
        mix = np.zeros((max(len(a) for a in stems_audio), 2), dtype=np.float32)
        for stem in stems_audio:
            mix[: len(stem)] += stem
        mix, gain = au.normalise(mix, sample_rate)
        loudness = round(au.loudness(mix, sample_rate), 2)
        step("WAV")
        files["wav"] = _signed_wav(mix, out_dir / f"{name}.wav", sample_rate, provenance, signer)
        del mix
        if stems:
            folder = out_dir / f"{name}_stems"
            files["stems"] = {}
            for track, stem in zip(piece.tracks, stems_audio):
                # stems carry the mix's gain, so they add up to the mix (peaks limited, not clipped)
                path = folder / f"{track.name}.wav"
                stem *= gain
                files["stems"][track.name] = _signed_wav(
                    au.limit(stem, sample_rate), path, sample_rate, provenance, signer
                )
        for fmt in formats:
            encoded = au.encode(files["wav"], fmt)
            if encoded is not None:
                files[fmt] = encoded
    for key in ("midi", "musicxml", *formats):
        if key in files:
            write_sidecar(files[key], provenance)
    result: dict[str, Any] = {
        "files": _strings(files),
        "loudness_lufs": loudness,
        "piece": piece.summary(),
    }
    if propose:
        book = ProposalBook(studio_root)
        artifacts = [Path(p) for p in _flat(files)]
        proposal = book.propose(
            kind="music.piece",
            subject=name,
            payload=piece.summary(),
            provenance=provenance,
            artifacts=artifacts,
            owner=owner,
        )
        result["proposal"] = {"id": proposal.id, "status": proposal.status}
    return result


def _signed_wav(
    audio: np.ndarray, path: Path, sample_rate: int, provenance: Provenance, signer: ContentSigner
) -> Path:
    from halqa.studio.music.audio import write_wav

    write_wav(audio, path, sample_rate)
    embed_c2pa(
        path,
        path,
        provenance=provenance,
        signer=signer,
        actions=[{"action": "c2pa.created", "digitalSourceType": IPTC_TRAINED}],
    )
    write_sidecar(path, provenance)
    return path


def _flat(files: dict[str, Any]) -> list[str]:
    out = []
    for value in files.values():
        out += _flat(value) if isinstance(value, dict) else [str(value)]
    return out


def _strings(files: dict[str, Any]) -> dict[str, Any]:
    return {k: _strings(v) if isinstance(v, dict) else str(v) for k, v in files.items()}
