"""Scorer and blend settings are halqa.config.Config: declared constraints, one-line errors, JSON."""

import pytest

from halqa.audience.blend import BlendScorer, BlendSettings
from halqa.audience.methods import FeatureKNNScorer, GenreProfileScorer, MemberMatchScorer
from halqa.errors import ConfigError


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: FeatureKNNScorer(k=0),
            "the 'k' parameter of FeatureKNNScorer must be greater than 0",
        ),
        (lambda: GenreProfileScorer(mode="cos"), "must be 'cosine' or 'dot'; got 'cos'"),
        (lambda: MemberMatchScorer(field="city"), "'field' parameter of MemberMatchScorer"),
        (lambda: BlendScorer({}, holdout_share=1.0), "'holdout_share' parameter of BlendScorer"),
        (lambda: BlendScorer({}, l2s=1.0), "BlendScorer: unknown parameter 'l2s'"),
    ],
)
def test_a_bad_setting_is_one_config_error(make, message):
    with pytest.raises(ConfigError, match=message):
        make()


def test_settings_are_frozen_and_round_trip_json_while_fitted_state_stays_on_the_scorer():
    blend = BlendScorer({}, l2=10.0, seed=3)
    again = BlendSettings.model_validate_json(blend.config.model_dump_json())
    assert again == blend.config and again.raw == frozenset({"rare-language-match"})
    with pytest.raises(ValueError, match="frozen"):
        blend.config.l2 = 1.0  # type: ignore[misc]  # the point: assignment is refused
    assert GenreProfileScorer(mode="dot").name == "genre-dot"
    assert FeatureKNNScorer(FeatureKNNScorer(k=7).config).config.k == 7
