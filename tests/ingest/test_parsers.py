"""Property tests of the SQL parsers the ingest runs (through DuckDB, as the ingest does)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from halqa.catalog import taxonomy
from halqa.ingest.parsers import parse_values

CON = duckdb.connect()
instants = st.datetimes(min_value=datetime(1975, 1, 1), max_value=datetime(2025, 12, 31)).map(
    lambda d: d.replace(microsecond=(d.microsecond // 1000) * 1000)
)  # millisecond precision, like unix ms
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: (m // 15) * 15)


@settings(max_examples=60, deadline=None)
@given(instants, offsets)
def test_every_timestamp_spelling_is_the_same_utc_instant(
    moment: datetime, offset_min: int
) -> None:
    aware = moment.replace(tzinfo=UTC)
    unix = aware.timestamp()
    zone = timezone(timedelta(minutes=offset_min))
    spellings = [
        str(int(unix))
        if moment.microsecond == 0
        else f"{unix:.3f}",  # unix seconds (fraction kept)
        str(round(unix * 1000)),  # unix milliseconds
        aware.isoformat().replace("+00:00", "Z"),  # ISO with Z
        aware.astimezone(zone).isoformat(),  # ISO with an offset
        moment.isoformat(sep=" "),  # ISO without zone: taken as UTC
    ]
    parsed = parse_values(CON, "timestamp", spellings)
    assert parsed == [moment] * len(spellings), spellings


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=12))
def test_timestamp_never_invents_a_value_from_text(text: str) -> None:
    [value] = parse_values(CON, "timestamp", [text])
    if value is not None:  # only things that are numbers or dates parse
        stripped = text.strip()
        assert stripped and (stripped[0].isdigit() or stripped[0] in "+-."), text


def test_timestamps_outside_the_accepted_years_are_refused() -> None:
    assert (
        parse_values(
            CON, "timestamp", ["1850-01-01", "2300-01-01T00:00:00Z", "-99999999999", "nan", "inf"]
        )
        == [None] * 5
    )


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=120))
def test_age_is_bucketed_like_the_taxonomy(age: int) -> None:
    assert parse_values(CON, "age_band", [str(age)]) == [taxonomy.age_band(age)]


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(list(taxonomy.LANGUAGES)),
    st.sampled_from(["", "-latn", "_Arab", "-ma", "-TFNG", "-001", "-x"]),
    st.booleans(),
)
def test_language_tags_are_normalised_like_the_taxonomy(
    lang: str, suffix: str, upper: bool
) -> None:
    tag = (lang.upper() if upper else lang) + suffix
    assert parse_values(CON, "language", [tag]) == [taxonomy.normalise_language(tag)]


@pytest.mark.parametrize("region", taxonomy.REGIONS, ids=lambda r: r.id)
def test_every_spelling_of_a_region_is_recognised(region: taxonomy.Region) -> None:
    spellings = [region.id, str(region.code), region.fr, region.ar, region.fr.upper()]
    assert parse_values(CON, "region", spellings) == [region.id] * len(spellings)
    assert [taxonomy.normalise_region(s) for s in spellings] == [region.id] * len(spellings)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(
        [t.id for t in taxonomy.MUSIC_GENRES + taxonomy.SCREEN_GENRES]
        + list(taxonomy.GENRE_ALIASES)
    ),
    st.sampled_from(["", " ", "  "]),
    st.booleans(),
)
def test_genre_terms_fold_onto_ids(term: str, pad: str, title: bool) -> None:
    raw = pad + (term.title() if title else term) + pad
    expected = taxonomy.GENRE_ALIASES.get(term, term)
    assert parse_values(CON, "term", [raw], taxonomy.GENRE_ALIASES) == [expected]


def test_lists_read_pipes_and_json_arrays() -> None:
    assert parse_values(CON, "string_list", ["a|b| c", '["x", "y"]', "[broken", "solo"]) == [
        ["a", "b", "c"],
        ["x", "y"],
        None,
        ["solo"],
    ]


def test_event_types_accept_aliases_and_refuse_others() -> None:
    assert parse_values(
        CON,
        "enum",
        ["play", "Watch", " add-to-list ", "fly"],
        taxonomy.EVENT_TYPES,
        taxonomy.EVENT_ALIASES,
    ) == ["play", "view", "add_to_list", None]
