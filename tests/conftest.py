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


# --- Scheduling under pytest-xdist (`-n 2`) -------------------------------------------------
# The suite's wall time on 2 cores is the busier worker's sum, so (pytest_xdist_make_scheduler):
# * tests that share a process-wide setup run on one worker, which builds it once: the Spark
#   session and its worlds (one JVM driver, one application on the cluster), and the dashboard's
#   Chromium pages with their served world. Every other file is one unit, so its module fixtures
#   are built once too (what `--dist loadfile` does).
# * units start longest first (tests/durations.txt, written by `scripts/durations.py --write`
#   from a measured run): a long unit left for the end would decide the wall time alone.
#   Files the table does not know run after the known ones, in collection order.
# (xdist's own `--dist loadgroup` marks do not reach the scheduler with pytest 9: xdist 3.8 sets
# `item._nodeid`, which pytest 9 no longer reads.)
GROUPS = {
    "spark": (
        "tests/engines/test_spark_als.py",
        "tests/engines/test_spark_parity.py",
        "tests/engines/test_spark_serve.py",
        "tests/engines/test_spark_cluster.py",
        "tests/engines/test_spark_failures.py",
    ),
    "chromium": (
        "tests/service/test_dashboard.py",
        "tests/service/test_dashboard_explore.py",
        "tests/service/test_dashboard_tour.py",
        "tests/studio/vfx/test_dashboard_page.py",
    ),
}
GROUP_OF = {path: name for name, paths in GROUPS.items() for path in paths}
DURATIONS = Path(__file__).with_name("durations.txt")


def unit_of(nodeid: str) -> str:
    """The scheduling unit of a test: its group's name, else its file."""
    path = nodeid.split("::", 1)[0]
    return GROUP_OF.get(path, path)


def measured_seconds() -> dict[str, float]:
    """Seconds per file of the last measured run (`seconds path` per line, # comments)."""
    if not DURATIONS.exists():
        return {}
    out = {}
    for line in DURATIONS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            seconds, path = line.split(maxsplit=1)
            out[path] = float(seconds)
    return out


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    seconds = measured_seconds()
    cost: dict[str, float] = {}
    first_seen: dict[str, int] = {}
    for i, item in enumerate(items):
        unit = unit_of(item.nodeid)
        first_seen.setdefault(unit, i)
        cost.setdefault(unit, 0.0)
    for path, s in seconds.items():
        unit = GROUP_OF.get(path, path)
        if unit in cost:
            cost[unit] += s
    # stable: within a unit the tests keep their collection order (module fixtures stay shared)
    items.sort(key=lambda item: (-cost[unit_of(item.nodeid)], first_seen[unit_of(item.nodeid)]))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Under `-n N` (xdist's default `--dist load`): whole units, in the collected order."""
    if config.getoption("dist") != "load":
        return None  # an explicit --dist keeps xdist's own scheduler
    from xdist.scheduler import LoadScopeScheduling

    class UnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

    config.option.loadscopereorder = False  # keep the longest-first order made above
    return UnitScheduling(config, log)
