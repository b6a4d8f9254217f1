"""Fixtures every test folder can use: a real DuckDB file in a temp dir, MovieLens when present."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from halqa.catalog import Store

REPO = Path(__file__).resolve().parents[1]
MOVIELENS = Path(
    os.environ.get("HALQA_MOVIELENS", REPO.parent / "shared" / "data" / "movielens-100k")
)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "halqa.duckdb"


@pytest.fixture
def store(store_path: Path):
    with Store.open(store_path) as s:
        yield s


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(42)


@pytest.fixture(scope="session")
def movielens_dir() -> Path:
    if not (MOVIELENS / "u.data").exists():
        pytest.skip(f"MovieLens 100K not found at {MOVIELENS} (set HALQA_MOVIELENS)")
    return MOVIELENS
