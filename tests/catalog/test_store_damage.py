"""A damaged store file, or a file that is not a halqa store: every command says so in one line, exit 2.

The damaged files are made here from a real store: truncated, header bytes overwritten, and one
variant per 256 KiB block with that block's bytes overwritten (DuckDB finds some damage only when a
query reads the block, so every command must map it, not only the open).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from halqa.catalog import Store
from halqa.cli.main import app
from halqa.errors import DataError

runner = CliRunner()
BLOCK = 256 * 1024


@pytest.fixture(scope="module")
def good_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store") / "good.duckdb"
    with Store.open(path) as store:
        store.run(
            "INSERT INTO members (member_id, age_band) SELECT 'm' || i, '18-24' FROM range(2000) t(i)"
        )
        store.run(
            "INSERT INTO titles (title_id, kind, name, genres) SELECT 't' || i, 'film', 'ⴰⵣⵓⵍ ' || i, "
            "['drama'] FROM range(500) t(i)"
        )
        store.run(
            "INSERT INTO events (member_id, title_id, event_type, ts) SELECT 'm' || (i % 2000), "
            "'t' || (i % 500), 'play', TIMESTAMP '2024-01-01' + to_seconds(i) FROM range(20000) t(i)"
        )
    return path


@pytest.fixture
def members_csv(tmp_path: Path) -> Path:
    path = tmp_path / "members.csv"
    path.write_text("member_id,age_band\nm1,18-24\n", encoding="utf-8")
    return path


def _assert_one_line_refusal(args: list[str], store: Path) -> int:
    """Run ``halqa ARGS --db STORE``: it succeeds, or refuses in one line naming the store; the exit code."""
    result = runner.invoke(app, args + ["--db", str(store)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        repr(result.exception),
    )
    if result.exit_code == 0:
        return 0  # the damage sits in a block this command never reads
    assert result.exit_code == 2, (args, result.output)
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert store.name in lines[0] and ("damaged" in lines[0] or "not a halqa store" in lines[0]), (
        lines[0]
    )
    return result.exit_code


def _damaged_copies(good: Path, folder: Path) -> list[Path]:
    data = good.read_bytes()
    out = []
    truncated = folder / "truncated.duckdb"
    truncated.write_bytes(data[: len(data) // 3])
    out.append(truncated)
    header = bytearray(data)
    header[100:200] = os.urandom(100)
    (folder / "header.duckdb").write_bytes(header)
    out.append(folder / "header.duckdb")
    for offset in range(BLOCK, len(data), BLOCK):
        block = bytearray(data)
        block[offset + 8 : offset + 4096] = b"\xab" * 4088
        path = folder / f"block{offset // BLOCK}.duckdb"
        path.write_bytes(block)
        out.append(path)
    return out


def test_every_damaged_variant_is_one_line_exit_2_for_stats_and_ingest(
    good_store, tmp_path, members_csv
):
    refused = 0
    for damaged in _damaged_copies(good_store, tmp_path):
        if _assert_one_line_refusal(["stats", "--json"], damaged):
            refused += 1
            _assert_one_line_refusal(["ingest", "members", str(members_csv)], damaged)
    assert refused >= 3  # truncated, header and at least one data block are found


@pytest.mark.parametrize("content", [b"hello, not a database\n" * 200, b"PAR1" + os.urandom(5000)])
def test_a_file_that_is_not_duckdb_is_named_and_refused(tmp_path, content, members_csv):
    path = tmp_path / "other.duckdb"
    path.write_bytes(content)
    for args in (
        ["stats"],
        ["ingest", "members", str(members_csv)],
        ["taxonomy", "list", "genres"],
    ):
        result = runner.invoke(app, args + ["--db", str(path)])
        assert result.exit_code == 2, (args, result.output)
        assert "other.duckdb: not a halqa store" in result.output
        assert "Traceback" not in result.output


def test_a_foreign_duckdb_database_is_not_migrated_into(tmp_path):
    path = tmp_path / "foreign.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE invoices (n INTEGER)")
    con.close()
    with pytest.raises(DataError, match="foreign.duckdb: not a halqa store"):
        Store.open(path)
    con = duckdb.connect(str(path), read_only=True)
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    con.close()
    assert tables == {"invoices"}  # nothing was written into it


def test_the_open_error_of_a_damaged_store_names_the_file(good_store, tmp_path):
    damaged = tmp_path / "header.duckdb"
    data = bytearray(good_store.read_bytes())
    data[100:200] = b"\x00" * 100
    damaged.write_bytes(data)
    with (
        pytest.raises(DataError, match=r"header\.duckdb: the store file is damaged"),
        Store.open(damaged, read_only=True) as store,
    ):
        store.counts()


@pytest.mark.parametrize("name", ["members.csv", "members.parquet", "notes.txt"])
def test_an_existing_data_file_given_as_the_store_is_refused_not_read_into_memory(
    tmp_path, members_csv, name
):
    """DuckDB 2 opens an existing CSV given as the database as an in-memory view of it: before
    this was refused, `halqa ingest members x.csv --db members.csv` printed "accepted 1" and
    kept nothing."""
    path = tmp_path / name
    path.write_bytes(members_csv.read_bytes())
    before = path.read_bytes()
    for args in (["stats"], ["ingest", "members", str(members_csv)]):
        result = runner.invoke(app, args + ["--db", str(path)])
        assert result.exit_code == 2, (args, result.output)
        assert isinstance(result.exception, SystemExit)
        assert result.output.strip() == (
            f"error: {path}: not a halqa store (the file is not a DuckDB database); "
            "pass --db with a halqa store file"
        )
    assert path.read_bytes() == before


def test_a_directory_given_as_the_store_is_named_in_one_line(tmp_path, members_csv):
    for args in (["stats"], ["ingest", "members", str(members_csv)]):
        result = runner.invoke(app, args + ["--db", str(tmp_path)])
        assert result.exit_code == 2, (args, result.output)
        assert result.output.strip() == (
            f"error: {tmp_path}: is a directory, not a store file; pass --db with a file name"
        )


@pytest.mark.parametrize("name", ["members.csv", "events.parquet", "empty.duckdb"])
def test_check_store_names_a_data_file_as_not_duckdb(tmp_path, members_csv, name):
    """What `halqa serve` runs first: a CSV given as the store was called 'damaged' with DuckDB's
    'Cannot launch in-memory database in read-only mode!'."""
    from halqa.catalog.integrity import check_store

    path = tmp_path / name
    path.write_bytes(b"" if name.startswith("empty") else members_csv.read_bytes())
    with pytest.raises(DataError) as caught:
        check_store(path)
    assert str(caught.value) == f"{path}: not a halqa store (not a DuckDB database file)"
