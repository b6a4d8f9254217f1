"""Styles: a default mode, rhythm and arrangement (General MIDI instruments per part).

GM has no oud, guembri, kamanja or qraqeb: the pairings below follow morocco-domain.md §2.6
(its tables of GM approximations, "our engineering choice"), not a standard.
"""

from __future__ import annotations

from dataclasses import dataclass

from halqa.errors import ConfigError
from halqa.studio.music.rhythms import Rhythm, get_rhythm
from halqa.studio.music.theory import MODES, Mode, get_mode


@dataclass(frozen=True)
class Part:
    role: str  # "melody" | "bass" | "drone" | "harmony"
    instrument: str  # the Moroccan (or genre) instrument it stands for
    program: int  # GM program, 0-based
    octave: int = 0  # octaves relative to the mode's tonic


@dataclass(frozen=True)
class Style:
    name: str
    label: str
    mode: str
    rhythm: str
    parts: tuple[Part, ...]
    bass: str = "dum"  # "dum": low notes on the low strokes; "ostinato": the pattern below; "808"
    ostinato: tuple[
        tuple[int, int, int], ...
    ] = ()  # (pulse, degree, length in pulses) over one cycle
    harmony: bool = False  # triads on the mode's degrees, one per bar
    note: str = ""

    def get_mode(self) -> Mode:
        return get_mode(self.mode)

    def get_rhythm(self) -> Rhythm:
        return get_rhythm(self.rhythm)


MELODY_OUD = Part("melody", "oud (GM Acoustic Guitar nylon)", 24)
KAMANJA = Part("melody", "kamanja (GM Violin)", 40)
VOICE = Part("melody", "voice (GM Choir Aahs)", 52)

STYLES: dict[str, Style] = {
    s.name: s
    for s in (
        Style(
            "chaabi",
            "Chaabi",
            "hijaz_12",
            "chaabi",
            (KAMANJA, Part("bass", "loutar bass (GM Acoustic Bass)", 32, -2)),
            bass="dum",
        ),
        Style(
            "gnawa",
            "Gnawa",
            "gnawa",
            "gnawa",
            (VOICE, Part("bass", "guembri (GM Acoustic Bass)", 32, -1)),
            bass="ostinato",
            ostinato=((0, 0, 2), (3, 0, 1), (4, 2, 2), (6, 0, 2), (8, 4, 1), (9, 3, 2), (11, 1, 1)),
            note="guembri ostinato and call melody; the ostinato figure is ours",
        ),
        Style(
            "andalusi",
            "Andalusi (Al-Ala)",
            "istihlal",
            "basit",
            (
                KAMANJA,
                Part("melody2", "oud doubling (GM Acoustic Guitar nylon)", 24, -1),
                Part("bass", "oud low register (GM Acoustic Bass)", 32, -2),
            ),
            bass="dum",
            note="12-TET tab' with a mizan; choose them with --mode and --rhythm",
        ),
        Style(
            "ahidous",
            "Ahidous",
            "amazigh",
            "ahidous",
            (VOICE, Part("drone", "voices holding the tonic (GM Voice Oohs)", 53, -1)),
            bass="none",
        ),
        Style(
            "rai",
            "Rai",
            "hijaz_12",
            "rai",
            (
                Part("melody", "keyboard lead (GM Lead 2 sawtooth)", 81),
                Part("bass", "synth bass (GM Synth Bass 1)", 38, -2),
                Part("harmony", "pad (GM Pad 2 warm)", 89, -1),
            ),
            bass="dum",
            harmony=True,
        ),
        Style(
            "trap",
            "Trap",
            "aeolian",
            "trap",
            (
                Part("melody", "lead (GM Lead 1 square)", 80),
                Part("bass", "808 (GM Synth Bass 1)", 38, -2),
                Part("harmony", "pad (GM Pad 2 warm)", 89, -1),
            ),
            bass="808",
            harmony=True,
        ),
        Style(
            "maqam",
            "Mashriq maqam",
            "rast",
            "maqsum",
            (
                Part("melody", "qanun/oud (GM Acoustic Guitar nylon)", 24),
                Part("drone", "strings on the tonic (GM String Ensemble 1)", 48, -1),
                Part("bass", "oud low register (GM Acoustic Bass)", 32, -2),
            ),
            bass="dum",
            note="quarter tones sound through per-channel pitch bend; choose the maqam with --mode",
        ),
    )
}

# Catalogue genres without a style of their own, composed in the nearest one (our choice).
GENRE_STYLES = {
    "rap": "trap",
    "electronic": "trap",
    "gharnati": "andalusi",
    "malhun": "andalusi",
    "aita": "chaabi",
    "reggada": "chaabi",
    "ghiwane": "gnawa",
    "ahwash": "ahidous",
    "rways": "ahidous",
    "amazigh-pop": "ahidous",
}

# A maqam's name used as a style means "maqam" in that mode.
STYLE_ALIASES = {name: "maqam" for name, m in MODES.items() if m.family == "maqam"}


def resolve_style(name: str, mode: str | None = None) -> tuple[Style, Mode]:
    """Style and mode for ``--style`` (a style or a maqam name) and an optional ``--mode``."""
    key = name.strip().lower()
    if key in STYLE_ALIASES and mode is None:
        mode = key
    style = STYLES.get(STYLE_ALIASES.get(key, key))
    if style is None:
        raise ConfigError(
            f"unknown style {name!r}; known: {', '.join(sorted(STYLES))} "
            f"or a maqam ({', '.join(sorted(STYLE_ALIASES))})"
        )
    return style, get_mode(mode or style.mode)
