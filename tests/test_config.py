"""The one config style: declared constraints, one-line errors, JSON round-trip."""

from __future__ import annotations

from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import Field

from halqa.config import Config
from halqa.errors import ConfigError


class ExampleConfig(Config):
    factors: int = Field(64, gt=0)
    by: Literal["members", "weight"] = "members"
    features: tuple[str, ...] = ("gender", "age_band")


def test_build_applies_changes_over_defaults() -> None:
    config = ExampleConfig.build("als", factors=8)
    assert (config.factors, config.by) == (8, "members")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"factors": 0}, "the 'factors' parameter of als must be greater than 0; got 0"),
        ({"by": "x"}, "the 'by' parameter of als must be 'members' or 'weight'; got 'x'"),
        ({"nope": 1}, "als: unknown parameter 'nope' (accepted: factors, by, features)"),
    ],
)
def test_a_bad_value_is_one_line_naming_owner_and_field(changes: dict, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        ExampleConfig.build("als", **changes)
    assert str(caught.value) == message


def test_configs_are_frozen_and_replace_validates() -> None:
    config = ExampleConfig()
    with pytest.raises(Exception, match="frozen"):
        config.factors = 3  # type: ignore[misc]
    assert config.replace(factors=3).factors == 3
    with pytest.raises(ConfigError):
        config.replace(factors=-1)


@given(
    factors=st.integers(min_value=1, max_value=10_000),
    by=st.sampled_from(["members", "weight"]),
    features=st.lists(st.text(), max_size=3).map(tuple),
)
def test_json_round_trip(factors: int, by: str, features: tuple[str, ...]) -> None:
    config = ExampleConfig.build("als", factors=factors, by=by, features=features)
    assert ExampleConfig.model_validate_json(config.model_dump_json()) == config
