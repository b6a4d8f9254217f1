"""Regenerate the shipped looks' .cube files from their analytic functions.

    python scripts/make_vfx_looks.py      # writes src/halqa/studio/vfx/looks/<name>.cube
"""

from __future__ import annotations

from pathlib import Path

from halqa.studio.vfx.looks import LOOKS
from halqa.studio.vfx.lut import DEFAULT_SIZE, sample_look, write_cube

OUT = Path(__file__).resolve().parents[1] / "src" / "halqa" / "studio" / "vfx" / "looks"

if __name__ == "__main__":
    for name, function in LOOKS.items():
        path = write_cube(sample_look(function, size=DEFAULT_SIZE, name=name), OUT / f"{name}.cube")
        print(path)
