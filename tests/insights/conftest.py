"""A synthetic world built once per test session (see world.py), opened read-only by tests."""

from __future__ import annotations

import pytest

from halqa.catalog import Store

from . import world


@pytest.fixture(scope="session")
def world_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("insights") / "world.duckdb"
    with Store.open(path) as store:
        world.build(store)
    return path


@pytest.fixture
def world_store(world_path):
    with Store.open(world_path, read_only=True) as store:
        yield store
