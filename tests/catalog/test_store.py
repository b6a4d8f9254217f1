from pathlib import Path

import pytest

from halqa.catalog import SCHEMA_VERSION, Store
from halqa.errors import UserError


def test_new_store_is_migrated_and_seeded(store):
    assert store.schema_version() == SCHEMA_VERSION
    assert "gnawa" in store.genre_ids()
    assert store.counts()["events"] == 0


def test_reopen_does_not_migrate_twice(store_path: Path):
    with Store.open(store_path) as s:
        s.add_term("genres", "izlan", "music", "Izlan")
    with Store.open(store_path) as s:
        assert s.schema_version() == SCHEMA_VERSION
        assert "izlan" in s.genre_ids()
        assert s.scalar("SELECT count(*) FROM schema_version") == SCHEMA_VERSION


def test_read_only_open_of_missing_store_is_a_user_error(tmp_path: Path):
    with pytest.raises(UserError, match="no halqa store"):
        Store.open(tmp_path / "nope.duckdb", read_only=True)


def test_newer_schema_is_refused(store_path: Path):
    with Store.open(store_path) as s:
        s.run("INSERT INTO schema_version VALUES (999, 'future', now()::TIMESTAMP)")
    with pytest.raises(UserError, match="newer than this halqa"):
        Store.open(store_path)


def test_parquet_round_trip_keeps_arabic_and_tifinagh_byte_exact(store, tmp_path: Path):
    name = "ⴰⵣⵓⵍ · سلام عليكم"
    store.run(
        "INSERT INTO titles (title_id, kind, name, names, genres) VALUES "
        "('t1', 'track', ?, MAP {'fr': 'Salut'}, ['ahwash'])",
        [name],
    )
    store.export_parquet(tmp_path / "out")
    with Store.open(tmp_path / "copy.duckdb") as copy:
        copy.import_parquet(tmp_path / "out")
        copy.import_parquet(tmp_path / "out")  # idempotent
        got = copy.rows("SELECT name, genres FROM titles")
    assert got == [(name, ["ahwash"])]
    assert got[0][0].encode() == name.encode()


def test_transaction_rolls_back_on_error(store):
    with pytest.raises(RuntimeError), store.transaction():
        store.run("INSERT INTO creators (creator_id, name) VALUES ('c1', 'x')")
        raise RuntimeError("boom")
    assert store.counts()["creators"] == 0


def test_version_1_store_migrates_to_current(store_path: Path):
    import duckdb

    from halqa.catalog import schema

    con = duckdb.connect(str(store_path))
    con.execute(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)"
    )
    for statement in schema.MIGRATIONS[0][2]:
        con.execute(statement)
    con.execute("INSERT INTO schema_version VALUES (1, 'v1', now()::TIMESTAMP)")
    con.close()
    with Store.open(store_path) as s:
        assert s.schema_version() == SCHEMA_VERSION
        assert s.scalar("SELECT count(*) FROM audience_campaigns") == 0
        assert s.scalar("SELECT count(*) FROM service_keys") == 0


def test_importing_the_same_quarantine_twice_adds_nothing(store, tmp_path: Path):
    store.run(
        "INSERT INTO quarantine VALUES (1, 'events', 'a.csv', 3, 'ts', 'bad timestamp', 'x,y')"
    )
    store.export_parquet(tmp_path / "out")
    with Store.open(tmp_path / "copy.duckdb") as copy:
        copy.import_parquet(tmp_path / "out")
        copy.import_parquet(tmp_path / "out")
        assert copy.counts()["quarantine"] == 1


def test_ingest_ids_after_a_parquet_import_never_collide(store, tmp_path: Path):
    """An imported store holds ingest ids its own sequence never handed out; new ones go past them."""
    for _ in range(3):
        ingest_id = store.next_ingest_id()
        store.run(
            "INSERT INTO ingests (ingest_id, target, file, started_at, status) "
            "VALUES (?, 'events', 'x.csv', now()::TIMESTAMP, 'done')",
            [ingest_id],
        )
    store.export_parquet(tmp_path / "out")
    with Store.open(tmp_path / "copy.duckdb") as copy:
        copy.import_parquet(tmp_path / "out")
        fresh = copy.next_ingest_id()
        assert fresh > copy.scalar("SELECT max(ingest_id) FROM ingests")
        assert copy.next_ingest_id() > fresh


def test_a_version_2_store_gains_titles_auto_created(store_path: Path):
    """A store made before schema v3 has no titles.auto_created; opening it adds the column, false for
    every title already there, and a Parquet export made then still imports."""
    import duckdb

    from halqa.catalog import schema

    con = duckdb.connect(str(store_path))
    con.execute(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)"
    )
    for version, description, statements in schema.MIGRATIONS[:2]:
        for statement in statements:
            con.execute(statement)
        con.execute(
            "INSERT INTO schema_version VALUES (?, ?, now()::TIMESTAMP)", [version, description]
        )
    con.execute("ALTER TABLE titles DROP COLUMN auto_created")  # as version 1 created it then
    con.execute("INSERT INTO titles (title_id, kind, name) VALUES ('t1', 'film', 'الزين اللي فيك')")
    con.execute(f"COPY titles TO '{store_path.parent / 'old_titles.parquet'}' (FORMAT parquet)")
    con.close()
    with Store.open(store_path) as s:
        assert s.schema_version() == SCHEMA_VERSION
        assert s.rows("SELECT title_id, auto_created FROM titles") == [("t1", False)]
    export = store_path.parent / "export"
    export.mkdir()
    (store_path.parent / "old_titles.parquet").rename(export / "titles.parquet")
    with Store.open(store_path.parent / "fresh.duckdb") as fresh:
        fresh.import_parquet(export)
        assert fresh.rows("SELECT name, auto_created FROM titles") == [("الزين اللي فيك", False)]


def test_a_backup_keeps_the_consent_audit_and_a_second_import_adds_nothing(store, tmp_path: Path):
    """Issue 11: a store restored from `halqa export parquet` still proves who changed which consent."""
    store.run(
        "INSERT INTO consent_audit VALUES (TIMESTAMP '2026-11-01 09:00', 'ⵎ-1', 'marketing', true, false, "
        "TIMESTAMP '2026-11-01 09:00', 'abc123', 'service', 'api')"
    )
    store.export_parquet(tmp_path / "out")
    with Store.open(tmp_path / "copy.duckdb") as copy:
        copy.import_parquet(tmp_path / "out")
        copy.import_parquet(tmp_path / "out")
        assert copy.rows(
            "SELECT member_id, purpose, old_value, new_value, key_id FROM consent_audit"
        ) == [("ⵎ-1", "marketing", True, False, "abc123")]
