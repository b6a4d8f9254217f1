"""Where each domain's command module is attached to the root app.

One line per domain; keep the imports inside ``register`` cheap (command
modules import their heavy libraries inside the commands themselves).
"""

from __future__ import annotations

import importlib

import typer

# The order here is the order of `halqa --help`.
DOMAIN_COMMAND_MODULES = (
    "serve",
    "insights",
    "ingest",
    "demo",
    "audience",
    "recommend",
    "vfx",
    "music",
    "script",
    "spark",
    "studio",
)


def register(app: typer.Typer) -> None:
    """Attach every domain's commands to ``app``."""
    for name in DOMAIN_COMMAND_MODULES:
        importlib.import_module(f"halqa.cli.{name}").attach(app)
