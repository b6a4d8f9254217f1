"""The demo's script step on a small store whose trends are known (tests/insights/world.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.console import Console

from halqa.catalog import Store
from halqa.demo.steps.script import studio_step
from halqa.studio.common import ProposalBook
from halqa.studio.script.fountain import read_fountain
from halqa.studio.script.language import label_words
from tests.insights import world as insights_world


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("script-demo") / "world.duckdb"
    with Store.open(path) as store:
        insights_world.build(store)
    return path


def test_demo_studio_step_writes_pack_scene_and_one_pending_block(
    store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HALQA_LLM_BASE_URL", "HALQA_LLM_MODEL", "HALQA_LLM_GGUF"):
        monkeypatch.delenv(name, raising=False)  # no model configured: the template drafts
    with Store.open(store_path, read_only=True) as store, (tmp_path / "log").open("w") as log:
        out = studio_step(store, SimpleNamespace(out_dir=tmp_path), Console(file=log))
    scene = read_fountain(out["scene"])
    languages = {w.language for e in scene.of_kind("dialogue") for w in label_words(e.plain)}
    assert {"ary-Arab", "fra-Latn"} <= languages
    pending = ProposalBook(out["studio_dir"]).list(status="pending")
    assert [p.id for p in pending] == [out["proposal"]]
    assert (
        pending[0].provenance.generator == "halqa.demo.steps.script.template"
        and pending[0].provenance.model is None
    )
    assert Path(out["pack"]).exists() and "[F" in Path(out["pack"]).read_text(encoding="utf-8")
