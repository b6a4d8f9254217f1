"""ingest_files end to end against a real DuckDB file: validation, quarantine, idempotency, formats."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from halqa.errors import ConfigError, DataError
from halqa.ingest import ingest_files
from tests.ingest.conftest import write_csv

ARABIC = "مرحبا بالعالم"
TIFINAGH = "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ"


def mixed_events_file(path: Path) -> Path:
    """Good rows mixed with every kind of bad one; returns the path. Lines are 1-based, header = 1."""
    lines = [
        b"member_id,title_id,event_type,ts,value,device",
        b"m1,t1,play,1700000000,30,tv",  # 2 good (unix s)
        b"m2,t1,watch,2024-01-01T10:00:00+01:00,0.5,mobile",  # 3 good (alias, ISO with offset)
        b"m1,t2,play,not-a-time,1,tv",  # 4 bad ts
        b"m9,t1,play,1700000000,1,tv",  # 5 unknown member
        b"m1,t1,play,1700000001,abc,tv",  # 6 bad value
        b"m1,t\xff\xfe,play,1700000000,1,tv",  # 7 invalid UTF-8
        b"m2,t2,rate,1700000000123,4," + ARABIC.encode(),  # 8 good (unix ms, Arabic device)
        b"m1,t1,flyto,1700000000,1,tv",  # 9 bad event type
        b"m2,t1",  # 10 missing columns
        b"m1,t1,play,1700000000,30,tv",  # 11 duplicate of line 2
        b"m3,t404,like,2024-02-02 12:00:00,,web",  # 12 unknown title
        b"m3,t3,like,2024-02-02 12:00:00,,web",  # 13 good (ISO without zone)
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_mixed_file_keeps_every_good_row_and_quarantines_every_bad_one(world, tmp_path):
    path = mixed_events_file(tmp_path / "events.csv")
    report = ingest_files(world, "events", [path])
    assert (report.rows, report.accepted, report.rejected, report.duplicates) == (12, 4, 7, 1)
    bad = {
        line: (field, reason)
        for line, field, reason in world.rows(
            "SELECT line, field, reason FROM quarantine WHERE target = 'events'"
        )
    }
    assert sorted(bad) == [4, 5, 6, 7, 9, 10, 12]
    assert bad[4][0] == "ts" and "not-a-time" in bad[4][1]
    assert bad[5][0] == "member_id" and "m9" in bad[5][1]
    assert bad[6][0] == "value" and "abc" in bad[6][1]
    assert "byte 0xFF at column 5 is not UTF-8" in bad[7][1]  # docs/data-model.md: names its byte
    assert bad[9][0] == "event_type" and "flyto" in bad[9][1]
    assert "columns" in bad[10][1].lower()
    assert bad[12][0] == "title_id" and "t404" in bad[12][1]
    stored = world.rows(
        "SELECT member_id, title_id, event_type, ts::VARCHAR, device FROM events ORDER BY ts"
    )
    assert stored == [
        ("m1", "t1", "play", "2023-11-14 22:13:20", "tv"),
        ("m2", "t2", "rate", "2023-11-14 22:13:20.123", ARABIC),
        ("m2", "t1", "view", "2024-01-01 09:00:00", "mobile"),
        ("m3", "t3", "like", "2024-02-02 12:00:00", "web"),
    ]
    # The quarantine file holds the same rows, with the raw row for each.
    assert report.quarantine == tmp_path / "events.csv.rejected.csv"
    text = report.quarantine.read_text(encoding="utf-8")
    assert (
        text.splitlines()[0] == '"file","line","field","reason","raw"'
    )  # spreadsheet-safe: all quoted
    assert len(world.rows("SELECT * FROM read_csv(?)", [str(report.quarantine)])) == 7
    assert "not-a-time" in text


def test_ingesting_the_same_file_twice_stores_each_event_once(world, tmp_path):
    path = mixed_events_file(tmp_path / "events.csv")
    first = ingest_files(world, "events", [path])
    second = ingest_files(world, "events", [path])
    assert second.accepted == 0 and second.duplicates == first.accepted + first.duplicates
    assert world.scalar("SELECT count(*) FROM events") == 4
    statuses = world.rows(
        "SELECT status, accepted FROM ingests WHERE target = 'events' ORDER BY ingest_id"
    )
    assert statuses == [("done", 4), ("done", 0)]


def test_same_instant_in_two_spellings_is_one_event(world, tmp_path):
    path = write_csv(
        tmp_path / "e.csv",
        ["member_id", "title_id", "event_type", "ts"],
        [
            ["m1", "t1", "play", "1700000000"],
            ["m1", "t1", "play", "2023-11-14T23:13:20+01:00"],
            ["m1", "t1", "play", "1700000000000"],
        ],
    )
    report = ingest_files(world, "events", [path])
    assert (report.accepted, report.duplicates) == (1, 2)


def test_missing_required_column_is_one_clear_error_and_writes_nothing(world, tmp_path):
    path = write_csv(
        tmp_path / "no_ts.csv", ["member_id", "title_id", "event_type"], [["m1", "t1", "play"]]
    )
    with pytest.raises(DataError) as err:
        ingest_files(world, "events", [path])
    message = str(err.value)
    assert str(path) in message and "'ts'" in message and "\n" not in message
    assert (
        world.scalar("SELECT count(*) FROM events") == 0
        and world.scalar("SELECT count(*) FROM ingests") == 2
    )


@pytest.mark.parametrize(
    "name,content,expected",
    [
        ("missing.csv", None, "no such file"),
        ("bad.parquet", b"this is not parquet", "named like Parquet but holds text"),
        (
            "data.xyz",
            b"a,b\n1,2\n",
            "missing required columns",
        ),  # text of no known suffix: read as CSV
    ],
)
def test_unreadable_or_wrong_format_is_one_clear_error(store, tmp_path, name, content, expected):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError, match=expected) as err:
        ingest_files(store, "events", [path])
    assert str(path) in str(err.value)


def test_column_mapping_and_formats(world, tmp_path):
    rows = [
        {
            "user": "m1",
            "item": "t1",
            "action": "listen",
            "when": "2024-03-01T08:00:00Z",
            "secs": 200,
        }
    ]
    jsonl = tmp_path / "plays.jsonl.gz"
    with gzip.open(jsonl, "wt", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
        fh.write("{not json}\n")
    mapping = {
        "member_id": "user",
        "title_id": "item",
        "event_type": "action",
        "ts": "when",
        "value": "secs",
    }
    report = ingest_files(world, "events", [jsonl], mapping=mapping)
    assert (report.accepted, report.rejected) == (1, 1)
    assert world.rows("SELECT line, field FROM quarantine") == [(2, "_line")]
    parquet = tmp_path / "plays.parquet"
    world.run(
        f"COPY (SELECT 'm2' AS user, 't2' AS item, 'like' AS action, TIMESTAMP '2024-03-02 09:00:00' AS "
        f"\"when\", 1.0 AS secs) TO '{parquet}' (FORMAT parquet)"
    )
    assert ingest_files(world, "events", [parquet], mapping=mapping).accepted == 1
    tsv = tmp_path / "plays.tsv"
    tsv.write_text(
        "user\titem\taction\twhen\tsecs\nm3\tt3\tshare\t1709370000\t\n", encoding="utf-8"
    )
    assert ingest_files(world, "events", [tsv], mapping=mapping).accepted == 1
    assert world.scalar("SELECT count(*) FROM events") == 3


def test_bad_mapping_names_the_problem(world, tmp_path):
    path = write_csv(tmp_path / "e.csv", ["a", "b"], [["1", "2"]])
    with pytest.raises(DataError, match="no column 'nope'"):
        ingest_files(world, "events", [path], mapping={"member_id": "nope"})
    with pytest.raises(DataError, match="not a column of events"):
        ingest_files(world, "events", [path], mapping={"colour": "a"})
    with pytest.raises(ConfigError):
        ingest_files(world, "plays", [path])


def test_multilingual_text_is_stored_byte_exact(store, tmp_path):
    path = write_csv(
        tmp_path / "titles.csv",
        [
            "title_id",
            "kind",
            "name",
            "name_fr",
            "name_ar",
            "name_zgh",
            "synopsis_ary_Latn",
            "genres",
            "original_language",
            "release_date",
            "country",
            "region",
        ],
        [
            [
                "s1",
                "série",
                ARABIC,
                "Bonjour",
                ARABIC,
                TIFINAGH,
                "wa3er bzaf",
                "Gnaoua|ramadan-sitcom",
                "ary",
                "2024-03-11",
                "ma",
                "Souss-Massa",
            ]
        ],
        bom=True,
    )
    report = ingest_files(store, "titles", [path])
    assert report.accepted == 1, store.rows("SELECT reason FROM quarantine")
    row = store.rows(
        "SELECT kind, name, names, synopses, genres, original_language, release_date::VARCHAR, "
        "country, region FROM titles"
    )[0]
    assert row == (
        "series",
        ARABIC,
        {"fr": "Bonjour", "ar": ARABIC, "zgh": TIFINAGH},
        {"ary-Latn": "wa3er bzaf"},
        ["gnawa", "ramadan-sitcom"],
        "ary",
        "2024-03-11",
        "MA",
        "souss-massa",
    )
    assert store.scalar("SELECT encode(name) FROM titles") == ARABIC.encode("utf-8")


def test_unknown_genre_is_rejected_with_a_suggestion_or_added_on_request(store, tmp_path):
    path = write_csv(
        tmp_path / "titles.csv",
        ["title_id", "kind", "name", "genres"],
        [["a1", "track", "Izlan", "izlan"], ["a2", "track", "Gnawa fusion", "gnawaa"]],
    )
    report = ingest_files(store, "titles", [path])
    assert (report.accepted, report.rejected) == (0, 2)
    reasons = dict(store.rows("SELECT line, reason FROM quarantine"))
    assert "did you mean 'gnawa'" in reasons[3] and "izlan" in reasons[2]
    store.run("DELETE FROM quarantine")
    path = write_csv(
        tmp_path / "titles2.csv",
        ["title_id", "kind", "name", "genres"],
        [["a1", "track", "Izlan", "izlan"]],
    )
    assert ingest_files(store, "titles", [path], add_terms=True).accepted == 1
    assert "izlan" in store.genre_ids()


def test_entity_upsert_counts_unchanged_rows_as_duplicates_and_keeps_absent_columns(
    world, tmp_path
):
    path = write_csv(
        tmp_path / "t.csv",
        ["title_id", "kind", "name"],
        [
            ["t1", "film", "Zanka"],
            ["t2", "track", "Ghiwane song (live)"],
            ["t9", "film", "New"],
            ["t9", "film", "New, fixed"],
        ],
    )
    report = ingest_files(world, "titles", [path])
    # t1 unchanged, t2 renamed, t9 new (its first line is an earlier duplicate in the file)
    assert (report.accepted, report.updated, report.duplicates) == (2, 1, 2)
    assert world.rows("SELECT name, genres FROM titles WHERE title_id = 't2'") == [
        ("Ghiwane song (live)", ["ghiwane"])
    ]
    assert world.scalar("SELECT name FROM titles WHERE title_id = 't9'") == "New, fixed"


def test_create_missing_makes_placeholders(world, tmp_path):
    path = write_csv(
        tmp_path / "e.csv",
        ["member_id", "title_id", "event_type", "ts"],
        [["new-member", "t1", "play", "1700000000"], ["m1", "new-title", "play", "1700000000"]],
    )
    assert ingest_files(world, "events", [path]).rejected == 2
    report = ingest_files(world, "events", [path], create_missing=True)
    assert (report.accepted, report.created) == (2, 2)
    assert world.rows(
        "SELECT auto_created, consent_analytics FROM members WHERE member_id = 'new-member'"
    ) == [(True, False)]
    assert world.rows(
        "SELECT kind, name, auto_created FROM titles WHERE title_id = 'new-title'"
    ) == [("film", "new-title", True)]
    assert (
        world.scalar("SELECT count(*) FROM titles WHERE auto_created") == 1
    )  # the real titles are not
    real = write_csv(
        tmp_path / "t.csv", ["title_id", "kind", "name"], [["new-title", "series", "Dar Lfotour"]]
    )
    ingest_files(world, "titles", [real])
    assert world.rows(
        "SELECT kind, name, auto_created FROM titles WHERE title_id = 'new-title'"
    ) == [("series", "Dar Lfotour", False)]


def test_consent_option_applies_only_to_sources_without_consent_columns(store, tmp_path):
    plain = write_csv(tmp_path / "m.csv", ["member_id", "gender"], [["a", "female"], ["b", "M"]])
    ingest_files(store, "members", [plain])
    assert store.scalar("SELECT count(*) FROM members_analytics") == 0  # default: no consent
    ingest_files(store, "members", [plain], consent={"analytics"})
    assert store.scalar("SELECT count(*) FROM members_analytics") == 2
    assert store.scalar("SELECT count(*) FROM members_marketing") == 0
    assert store.rows("SELECT gender FROM members ORDER BY member_id") == [("F",), ("M",)]
    with pytest.raises(ConfigError):
        ingest_files(store, "members", [plain], consent={"spam"})


def test_members_validation(store, tmp_path):
    path = write_csv(
        tmp_path / "m.csv",
        ["member_id", "age_band", "gender", "region", "languages", "consent_marketing"],
        [
            ["ok", "17", "F", "Oriental", "ary|fr_FR", "no"],
            ["", "18-24", "F", "", "", ""],
            ["x1", "old", "F", "", "", ""],
            ["x2", "25-34", "Q", "", "", ""],
            ["x3", "25-34", "", "Atlantis", "", ""],
            ["x4", "25-34", "", "", "klingon!", ""],
            ["x5", "25-34", "", "", "", "maybe"],
        ],
    )
    report = ingest_files(store, "members", [path])
    assert (report.accepted, report.rejected) == (1, 6)
    fields = [f for (f,) in store.rows("SELECT field FROM quarantine ORDER BY line")]
    assert fields == ["member_id", "age_band", "gender", "region", "languages", "consent_marketing"]
    assert store.rows("SELECT age_band, region, languages FROM members") == [
        ("<18", "oriental", ["ary", "fr-FR"])
    ]


def test_ingest_after_parquet_import_gets_fresh_ingest_ids(world, tmp_path):
    from halqa.catalog import Store

    world.export_parquet(tmp_path / "export")
    with Store.open(tmp_path / "copy.duckdb") as copy:
        copy.import_parquet(tmp_path / "export")
        path = write_csv(
            tmp_path / "e.csv",
            ["member_id", "title_id", "event_type", "ts"],
            [["m1", "t1", "play", "1"]],
        )
        report = ingest_files(copy, "events", [path])
        assert report.accepted == 1 and report.files[0].ingest_id == 3


def test_parents_must_exist_and_be_of_the_right_kind(world, tmp_path):
    path = write_csv(
        tmp_path / "t.csv",
        ["title_id", "kind", "name", "parent_id"],
        [
            ["al", "album", "Album", ""],
            ["tr1", "track", "Song", "al"],
            ["ep1", "episode", "Ep 1", "t3"],
            ["tr2", "track", "Song 2", "t1"],
            ["ep2", "episode", "Ep 2", "nowhere"],
        ],
    )
    report = ingest_files(world, "titles", [path])
    assert (report.accepted, report.rejected) == (3, 2)
    reasons = dict(world.rows("SELECT line, reason FROM quarantine"))
    assert "track cannot hang under 't1', a film" in reasons[5] and "unknown parent" in reasons[6]
    assert world.rows(
        "SELECT parent_id FROM titles WHERE title_id IN ('tr1', 'ep1') ORDER BY 1"
    ) == [("al",), ("t3",)]


def test_lines_are_counted_in_the_file_across_quoted_line_breaks(world, tmp_path):
    """A quoted value may span lines (a synopsis, a note): later rows are reported at their real line."""
    path = tmp_path / "multi.csv"
    path.write_bytes(
        b"member_id,title_id,event_type,ts,source\n"
        b'm1,t1,play,1700000000,"two\nlines"\n'  # lines 2-3
        b"m1,t1,play,not-a-time,x\n"  # line 4
        b'm1,t1,play,1700000001,"three\r\nlines\nhere"\n'  # lines 5-7
        b"m1,nope,play,1700000002,x\n"
    )  # line 8
    report = ingest_files(world, "events", [path])
    assert (report.accepted, report.rejected) == (2, 2)
    assert world.rows("SELECT line, field FROM quarantine ORDER BY line") == [
        (4, "ts"),
        (8, "title_id"),
    ]
    assert (
        world.scalar("SELECT source FROM events WHERE ts = to_timestamp(1700000001)::TIMESTAMP")
        == "three\r\nlines\nhere"
    )
