"""Fixtures of the audience tests; the world builder lives in audience_world.py so tests can import it
(a module named ``conftest`` is ambiguous once the whole suite runs)."""

from __future__ import annotations

import numpy as np
import pytest
from audience_world import make_world

from halqa.catalog import Store


@pytest.fixture
def world(store: Store, rng: np.random.Generator) -> dict:
    return make_world(store, rng)
