"""Issue 11 items 14-17 on the ingest path: plausible timestamps, pseudonymous ids, parent cycles,
idempotent quarantine (the API's half of each is in tests/catalog/test_row_contract.py)."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from halqa.catalog import rules as contract
from halqa.errors import UserError
from halqa.ingest import ingest_files
from halqa.insights.common import resolve_as_of
from halqa.catalog.browse import upsert_titles as _upsert_titles
from tests.ingest.conftest import write_csv


def _reasons(store, target: str) -> dict[int, tuple[str, str]]:
    return {
        line: (f, r)
        for line, f, r in store.rows(
            "SELECT line, field, reason FROM quarantine WHERE target = ? ORDER BY line", [target]
        )
    }


def test_an_event_in_2190_is_refused_like_the_api_refuses_it(world, tmp_path):
    path = write_csv(
        tmp_path / "e.csv",
        ["member_id", "title_id", "event_type", "ts"],
        [
            ["m1", "t1", "play", "2190-01-01T00:00:00Z"],
            ["m1", "t1", "play", "2024-05-01"],
            ["m2", "t2", "play", str(int(dt.datetime(2199, 6, 1).timestamp()))],
        ],
    )
    report = ingest_files(world, "events", [path])
    assert (report.accepted, report.rejected) == (1, 2)
    assert all(
        "is not a plausible time" in reason for _, reason in _reasons(world, "events").values()
    )


def test_insight_windows_are_anchored_on_the_latest_plausible_event(world):
    world.run(
        "INSERT INTO events (member_id, title_id, event_type, ts) VALUES "
        "('m1', 't1', 'play', TIMESTAMP '2024-03-10 10:00'), "
        "('m1', 't2', 'play', TIMESTAMP '2190-01-01')"
    )  # stored by an older halqa
    assert resolve_as_of(world, None) == dt.date(2024, 3, 11)


def test_member_ids_must_be_pseudonymous_on_ingest_too(world, tmp_path):
    members = write_csv(
        tmp_path / "m.csv",
        ["member_id", "age_band"],
        [
            ["ana@example.ma", "18-24"],
            ["+212612345678", "25-34"],
            ["0612345678", "25-34"],
            ["123456789", "25-34"],
            ["a b", "18-24"],
            ["m-ok", "18-24"],
        ],
    )
    report = ingest_files(world, "members", [members])
    assert (report.accepted, report.rejected) == (2, 4)
    reasons = _reasons(world, "members")
    assert [line for line, (f, r) in reasons.items() if "pseudonymous" in r] == [2, 3, 4]
    assert reasons[6] == ("member_id", "'a b' is not " + contract.MEMBERS["member_id"].expected)
    events = write_csv(
        tmp_path / "e.csv",
        ["member_id", "title_id", "event_type", "ts"],
        [["bob@example.ma", "t1", "play", "1700000000"], ["m-new", "t1", "play", "1700000000"]],
    )
    report = ingest_files(world, "events", [events], create_missing=True)
    assert (report.accepted, report.rejected) == (1, 1)
    assert world.scalar("SELECT count(*) FROM members WHERE member_id LIKE '%@%'") == 0


def test_series_parent_cycles_are_refused_naming_the_cycle(world, tmp_path):
    first = write_csv(
        tmp_path / "t1.csv",
        ["title_id", "kind", "name", "parent_id"],
        [
            ["s-self", "series", "Self", "s-self"],
            ["a", "series", "A", "b"],
            ["b", "series", "B", "a"],
            ["show", "series", "Show", ""],
            ["s1", "season", "S1", "show"],
        ],
    )
    report = ingest_files(world, "titles", [first])
    assert (report.accepted, report.rejected) == (2, 3)
    reasons = _reasons(world, "titles")
    assert reasons[2] == ("parent_id", contract.SELF_PARENT)
    assert (
        reasons[3] == ("parent_id", "parent cycle: a -> b -> a")
        and reasons[4][1] == "parent cycle: b -> a -> b"
    )
    closing = write_csv(
        tmp_path / "t2.csv",
        ["title_id", "kind", "name", "parent_id"],
        [["show", "series", "Show", "s1"]],
    )
    report = ingest_files(
        world, "titles", [closing]
    )  # the store's s1 -> show, the file's show -> s1
    assert (
        report.rejected == 1
        and world.scalar("SELECT parent_id FROM titles WHERE title_id = 'show'") is None
    )


def test_the_api_upsert_refuses_a_parent_cycle_and_writes_nothing(world):
    cycle = [
        {"title_id": "x", "kind": "series", "name": "X", "parent_id": "y"},
        {"title_id": "y", "kind": "series", "name": "Y", "parent_id": "x"},
    ]
    # The writer runs every call inside one transaction, as here.
    with (
        pytest.raises(UserError, match=r"titles\[0\]\.parent_id: parent cycle: x -> y -> x"),
        world.transaction(),
    ):
        _upsert_titles(world, cycle)
    assert world.scalar("SELECT count(*) FROM titles WHERE title_id IN ('x', 'y')") == 0


def test_re_running_a_file_does_not_quarantine_its_bad_rows_again(world, tmp_path):
    rows = [["m1", "t1", "play", str(1_700_000_000 + i)] for i in range(50)]
    rows += [["m1", "t1", "flyto", str(1_700_000_000 + i)] for i in range(30)] + [["m1", "t1"]]
    path = write_csv(tmp_path / "e.csv", ["member_id", "title_id", "event_type", "ts"], rows)
    counts = []
    for _ in range(3):
        report = ingest_files(world, "events", [path])
        counts.append(
            (
                report.rejected,
                world.scalar("SELECT count(*) FROM quarantine"),
                world.scalar("SELECT count(*) FROM events"),
            )
        )
    assert counts == [(31, 31, 50)] * 3
    # The quarantine CSV of the last run still lists every rejected row of the file.
    with open(report.quarantine, newline="", encoding="utf-8") as fh:
        assert len(list(csv.reader(fh))) == 32
