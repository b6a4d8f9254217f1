"""Routers for the other parts of halqa, included only when that part is installed and ready."""

from __future__ import annotations

from typing import Any


def available_routers() -> list[Any]:
    return []
