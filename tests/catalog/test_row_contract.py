"""The row contract: a generated row gets the same verdict and normalisation from `halqa ingest` as
from the API's request models (and the targeting title schema), because both derive from
``halqa.catalog.rules``.

Each example writes its rows to a real CSV, ingests it into a real store, and validates the same
rows with the pydantic models the service uses (an empty CSV field is an absent JSON field).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from halqa.audience.title import parse_title
from halqa.catalog import Store
from halqa.catalog import rules as contract
from halqa.errors import DataError
from halqa.ingest import ingest_files
from halqa.service.schemas import EventIn, MemberIn, TitleIn

SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def spellings(*values: str) -> st.SearchStrategy[str]:
    """Each value as written, upper-cased, lower-cased, and with blanks around it."""
    base = st.sampled_from(values)
    return st.one_of(base, base.map(str.upper), base.map(str.lower), base.map(lambda v: f" {v} "))


junk = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=6)
timestamps = st.one_of(
    st.integers(1_000_000_000, 1_750_000_000).map(str),  # unix seconds
    st.integers(1_000_000_000_000, 1_750_000_000_000).map(str),  # unix milliseconds
    st.sampled_from(
        [
            "5e10",
            "1.7e9",
            "1700000000.5",
            "-5",
            "0",
            "99999999999",
            "4102444800",
            "1_700_000_000",
            "0x10",
            "2190-01-01",
            "2024-02-30",
            "2024-02-29",
            "1899-12-31T23:59:59Z",
        ]
    ),
    st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2025, 12, 31)).map(
        lambda d: d.replace(microsecond=0).isoformat()
    ),
    st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2025, 12, 31)).map(
        lambda d: d.replace(microsecond=0).isoformat(sep=" ") + "Z"
    ),
    st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2025, 12, 31)).map(
        lambda d: d.replace(microsecond=0).isoformat() + "+01:00"
    ),
    st.dates(dt.date(1990, 1, 1), dt.date(2025, 12, 31)).map(str),
    junk,
)
member_ids = st.one_of(
    st.sampled_from(
        [
            "m1",
            "m-ⴰⵣ",
            "عضو7",
            "123456789",
            "0612345678",
            "+212 6 12 34 56 78",
            "ana@example.ma",
            "a b",
            "x" * 201,
            " m1",
            "m\t1",
        ]
    ),
    st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True),
)
optional = st.one_of(st.none(), st.just(""))


def field(values: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    return st.one_of(optional, values, values, junk)


MEMBER = st.fixed_dictionaries(
    {
        "member_id": member_ids,
        "age_band": field(
            st.one_of(
                spellings(*contract.taxonomy.AGE_BANDS),
                st.integers(-5, 130).map(str),
                st.sampled_from(["23.5", "1e1", "+30"]),
            )
        ),
        "gender": field(
            spellings("F", "M", "X", "female", "Femme", "homme", "other", "non-binary")
        ),
        "country": field(spellings("MA", "fr", "Maroc", "morocco", "المغرب", "XYZ")),
        "region": field(
            spellings(
                "souss-massa", "Casablanca-Settat", "9", "13", "الرباط سلا القنيطرة", "Atlantis"
            )
        ),
        "city": field(st.sampled_from(["Fès", "ⴰⴳⴰⴷⵉⵔ", "x" * 101])),
        "consent_marketing": field(
            spellings("true", "false", "oui", "non", "1", "0", "yes", "maybe")
        ),
        "consent_at": field(timestamps),
        "joined_at": field(timestamps),
    }
)
TITLE = st.fixed_dictionaries(
    {
        "title_id": st.one_of(
            st.from_regex(r"t[0-9]{1,3}", fullmatch=True), st.sampled_from(["t 1", "فيلم"])
        ),
        "kind": st.one_of(
            spellings(*contract.taxonomy.KINDS[:4], "movie", "show", "song", "série", "opera"), junk
        ),
        "name": field(st.sampled_from(["Zanka", "ⵜⵉⵡⵉⵙⵉ", "مسلسل", "x" * 2001])),
        "original_language": field(spellings("ary", "ar", "fr", "zgh", "ary_Latn", "not a tag")),
        "release_date": field(
            st.sampled_from(
                [
                    "2024-05-01",
                    "01/05/2024",
                    "01-May-1995",
                    "1999",
                    "2024-13-01",
                    "2024-05-01T10:00:00",
                ]
            )
        ),
        "duration_s": field(st.sampled_from(["5400", "-1", "1.5", "2147483648", " 90 ", "1e3"])),
        "age_rating": field(spellings("all", "12+", "16", "-18", "tp", "21+")),
        "country": field(spellings("MA", "Maroc", "zz1")),
        "added_at": field(timestamps),
    }
)
EVENT = st.fixed_dictionaries(
    {
        "member_id": member_ids,
        "title_id": st.sampled_from(["t1", "t2", "t 9", ""]),
        "event_type": st.one_of(
            spellings(*contract.taxonomy.EVENT_TYPES[:5], "watch", "stream", "flyto"), junk
        ),
        "ts": timestamps,
        "value": field(
            st.sampled_from(["1", "0.5", "-3", "1e9", "1e10", "nan", "inf", "1_0", " 7 "])
        ),
        "device": field(st.sampled_from(["tv", "هاتف", "x" * 101])),
    }
)
ENTITIES = {"members": (MEMBER, MemberIn), "titles": (TITLE, TitleIn), "events": (EVENT, EventIn)}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("contract") / "contract.duckdb"
    with Store.open(path) as s:
        yield s


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        header = list(rows[0])
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if row[k] is None else row[k] for k in header])
    return path


def _api_verdict(
    model: type[BaseModel], row: dict[str, Any]
) -> tuple[BaseModel | None, set[tuple[str, str]]]:
    """The model (or None) and every (field, message) it refused, as the service's 422 states them."""
    body = {k: v for k, v in row.items() if v not in (None, "")}
    try:
        return model.model_validate(body), set()
    except ValidationError as exc:
        # An absent required field is pydantic's own "Field required": the ingest's "required value missing".
        return None, {
            (
                str(e["loc"][0]) if e["loc"] else "",
                "required value missing"
                if e["type"] == "missing"
                else e["msg"].removeprefix("Value error, "),
            )
            for e in exc.errors()
        }


def _ingest_verdicts(store: Store, target: str, path: Path) -> dict[int, tuple[str, str]]:
    report = ingest_files(store, target, [path], create_missing=True)
    ingest_id = report.files[0].ingest_id
    return {
        line: (fld or "", reason)
        for line, fld, reason in store.rows(
            "SELECT line, field, reason FROM quarantine WHERE ingest_id = ?", [ingest_id]
        )
    }


def _check_same(store: Store, target: str, rows: list[dict[str, Any]], tmp_path: Path) -> None:
    _, model = ENTITIES[target]
    verdicts = _ingest_verdicts(store, target, _write(tmp_path / f"{target}.csv", rows))
    for line, row in enumerate(rows, start=2):
        parsed, problems = _api_verdict(model, row)
        if line in verdicts:
            field_name, reason = verdicts[line]
            assert parsed is None, (target, row, "ingest refused, API took it", verdicts[line])
            messages = {
                m for f, m in problems if f == field_name or field_name == "parent_id" and f == ""
            }
            assert reason in messages, (target, row, verdicts[line], problems)
        else:
            assert parsed is not None, (target, row, "API refused, ingest took it", problems)
            if rows.index(row) == len(rows) - 1 - rows[::-1].index(row):  # the last of equal rows
                _same_normalisation(store, target, parsed)


def _same_normalisation(store: Store, target: str, parsed: BaseModel) -> None:
    data = parsed.model_dump()
    if target == "events":
        key = [data["member_id"], data["title_id"], data["event_type"], data["ts"]]
        assert (
            store.scalar(
                "SELECT count(*) FROM events WHERE member_id = ? AND title_id = ? AND event_type = ? "
                "AND ts = ?",
                key,
            )
            == 1
        ), data
        return
    key = "member_id" if target == "members" else "title_id"
    stored = store.df(f"SELECT * FROM {target} WHERE {key} = ?", [data[key]]).to_dict("records")
    assert stored, data
    for name, value in data.items():
        if name not in stored[0] or name in ("consent_at",) and value is None:
            continue
        got = stored[0][name]
        if name.startswith("consent_") and name != "consent_at":
            assert bool(got) == bool(value), (name, got, value)  # a missing consent is no consent
        elif got is None or got is pd.NaT or isinstance(got, float) and math.isnan(got):  # missing
            assert value is None, (name, got, value)
        elif hasattr(got, "to_pydatetime"):
            got = got.to_pydatetime()
            assert (got if isinstance(value, dt.datetime) else got.date()) == value, (
                name,
                got,
                value,
            )
        else:
            assert (
                got.date() if isinstance(value, dt.date) and hasattr(got, "date") else got
            ) == value, (name, got, value)


@SETTINGS
@given(rows=st.lists(MEMBER, min_size=1, max_size=10, unique_by=lambda r: r["member_id"]))
def test_members_get_the_same_verdict_from_ingest_and_the_api(store, tmp_path, rows):
    _check_same(store, "members", rows, tmp_path)


@SETTINGS
@given(rows=st.lists(TITLE, min_size=1, max_size=10, unique_by=lambda r: r["title_id"]))
def test_titles_get_the_same_verdict_from_ingest_and_the_api(store, tmp_path, rows):
    _check_same(store, "titles", rows, tmp_path)


@SETTINGS
@given(rows=st.lists(EVENT, min_size=1, max_size=10))
def test_events_get_the_same_verdict_from_ingest_and_the_api(store, tmp_path, rows):
    _check_same(store, "events", rows, tmp_path)


@pytest.mark.parametrize(
    "row, field_name, normalised",
    [
        ({"kind": "movie"}, "kind", "film"),
        ({"gender": "female"}, "gender", "F"),
        ({"age_band": "23"}, "age_band", "18-24"),
        ({"age_band": 23}, "age_band", "18-24"),
    ],
)
def test_the_issue_s_examples_have_one_rule(row, field_name, normalised):
    table = contract.TITLES if field_name == "kind" else contract.MEMBERS
    assert table[field_name].parse(row[field_name]) == normalised
    model = TitleIn if field_name == "kind" else MemberIn
    base = {"title_id": "t1", "name": "x"} if model is TitleIn else {"member_id": "m1"}
    assert getattr(model.model_validate({**base, **row}), field_name) == normalised


def test_5e10_is_seconds_on_both_paths_and_so_not_plausible(store, tmp_path):
    with pytest.raises(ValidationError, match="is not a plausible time"):
        EventIn.model_validate(
            {"member_id": "m1", "title_id": "t1", "event_type": "play", "ts": 5e10}
        )
    path = _write(
        tmp_path / "e.csv",
        [{"member_id": "m1", "title_id": "t1", "event_type": "play", "ts": "5e10"}],
    )
    assert "is not a plausible time" in _ingest_verdicts(store, "events", path)[2][1]


def test_the_timestamp_horizon_is_one_setting_for_both_paths(store, tmp_path, monkeypatch):
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=5)).replace(tzinfo=None, microsecond=0)
    row = {"member_id": "m1", "title_id": "t1", "event_type": "play", "ts": soon.isoformat()}
    path = _write(tmp_path / "soon.csv", [row])
    with pytest.raises(ValidationError):
        EventIn.model_validate(row)
    assert 2 in _ingest_verdicts(store, "events", path)
    monkeypatch.setenv(contract.HORIZON_ENV, "7")
    contract.forget_latest()  # the API reads the setting at most once a second
    try:
        assert EventIn.model_validate(row).ts == soon
        assert _ingest_verdicts(store, "events", path) == {}
    finally:
        monkeypatch.delenv(contract.HORIZON_ENV)
        contract.forget_latest()


def test_the_targeting_title_schema_uses_the_same_rules():
    title = parse_title(
        {
            "name": "Zanka",
            "kind": "Movie",
            "genres": ["drama"],
            "language": "ary_latn",
            "region": "9",
            "release_date": "01/05/2024",
        }
    )
    assert (title.kind, title.language, title.region, title.release_date) == (
        "film",
        "ary-Latn",
        "souss-massa",
        dt.date(2024, 5, 1),
    )
    with pytest.raises(DataError, match="'opera' is not one of film"):
        parse_title({"name": "x", "kind": "opera", "genres": ["drama"], "language": "ar"})
