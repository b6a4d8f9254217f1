"""The demo's music step: a one-minute piece in the genre rising in the demo audience's trends."""

from __future__ import annotations

from typing import Any

from halqa.errors import BackendUnavailableError
from halqa.studio.music.styles import GENRE_STYLES, STYLE_ALIASES, STYLES

DEMO_SEGMENT = ["age_band=18-24", "region=casablanca-settat"]  # the audience the insights step describes
DEMO_WINDOW = "56d"
FALLBACK_STYLE = "chaabi"
SAMPLE_RATE = 44100


def rising_style(store: Any, segment: list[str] | None = None, window: str = DEMO_WINDOW,
                 as_of: Any = None) -> tuple[str, list[str]]:
    """The style of the first rising genre of the segment that halqa composes in, and every rising genre."""
    from halqa.insights import trends

    report = trends(store, segment or DEMO_SEGMENT, by="genre", window=window, as_of=as_of)
    rising = [str(r["item"]) for r in report.get("rising", [])]
    for genre in rising:
        if genre in STYLES or genre in STYLE_ALIASES:
            return genre, rising
        if genre in GENRE_STYLES:
            return GENRE_STYLES[genre], rising
    return FALLBACK_STYLE, rising


def music_step(store: Any, world: Any, console: Any) -> dict:
    """Compose, render and propose a one-minute piece in the rising style; print where it is."""
    from halqa.studio.music.compose import compose
    from halqa.studio.music.export import make_provenance, write_piece

    style, rising = rising_style(store)
    piece = compose(style, seconds=60, seed=int(world.planted.get("seed", 7)))
    piece.meta["model"] = {"training": "halqa's shipped phrases", "chosen_from": "rising genres of the segment"}
    studio = world.out_dir / "studio"
    name = f"demo-{style}"
    kwargs = {"provenance": make_provenance(piece, "music.compose"), "studio_root": studio,
              "sample_rate": SAMPLE_RATE}
    try:
        result = write_piece(piece, studio / "music" / name, name, **kwargs)
        where = f"{result['files']['wav']} ({result['loudness_lufs']} LUFS)"
    except BackendUnavailableError as exc:  # no FluidSynth here: the score and MIDI are still worth having
        result = write_piece(piece, studio / "music" / name, name, audio=False, **kwargs)
        result["audio_skipped"] = str(exc)
        where = f"{result['files']['midi']} (no audio: {exc})"
    from_trends = any(g == style or GENRE_STYLES.get(g) == style for g in rising)
    console.print(f"[bold]Music[/]: {style} ({'the rising genre' if from_trends else 'fallback'}; rising: "
                  f"{', '.join(rising) or 'none'}), {piece.seconds:.0f} s in {piece.mode} at {piece.tempo:g} BPM "
                  f"-> {where}; proposal {result['proposal']['id']} pending", highlight=False)
    return {"style": style, "rising": rising, "from_trends": from_trends, "seconds": round(piece.seconds, 1),
            "files": result["files"], "loudness_lufs": result["loudness_lufs"], "proposal": result["proposal"],
            **({"audio_skipped": result["audio_skipped"]} if "audio_skipped" in result else {})}
