"""The `halqa` command: one Typer app composed of one module per command group."""

from __future__ import annotations

import typer

from halqa import __version__
from halqa.cli import data

app = typer.Typer(
    name="halqa",
    help=(
        "halqa: audience insights, recommendations, "
        "targeting and creative tools for Moroccan film, series and music."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("stats")(data.stats)
app.add_typer(data.app, name="export")
app.add_typer(data.taxonomy_app, name="taxonomy")


def _register_optional_groups() -> None:
    """Each domain adds its commands here; a domain's import stays out of the others' start-up."""
    from halqa.cli import registry

    registry.register(app)


_register_optional_groups()


@app.callback(invoke_without_command=True)
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


def main(argv: list[str] | None = None) -> None:
    """Entry point. Click's standalone mode already turns usage errors into one
    message and exit code 2; commands turn ``UserError`` into the same."""
    app(args=argv, prog_name="halqa")


if __name__ == "__main__":
    main()
