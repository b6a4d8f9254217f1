"""Drafting: a real llama.cpp server on loopback (tiny random GGUF), pending proposals with
provenance, accept/reject, the provenance report, and the backend-down line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from halqa.cli.main import app
from halqa.studio.common import InputRef, ProposalBook, Provenance
from halqa.studio.script.draft import (
    KIND,
    accept_block,
    build_prompt,
    check_block,
    provenance_report,
)
from halqa.studio.script.fountain import read_fountain

runner = CliRunner()


@pytest.fixture
def script_copy(dar_lhajja: Path, tmp_path: Path) -> Path:
    target = tmp_path / "dar.fountain"
    shutil.copy(dar_lhajja, target)
    return target


def test_backend_down_is_one_line_and_exit_2(
    script_copy: Path, closed_port_url: str, tmp_path: Path
) -> None:
    for extra in (["--base-url", closed_port_url, "--model", "x"], []):
        result = runner.invoke(
            app,
            [
                "script",
                "draft",
                "continue",
                str(script_copy),
                "--studio-dir",
                str(tmp_path / "studio"),
                *extra,
            ],
            env={"HALQA_LLM_BASE_URL": ""},
        )
        assert result.exit_code == 2
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and ("not reachable" in lines[0] or "--base-url" in lines[0])
    assert not (tmp_path / "studio" / "proposals").exists() or not any(
        (tmp_path / "studio" / "proposals").iterdir()
    )


@pytest.mark.parametrize(
    "answer, ok",
    [
        ("```fountain\nINT. ROOF - NIGHT\n\nWind.\n```", True),
        ("", False),
        ("Title: X\nAuthor: Y\n\nAction.", False),
        ("YOUSSEF\nWach?\n", True),
    ],
)
def test_answers_are_checked_as_fountain(answer: str, ok: bool) -> None:
    block, reason = check_block(answer)
    assert (block is not None) == ok and (reason is None) == ok


def test_prompts_carry_the_scene_and_the_pack_figures(script_copy: Path) -> None:
    pack = {"lines": [{"text": "Genre **rap**: rising x3.9", "figures": ["F10"]}]}
    prompt, anchor = build_prompt("continue", read_fountain(script_copy), scene="2", pack=pack)
    assert (
        "EXT. MARCHÉ CENTRAL - NIGHT" in prompt
        and "(F10)" in prompt
        and anchor == {"after_scene": "2"}
    )


def test_accept_inserts_between_markers_and_report_counts(
    script_copy: Path, tmp_path: Path
) -> None:
    """The decision path on its own (the proposal is made by hand here; the model path is below)."""
    book = ProposalBook(tmp_path / "studio")
    prov = Provenance.make(
        tool="script.draft",
        generator="test",
        parameters={"task": "continue"},
        inputs=[InputRef.of_file(script_copy)],
        prompt="p",
    )
    p = book.propose(
        kind=KIND,
        subject=str(script_copy.resolve()),
        provenance=prov,
        payload={"task": "continue", "fountain": "NADIA\nYallah, nmchiw.\n", "after_scene": "2"},
    )
    before = provenance_report(script_copy, book)
    assert before["generated_lines"] == 0 and before["pending"] == [p.id]
    accept_block(book, p.id, by="Salma")
    after = provenance_report(script_copy, book)
    assert (after["generated_lines"], after["human_lines"]) == (2, before["human_lines"])
    assert after["pending"] == [] and after["generated_blocks"][0]["accepted_by"] == "Salma"
    text = script_copy.read_text(encoding="utf-8")
    assert text.index("Yallah, nmchiw.") < text.index("خارجي. سطح الدار")  # inside scene 2
    accept_block(book, p.id, by="Salma")  # idempotent: not inserted twice
    assert script_copy.read_text(encoding="utf-8").count("Yallah, nmchiw.") == 1


def test_draft_against_a_real_server_stays_pending_until_accepted(
    llama_server: str, script_copy: Path, tmp_path: Path
) -> None:
    studio = tmp_path / "studio"
    original = script_copy.read_text(encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "script",
            "draft",
            "continue",
            str(script_copy),
            "--base-url",
            llama_server,
            "--model",
            "tiny",
            "--max-tokens",
            "24",
            "--seed",
            "1",
            "--temperature",
            "0.8",
            "--studio-dir",
            str(studio),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    proposal = json.loads(result.stdout.strip().splitlines()[-1])
    assert proposal["decision"] is None and proposal["kind"] == KIND
    prov = proposal["provenance"]
    assert prov["backend"] == f"openai-compatible:{llama_server}" and prov["model"] == "tiny"
    assert len(prov["prompt_sha256"]) == 64 and prov["parameters"]["max_tokens"] == 24
    assert prov["inputs"][0]["name"].endswith("dar.fountain")
    assert script_copy.read_text(encoding="utf-8") == original  # pending: the script is untouched
    report = json.loads(
        runner.invoke(
            app, ["script", "provenance", str(script_copy), "--studio-dir", str(studio), "--json"]
        ).stdout
    )
    assert report["pending"] == [proposal["id"]] and report["generated_lines"] == 0
    accepted = runner.invoke(
        app,
        [
            "script",
            "accept",
            proposal["id"][:8],
            "--by",
            "Salma",
            "--studio-dir",
            str(studio),
            "--json",
        ],
    )
    assert accepted.exit_code == 0, accepted.output
    report = json.loads(
        runner.invoke(
            app, ["script", "provenance", str(script_copy), "--studio-dir", str(studio), "--json"]
        ).stdout
    )
    assert report["generated_lines"] > 0 and report["pending"] == []
    assert report["generated_blocks"][0]["backend"] == prov["backend"]
    rejected = runner.invoke(
        app, ["script", "reject", proposal["id"], "--by", "Salma", "--studio-dir", str(studio)]
    )
    assert rejected.exit_code == 2 and "already accepted" in rejected.output  # a decision is final


def test_grammar_constrained_draft_is_a_speech(
    llama_server: str, script_copy: Path, tmp_path: Path
) -> None:
    """With the Fountain grammar even a random-weight model answers cue + dialogue."""
    from halqa.studio.common import LlmSettings
    from halqa.studio.script.draft import draft
    from halqa.studio.script.fountain import parse_fountain

    settings = LlmSettings(
        base_url=llama_server, model="tiny", max_tokens=40, seed=3, temperature=0.8
    )
    proposal = draft(
        "continue",
        settings,
        ProposalBook(tmp_path / "studio"),
        script_path=script_copy,
        grammar=True,
    )
    fountain = proposal.payload["fountain"]
    assert parse_fountain(fountain).elements
    cue = fountain.splitlines()[0].lstrip("!.")
    assert cue.startswith("@") or cue == cue.upper()  # the grammar's first rule is a cue
    assert proposal.provenance.parameters["grammar"] == "fountain-gbnf"
