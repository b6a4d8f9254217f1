"""Benchmark of the composition assistant (issue 15).

1. Speed: compose and render three minutes of four-track music (maqam Rast: melody, drone, bass,
   percussion) -- halqa's in-process FluidSynth render of the exported MIDI against FluidSynth's
   own command line (``fluidsynth -ni -F``) rendering the same MIDI in the same run; then the
   whole ``write_piece`` (stems, -14 LUFS, C2PA, MusicXML). Peak memory: this process's and the
   CLI child's maximum RSS.
2. Quality per style: halqa (variable-order Markov, order 3, decoded under the mode's
   constraints) against a random-in-scale baseline and a first-order Markov baseline trained on
   the same phrases, training and evaluation split by piece. Columns: out-of-mode rate, rhythm
   agreement (melody onsets on the style's strokes or beats), MusPy scale consistency and
   pitch-class entropy, novelty (share of generated (degree, length) 4-grams not in the
   training phrases) and held-out cross-entropy (bits/note) of the model each generator samples.

Run: ``PYTHONPATH=src .venv/bin/python bench/music.py [--pieces 20]``
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from halqa.studio.music import audio
from halqa.studio.music.analysis import onset_agreement, out_of_mode, symbolic_metrics
from halqa.studio.music.compose import compose, melody_track
from halqa.studio.music.corpus import split_by_piece
from halqa.studio.music.melody import Grid, training_sequences
from halqa.studio.music.midi import write_midi
from halqa.studio.music.model import MelodyModel, metric_class
from halqa.studio.music.styles import resolve_style
from halqa.studio.music.theory import DEFAULT_TUNING, Scale, tonic_midi

STYLES = [("chaabi", None), ("gnawa", None), ("andalusi", "istihlal"), ("ahidous", None), ("rai", None),
          ("trap", None), ("rast", None), ("bayati", None), ("sikah", None), ("hijaz", None)]


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def cpu() -> float:
    """CPU seconds of this process and its finished children (the machine is shared: wall time inflates)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def speed(tmp: Path) -> None:
    from halqa.studio.music.theory import gamut_cents

    started = time.perf_counter()
    gamut_cents(DEFAULT_TUNING)  # imports music21 to read the Scala file: once per process
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    piece = compose("rast", seconds=180, seed=1)
    composed = time.perf_counter() - started
    midi = write_midi(piece, tmp / "three-minutes.mid")
    tracks = len(piece.tracks)
    print(f"## Speed: {piece.seconds:.0f} s of {tracks}-track {piece.style}/{piece.mode} at 44.1 kHz")
    t0, c0 = time.perf_counter(), cpu()
    audio._synth(44100, str(audio.soundfont()))  # both sides load the SoundFont: time it apart
    print(f"load the SoundFont in-process (once per process and sample rate): {time.perf_counter() - t0:.2f} s wall, "
          f"{cpu() - c0:.2f} s CPU")
    t0, c0 = time.perf_counter(), cpu()
    ours = audio.render_midi(midi, sample_rate=44100)
    t_ours, c_ours = time.perf_counter() - t0, cpu() - c0
    t0, c0 = time.perf_counter(), cpu()
    audio.fluidsynth_cli_render(midi, tmp / "cli.wav", 44100)
    t_cli, c_cli = time.perf_counter() - t0, cpu() - c0
    import soundfile

    cli, _ = soundfile.read(str(tmp / "cli.wav"))
    n = min(len(cli), len(ours))
    rms_ours, rms_cli = float(np.sqrt(np.mean(ours[:n] ** 2))), float(np.sqrt(np.mean(cli[:n] ** 2)))
    print(f"read the Scala tuning (music21 import, once per process): {loaded:.2f} s; compose: {composed:.3f} s")
    print(f"render, halqa in-process FluidSynth (SoundFont already loaded): {t_ours:.2f} s wall, "
          f"{c_ours:.2f} s CPU ({piece.seconds / c_ours:.0f}x real time per CPU second)")
    print(f"render, fluidsynth CLI on the same MIDI (includes its SoundFont load): {t_cli:.2f} s wall, "
          f"{c_cli:.2f} s CPU; halqa/CLI ratio: wall {t_ours / t_cli:.2f}, CPU {c_ours / c_cli:.2f}")
    print(f"RMS of the two renders: halqa {rms_ours:.4f}, CLI {rms_cli:.4f} (same gain 0.5, chorus off)")
    from halqa.studio.common import test_signer
    from halqa.studio.music.export import make_provenance, write_piece

    t0, c0 = time.perf_counter(), cpu()
    result = write_piece(piece, tmp / "out", "bench", provenance=make_provenance(piece, "music.compose"),
                         studio_root=tmp / "studio", signer=test_signer(tmp / "signer"))
    print(f"write_piece (MIDI, MusicXML, {tracks} stems + mix, -14 LUFS, C2PA, proposal): "
          f"{time.perf_counter() - t0:.2f} s wall, {cpu() - c0:.2f} s CPU; loudness {result['loudness_lufs']} LUFS")
    print(f"peak RSS: this process {peak_rss_mb():.0f} MB, fluidsynth CLI child {peak_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB")


def random_in_scale(rng, mode, grid, bars, lengths):
    notes, pos = [], 0
    while pos < bars * grid.bar:
        n = int(min(rng.choice(lengths), bars * grid.bar - pos))
        notes.append((pos, int(rng.integers(-2, mode.size + 3)), n))
        pos += n
    return notes


def first_order(rng, model, grid, bars):
    notes, pos, context = [], 0, []
    while pos < bars * grid.bar:
        p = model.distribution(context[-1:])
        deg, n, cls = model.vocab[int(rng.choice(len(p), p=p))]
        n = min(n, bars * grid.bar - pos)
        notes.append((pos, deg, n))
        context.append((deg, n, cls))
        pos += n
    return notes


def fourgrams(seq):
    return [tuple(seq[i:i + 4]) for i in range(len(seq) - 3)]


def quality(pieces: int) -> None:
    train, held = split_by_piece()
    print(f"\n## Quality: {pieces} pieces of 16 bars per style and generator; training phrases from "
          f"{len({p.piece for p in train})} pieces, evaluation {len({p.piece for p in held})} held-out pieces")
    print("| style | generator | out-of-mode | rhythm agreement | scale consistency | pitch-class entropy "
          "| novel 4-grams | held-out bits/note |")
    print("|---|---|---|---|---|---|---|---|")
    for style_name, mode_name in STYLES:
        style, mode = resolve_style(style_name, mode_name)
        rhythm = style.get_rhythm()
        grid = Grid.of(rhythm)
        seqs = training_sequences(train, mode.size)
        held_seqs = training_sequences(held, mode.size)
        seen = {g for s in seqs for g in fourgrams([(t[0], t[1]) for t in s])}
        ours, base1 = MelodyModel(3).fit(seqs), MelodyModel(1).fit(seqs)
        lengths = sorted({t[1] for s in seqs for t in s})
        scale = Scale(mode, tonic_midi(mode.tonic), DEFAULT_TUNING)
        rows = {"halqa": [], "random-in-scale": [], "first-order Markov": []}
        for seed in range(pieces):
            rng = np.random.default_rng(1000 + seed)
            piece = compose(style_name, mode_name, bars=16, seed=seed, model=ours)
            rows["halqa"].append(_melody_eval(piece.track("melody").notes, piece, grid))
            for label, mel in (("random-in-scale", random_in_scale(rng, mode, grid, 16, lengths)),
                               ("first-order Markov", first_order(rng, base1, grid, 16))):
                track = melody_track(style.parts[0], scale, mel)
                rows[label].append(_melody_eval(track.notes, piece, grid, mel))
        entropies = {"halqa": ours.cross_entropy(held_seqs), "first-order Markov": base1.cross_entropy(held_seqs),
                     "random-in-scale": float(np.log2(len(range(-2, mode.size + 3)) * len(lengths)))}
        for label, evals in rows.items():
            oom = np.mean([e["oom"] for e in evals])
            agree = np.mean([rhythm_agreement(e["notes"], rhythm) for e in evals])
            sc = np.mean([e["metrics"]["scale_consistency"] for e in evals])
            ent = np.mean([e["metrics"]["pitch_class_entropy"] for e in evals])
            grams = [g for e in evals for g in fourgrams(e["tokens"])]
            novel = np.mean([g not in seen for g in grams]) if grams else 0.0
            print(f"| {style_name}{'/' + mode.name if mode_name or style.name == 'maqam' else ''} | {label} "
                  f"| {oom:.3f} | {agree:.3f} | {sc:.3f} | {ent:.3f} | {novel:.3f} | {entropies[label]:.2f} |")


def rhythm_agreement(notes, rhythm):
    return onset_agreement(notes, rhythm)


def _melody_eval(notes, piece, grid, degrees=None):
    mode = resolve_style(piece.style, piece.mode)[1]
    if degrees is None:
        scale = Scale(mode, piece.tonic, piece.tuning)
        degrees = [(round(n.start * 2), scale.degree_of(n.pitch), round(n.length * 2)) for n in notes]
    return {"notes": notes, "oom": out_of_mode(notes, mode, piece.tonic)["out_of_mode"],
            "metrics": symbolic_metrics(notes, piece.bar_beats),
            "tokens": [(d, n) for _, d, n in degrees],
            "classes": [metric_class(p, grid.bar, grid.beats) for p, _, _ in degrees]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pieces", type=int, default=20)
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_speed:
            speed(Path(tmp))
    quality(args.pieces)
    print(f"\npeak RSS of the run: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
