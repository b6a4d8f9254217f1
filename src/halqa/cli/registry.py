"""Where each domain's command module is attached to the root app.

One line per domain; keep the imports inside ``register`` cheap (command
modules import their heavy libraries inside the commands themselves).
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach every domain's commands to ``app``."""
    from halqa.cli import serve; serve.attach(app)  # noqa: E702
    from halqa.cli import insights; insights.attach(app)  # noqa: E702
    from halqa.cli import ingest; ingest.attach(app)  # noqa: E702
    from halqa.cli import demo; demo.attach(app)  # noqa: E702
    from halqa.cli import audience; audience.attach(app)  # noqa: E702
    from halqa.cli import recommend; recommend.attach(app)  # noqa: E702
    from halqa.cli import vfx; vfx.attach(app)  # noqa: E702
    from halqa.cli import music; music.attach(app)  # noqa: E702
    from halqa.cli import script; script.attach(app)  # noqa: E702
    from halqa.cli import spark; spark.attach(app)  # noqa: E702
    from halqa.cli import studio; studio.attach(app)  # noqa: E702
