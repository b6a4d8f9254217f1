"""A long screenplay made from a seed, for benchmarks and pagination tests (no public script is
shipped with halqa). Scenes alternate INT/EXT and DAY/NIGHT over a few Moroccan locations;
speeches mix Darija (both scripts), French, English and Tamazight."""

from __future__ import annotations

import random

LOCATIONS = ("RIAD - COURTYARD", "CASABLANCA PORT", "TAXI", "HAMMAM", "MEDINA ROOFTOP", "TV STUDIO")
CAST = ("YOUSSEF", "NADIA", "KARIM", "LHAJJA", "INSPECTOR BENNIS")
LINES = (
    "Wach nta mrid? Ghadi nmchi l casa ghda.",
    "Je ne sais pas ce qu'il veut. Personne ne le sait.",
    "واش بغيتي أتاي؟ راه سخون بزاف.",
    "ⴰⵣⵓⵍ ⴰ ⵉⵎⵉ. ⵎⴰⵏⵉⴽ ⴰⵙⵏ ⵜⴻⴳⵉⴷ?",
    "Listen to me. We have one night, and one chance.",
    "Safi, khalli had chi binatna. Ma bghitch n3awed.",
    "C'est fini. On rentre à la maison, tous les deux, maintenant.",
    "هادشي ماشي مزيان. خاصنا نمشيو دابا.",
)
ACTIONS = (
    "The call to prayer drifts over the rooftops. A cat crosses the courtyard and disappears.",
    "Neon signs flicker over wet asphalt. A taxi slows down, its driver watching the mirror.",
    "Steam rises from the tiles. Two figures sit in silence, each waiting for the other to speak.",
    "The harbour cranes stand like giants against the orange sky. Containers, gulls, engines.",
)


def long_script(scenes: int = 110, seed: int = 7) -> str:
    """Fountain text of about half a page per scene (230 scenes make about 120 pages)."""
    rnd = random.Random(seed)
    out = ["Title: The Long Night", "Credit: Written by", "Author: halqa sample generator", ""]
    for n in range(1, scenes + 1):
        where = rnd.choice(("INT.", "EXT."))
        when = rnd.choice(("DAY", "NIGHT"))
        out += [f"{where} {rnd.choice(LOCATIONS)} - {when} #{n}#", ""]
        out += [" ".join(rnd.choice(ACTIONS) for _ in range(rnd.randint(1, 3))), ""]
        for _ in range(rnd.randint(3, 5)):
            out += [rnd.choice(CAST)]
            if rnd.random() < 0.2:
                out += ["(quietly)"]
            out += [" ".join(rnd.choice(LINES) for _ in range(rnd.randint(1, 3))), ""]
        if rnd.random() < 0.3:
            out += ["CUT TO:", ""]
    return "\n".join(out)
