"""The service takes the window lengths the CLI takes (28d, 4w, 3m, all), with the CLI's defaults."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from halqa.errors import ConfigError
from halqa.insights.common import parse_window
from halqa.service.schemas import WINDOW_PATTERN
from tests.service.conftest import Served


@given(st.from_regex(WINDOW_PATTERN, fullmatch=True))
def test_every_length_the_service_admits_is_one_the_insights_read(text: str) -> None:
    try:
        parse_window(text)
    except ConfigError as refused:  # too long (over 3660 days): one line, a 400
        assert "outside 1-3660 days" in str(refused)


@pytest.mark.parametrize("text", ["28d", "4w", "3m", "all", "364d", "1d"])
def test_the_lengths_the_cli_documents_are_admitted(text: str) -> None:
    assert re.fullmatch(WINDOW_PATTERN, text)
    parse_window(text)


@pytest.mark.parametrize("text", ["0d", "-7d", "28 d", "4y", "", "d"])
def test_what_neither_reads_is_refused(text: str) -> None:
    assert not re.fullmatch(WINDOW_PATTERN, text)


def test_weeks_over_the_service_are_the_same_days(served: Served) -> None:
    with served.client("analyst") as client:
        weeks = client.get("/v1/trends", params={"window": "4w"})
        days = client.get("/v1/trends", params={"window": "28d"})
        everything = client.get("/v1/trends", params={"window": "all"})
    assert weeks.status_code == 200, weeks.text
    assert weeks.json() == days.json()
    assert everything.status_code == 200, everything.text


def test_talent_over_the_service_looks_back_a_year_as_the_cli_does(served: Served) -> None:
    with served.client("analyst") as client:
        answer = client.get("/v1/trends/talent")
    assert answer.status_code == 200, answer.text
    assert answer.json()["window"]["weeks"] == 52  # 364 days of weekly points
