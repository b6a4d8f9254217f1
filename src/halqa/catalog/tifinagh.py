"""Latin-script Tamazight to Tifinagh, so a title's two Tamazight spellings always agree.

The catalogue's writers (the demo world, a new title launched from the studio) write a Tamazight
name once, in Latin IRCAM-style letters, and derive its Tifinagh from it.
"""

from __future__ import annotations

# Latin Tamazight letter -> Tifinagh (IRCAM / Unicode Tifinagh block). 'e' (schwa) is
# not written in standard Tifinagh spelling, so it maps to nothing.
_TIFINAGH = {
    "a": "ⴰ",
    "b": "ⴱ",
    "g": "ⴳ",
    "d": "ⴷ",
    "ḍ": "ⴹ",
    "e": "",
    "f": "ⴼ",
    "k": "ⴽ",
    "h": "ⵀ",
    "ḥ": "ⵃ",
    "ɛ": "ⵄ",
    "x": "ⵅ",
    "q": "ⵇ",
    "i": "ⵉ",
    "j": "ⵊ",
    "l": "ⵍ",
    "m": "ⵎ",
    "n": "ⵏ",
    "u": "ⵓ",
    "r": "ⵔ",
    "ṛ": "ⵕ",
    "ɣ": "ⵖ",
    "s": "ⵙ",
    "ṣ": "ⵚ",
    "c": "ⵛ",
    "t": "ⵜ",
    "ṭ": "ⵟ",
    "w": "ⵡ",
    "y": "ⵢ",
    "z": "ⵣ",
    "ẓ": "ⵥ",
    " ": " ",
    "-": "-",
}


def to_tifinagh(latin: str) -> str:
    """Write a Latin-script Tamazight word or phrase in Tifinagh."""
    return "".join(_TIFINAGH.get(ch, ch) for ch in latin.lower())
