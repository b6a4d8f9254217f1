"""Routers for the other parts of halqa, included only when that part is installed and ready."""

from __future__ import annotations

from fastapi import APIRouter


def available_routers() -> list[APIRouter]:
    from halqa.service.domains import audience_api, insights_api
    from halqa.service.recs import recommend_api

    routers: list[APIRouter] = []
    if recommend_api() is not None:
        from halqa.service.routes import recommend

        routers.append(recommend.router)
    if insights_api() is not None:
        from halqa.service.routes import insights

        routers.append(insights.router)
    if audience_api() is not None:
        from halqa.service.routes import audience

        routers.append(audience.router)
    if _music_installed():
        from halqa.service.routes import music

        routers.append(music.router)
    from halqa.service.routes import vfx  # the studio's visual effects (the vfx extra)

    if vfx.available():
        routers.append(vfx.router)
    routers += _studio_routers()
    return routers


def _studio_routers() -> list[APIRouter]:
    """The studio's proposals (every part) and the screenplay assistant (its extra:
    screenplay-tools)."""
    from importlib.util import find_spec

    from halqa.service.routes import studio

    routers = [studio.router]
    if find_spec("screenplay_tools") is not None:
        from halqa.service.routes import script

        routers.append(script.router)
    return routers


def _music_installed() -> bool:
    """The music extra is installed. Generated media go to the service's studio folder
    (``Settings.studio_root()``: ``--studio-dir``, else ``<db>.studio``), never its working
    directory."""
    from importlib.util import find_spec

    return all(find_spec(m) is not None for m in ("mido", "music21", "fluidsynth", "pyloudnorm"))
