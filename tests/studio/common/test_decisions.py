"""The one proposal interface: `halqa studio proposals|accept|reject|provenance`, the part aliases
(`halqa script|music|vfx ...`) on the same code, and who may see what over the API."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from halqa.cli.main import app
from halqa.errors import NotFoundError
from halqa.studio.common import ProposalBook, Provenance, write_sidecar
from halqa.studio.common.decisions import Caller, decide, list_proposals

runner = CliRunner()
CORPUS = Path(__file__).resolve().parents[1] / "script" / "corpus"


def _prov(tool: str) -> Provenance:
    return Provenance.make(tool=tool, generator="halqa.test", parameters={"task": "continue"})


@pytest.fixture
def studio(tmp_path: Path) -> dict:
    """A studio folder with one proposal of each part (a script block for a copy of the corpus script)."""
    script = tmp_path / "dar.fountain"
    shutil.copy(CORPUS / "dar_lhajja.fountain", script)
    book = ProposalBook(tmp_path / "studio")
    block = book.propose(
        kind="script.block",
        subject=str(script.resolve()),
        provenance=_prov("script.draft"),
        payload={"task": "continue", "fountain": "NADIA\nYallah, safi.\n", "after_scene": None},
    )
    piece = book.propose(
        kind="music.piece",
        subject="chaabi-1",
        payload={"style": "chaabi"},
        provenance=_prov("music.compose"),
    )
    cut = book.propose(
        kind="vfx.trailer",
        subject="rushes",
        payload={"seconds": 5},
        provenance=_prov("vfx.trailer"),
    )
    return {
        "dir": str(tmp_path / "studio"),
        "script": script,
        "book": book,
        "block": block,
        "piece": piece,
        "cut": cut,
    }


def run(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_one_listing_for_every_part_and_aliases_keep_to_theirs(studio: dict) -> None:
    everything = run("studio", "proposals", "--studio-dir", studio["dir"])["proposals"]
    assert {p["kind"] for p in everything} == {"script.block", "music.piece", "vfx.trailer"}
    assert [
        p["id"]
        for p in run("studio", "proposals", "--kind", "music", "--studio-dir", studio["dir"])[
            "proposals"
        ]
    ] == [studio["piece"].id]
    assert [p["id"] for p in run("vfx", "proposals", "--studio", studio["dir"])["proposals"]] == [
        studio["cut"].id
    ]
    assert [
        p["id"] for p in run("script", "proposals", "--studio-dir", studio["dir"])["proposals"]
    ] == [studio["block"].id]


def test_accepting_a_script_block_inserts_it_and_aliases_refuse_other_parts(studio: dict) -> None:
    wrong = runner.invoke(
        app,
        ["music", "accept", studio["block"].id[:8], "--by", "Salma", "--studio-dir", studio["dir"]],
    )
    assert wrong.exit_code == 2 and "of kind music.*" in wrong.output
    accepted = run(
        "studio",
        "accept",
        studio["block"].id[:8],
        "--by",
        "Salma",
        "--note",
        "keep",
        "--studio-dir",
        studio["dir"],
    )
    assert accepted["status"] == "accepted" and accepted["inserted"] == str(
        studio["script"].resolve()
    )
    assert accepted["decision"] == {**accepted["decision"], "by": "Salma", "note": "keep"}
    assert "Yallah, safi." in studio["script"].read_text(encoding="utf-8")
    report = run("studio", "provenance", str(studio["script"]), "--studio-dir", studio["dir"])
    assert (
        report["generated_lines"] == 2 and report["generated_blocks"][0]["accepted_by"] == "Salma"
    )
    rejected = run(
        "music", "reject", studio["piece"].id, "--by", "Omar", "--studio-dir", studio["dir"]
    )
    assert rejected["status"] == "rejected"
    final = runner.invoke(
        app, ["studio", "accept", studio["piece"].id, "--by", "Omar", "--studio-dir", studio["dir"]]
    )
    assert final.exit_code == 2 and "already rejected" in final.output  # a decision is final


def test_provenance_of_a_generated_file_reads_its_sidecar(tmp_path: Path) -> None:
    asset = tmp_path / "cut.mp4"
    asset.write_bytes(b"not really a film")
    write_sidecar(asset, _prov("vfx.trailer"))
    report = run("studio", "provenance", str(asset))
    assert report["provenance"]["tool"] == "vfx.trailer" and report["provenance"]["human"] is False


def test_a_creator_key_sees_its_own_and_shared_proposals_never_another_keys(studio: dict) -> None:
    book = studio["book"]
    mine = book.propose(
        kind="script.block",
        subject="a",
        payload={"fountain": "A\nB\n"},
        owner="key-a",
        provenance=_prov("script.draft"),
    )
    theirs = book.propose(
        kind="script.block",
        subject="a",
        payload={"fountain": "A\nB\n"},
        owner="key-b",
        provenance=_prov("script.draft"),
    )
    assert mine.id != theirs.id  # the same draft for two keys is two proposals
    creator_a = Caller("key-a", "Salma", "creator")
    seen = {p["id"] for p in list_proposals(book, caller=creator_a)}
    assert mine.id in seen and studio["piece"].id in seen and theirs.id not in seen
    assert theirs.id in {
        p["id"] for p in list_proposals(book, caller=Caller("key-c", "Ana", "analyst"))
    }
    with pytest.raises(NotFoundError):
        decide(book, theirs.id, True, caller=creator_a)
    decided = decide(book, mine.id, False, caller=creator_a)
    assert decided["decision"]["by"] == "Salma" and decided["decision"]["key_id"] == "key-a"
