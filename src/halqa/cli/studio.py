"""`halqa studio ...`: the proposals of every studio part (script, music, vfx) in one place.

``halqa script|music|vfx accept|reject|proposals`` are aliases: they call ``decide_command`` and
``list_command`` below with their part's name, so there is one implementation of each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from halqa.cli.common import JsonOption, console, print_json, user_errors

app = typer.Typer(
    help="Studio proposals (script, music, vfx): list, accept, reject; provenance of a file.",
    no_args_is_help=True,
)
StudioOption = Annotated[
    Path | None,
    typer.Option(
        "--studio-dir",
        "--studio",
        help="Where proposals live (default: $HALQA_STUDIO_DIR, else ./halqa-studio).",
        show_default=False,
    ),
]
ProposalArg = Annotated[
    str, typer.Argument(help="Proposal id (a unique prefix of 4+ characters is enough).")
]
ByOption = Annotated[str, typer.Option("--by", help="Your name: who decided.")]
NoteOption = Annotated[str | None, typer.Option("--note", help="Why (kept with the decision).")]
StatusOption = Annotated[
    str | None, typer.Option("--status", help="pending, accepted or rejected.", show_default=False)
]
KindOption = Annotated[
    str | None,
    typer.Option(
        "--kind",
        help="script, music, vfx or a full kind (script.block, music.piece, vfx.trailer).",
        show_default=False,
    ),
]


def attach(root: typer.Typer) -> None:
    root.add_typer(app, name="studio")


def list_command(
    kind: str | None, status: str | None, studio_dir: Path | None, as_json: bool
) -> None:
    from rich.table import Table

    from halqa.studio.common import ProposalBook
    from halqa.studio.common.decisions import list_proposals

    rows = list_proposals(ProposalBook(studio_dir), kind=kind, status=status)
    if as_json:
        print_json({"proposals": rows})
        return
    table = Table("id", "kind", "subject", "status", "created", title=f"{len(rows)} proposals")
    for r in rows:
        table.add_row(r["id"], r["kind"], r["subject"], r["status"], r["created_at"][:19])
    console.print(table)


def decide_command(
    kind: str | None,
    pid: str,
    accept: bool,
    by: str,
    note: str | None,
    studio_dir: Path | None,
    as_json: bool,
) -> None:
    from halqa.studio.common import ProposalBook
    from halqa.studio.common.decisions import decide

    result = decide(ProposalBook(studio_dir), pid, accept, by=by, note=note, kind=kind)
    if as_json:
        print_json(result)
        return
    where = f"; inserted into {result['inserted']}" if result.get("inserted") else ""
    console.print(
        f"proposal {result['id']} ({result['kind']}, {result['subject']}) is "
        f"{result['status']}{where}",
        markup=False,
        highlight=False,
    )


SCRIPT_SUFFIXES = (".fountain", ".spmd", ".txt")


def provenance_command(
    file: Path, studio_dir: Path | None, as_json: bool, *, script: bool = False
) -> None:
    """A script: share of generated and human lines; any other file: its provenance sidecar."""
    from halqa.studio.common import ProposalBook, read_sidecar

    if script or file.suffix.lower() in SCRIPT_SUFFIXES:
        from halqa.studio.script.draft import provenance_report

        result = provenance_report(file, ProposalBook(studio_dir))
    else:
        result = {"file": str(file), "provenance": read_sidecar(file).model_dump(mode="json")}
    if as_json:
        print_json(result)
        return
    if "provenance" in result:
        p = result["provenance"]
        console.print(
            f"{file}: {'made by a person' if p['human'] else 'generated'} with {p['tool']} "
            f"({p['generator']}{', model ' + p['model'] if p.get('model') else ''}) at "
            f"{p['created_at']}; "
            f"{len(p['inputs'])} inputs",
            markup=False,
            highlight=False,
        )
        return
    console.print(
        f"{file}: {result['lines']} lines, {result['generated_lines']} generated "
        f"({result['generated_share'] * 100:.1f}%), {result['human_lines']} by people; "
        f"{len(result['pending'])} proposals pending",
        markup=False,
        highlight=False,
    )
    for b in result["generated_blocks"]:
        console.print(
            f"  {b['proposal']}: {b['lines']} lines, accepted by {b.get('accepted_by')}, "
            f"{b.get('task')} by {b.get('model') or b.get('generator')}"
            + (f" via {b['backend']}" if b.get("backend") else ""),
            markup=False,
            highlight=False,
        )


@app.command("proposals")
@user_errors
def proposals_cmd(
    kind: KindOption = None,
    status: StatusOption = None,
    studio_dir: StudioOption = None,
    as_json: JsonOption = False,
) -> None:
    """Proposals awaiting (or past) a person's decision, oldest first."""
    list_command(kind, status, studio_dir, as_json)


@app.command("accept")
@user_errors
def accept_cmd(
    proposal: ProposalArg,
    by: ByOption,
    note: NoteOption = None,
    studio_dir: StudioOption = None,
    as_json: JsonOption = False,
) -> None:
    """Accept a proposal (final); a screenplay block is inserted into its script,
    marked as generated."""
    decide_command(None, proposal, True, by, note, studio_dir, as_json)


@app.command("reject")
@user_errors
def reject_cmd(
    proposal: ProposalArg,
    by: ByOption,
    note: NoteOption = None,
    studio_dir: StudioOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reject a proposal (final): it never enters the script, score or cut."""
    decide_command(None, proposal, False, by, note, studio_dir, as_json)


@app.command("provenance")
@user_errors
def provenance_cmd(
    file: Annotated[
        Path, typer.Argument(help="A script, or a generated file with a .provenance.json sidecar.")
    ],
    studio_dir: StudioOption = None,
    as_json: JsonOption = False,
) -> None:
    """Who or what made a file: for a script the share of generated and human lines."""
    provenance_command(file, studio_dir, as_json)
