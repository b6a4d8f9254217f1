"""Fixtures of the screenplay tests: the conformance suite (skipped with a reason when absent)
and the small Darija/French/Tamazight script whose counts were made by hand."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CONFORMANCE = Path(os.environ.get("HALQA_FOUNTAIN_CONFORMANCE",
                                  REPO.parent / "shared" / "data" / "fountain-conformance"))
CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture(scope="session")
def conformance_dir() -> Path:
    if not (CONFORMANCE / "Action.fountain").exists():
        pytest.skip(f"Fountain conformance suite not found at {CONFORMANCE} (set HALQA_FOUNTAIN_CONFORMANCE)")
    return CONFORMANCE


@pytest.fixture
def dar_lhajja() -> Path:
    return CORPUS / "dar_lhajja.fountain"
