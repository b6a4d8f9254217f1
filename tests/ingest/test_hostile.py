"""The hostile-input suite: files an attacker (or a spreadsheet) writes, made here byte by byte.

Families: line endings, quoting, sizes, encodings, formats, streams. For each, every good row is
stored exactly once, every bad record is quarantined with its own line, and a file that cannot be
read at all is refused in one line naming the file (and the line), exit 2, no traceback.
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import threading
import zipfile

import duckdb
import pytest
from typer.testing import CliRunner

from halqa.cli.main import app
from halqa.errors import DataError
from halqa.ingest import ingest_files

ARABIC = "مرحبا بالعالم"
TIFINAGH = "ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ"
HEADER = "member_id,title_id,event_type,ts,device"
runner = CliRunner()


def good_rows(n: int, start: int = 0) -> list[str]:
    """``n`` valid event lines with distinct timestamps (m1..m3 and t1..t3 exist in ``world``)."""
    return [f"m{1 + i % 3},t{1 + i % 3},play,{1_700_000_000 + start + i},tv" for i in range(n)]


def stored_ts(store) -> list[int]:
    return [
        r[0] for r in store.rows("SELECT epoch(ts)::BIGINT - 1700000000 FROM events ORDER BY ts")
    ]


def quarantined(store) -> dict[int, tuple[str | None, str]]:
    return {
        line: (field, reason)
        for line, field, reason in store.rows(
            "SELECT line, field, reason FROM quarantine ORDER BY line"
        )
    }


# -- line endings ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, make",
    [
        (
            "mixed LF and CRLF",
            lambda lines: "\r\n".join(lines[:4]) + "\n" + "\n".join(lines[4:]) + "\r\n",
        ),
        (
            "CRLF everywhere but one line",
            lambda lines: "\r\n".join(lines[:6]) + "\n" + "\r\n".join(lines[6:]) + "\r\n",
        ),
        ("CR only (old Mac)", lambda lines: "\r".join(lines) + "\r"),
        (
            "a stray CR before one LF",
            lambda lines: "\n".join(lines[:3]) + "\r\r\n" + "\n".join(lines[3:]) + "\n",
        ),
    ],
)
def test_line_endings_never_cost_a_good_row(world, tmp_path, name, make):
    lines = [HEADER, *good_rows(9)]
    path = tmp_path / "events.csv"
    path.write_bytes(make(lines).encode())
    report = ingest_files(world, "events", [path])
    assert (report.rows, report.accepted, report.rejected) == (9, 9, 0), name
    assert stored_ts(world) == list(range(9))


def test_a_stray_cr_inside_a_value_rejects_that_row_alone_and_is_kept_byte_exact_in_quotes(
    world, tmp_path
):
    rows = good_rows(6)
    rows[2] = "m1,t1,pl\ray,1700000002,tv"  # line 4: the CR makes the event type unknown
    rows[4] = 'm2,t2,play,1700000004,"two\r\nlines"'  # line 6: quoted CRLF is data
    path = tmp_path / "events.csv"
    path.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode())
    report = ingest_files(world, "events", [path])
    assert (report.accepted, report.rejected) == (5, 1)
    assert quarantined(world)[4][0] == "event_type"
    assert world.scalar("SELECT device FROM events WHERE epoch(ts) = 1700000004") == "two\r\nlines"


@pytest.mark.parametrize("first_end", ["\r\n", "\n"], ids=["CRLF file", "LF file"])
def test_a_stray_cr_before_a_line_end_is_no_part_of_the_last_value(world, tmp_path, first_end):
    """Found by scripts/hardening_recheck.py: "...,1700000004\r\r\n" ending a row whose last column is
    the timestamp cost that row (the CR was read as part of the value); it is line-ending noise."""
    header = "member_id,title_id,event_type,ts"
    rows = [f"m{1 + i % 3},t{1 + i % 3},play,{1_700_000_000 + i}" for i in range(8)]
    text = header + first_end + first_end.join(rows[:4]) + "\r\r\n" + "\n".join(rows[4:]) + "\n"
    path = tmp_path / "events.csv"
    path.write_bytes(text.encode())
    report = ingest_files(world, "events", [path])
    assert (report.rows, report.accepted, report.rejected) == (8, 8, 0)
    assert stored_ts(world) == list(range(8))
    assert (
        world.scalar("SELECT count(*) FROM members WHERE member_id LIKE '%' || chr(13) || '%'") == 0
    )


# -- quoting ---------------------------------------------------------------------------------------
def test_an_unterminated_quote_rejects_its_line_and_keeps_every_row_after_it(world, tmp_path):
    rows = good_rows(300)
    rows[9] = 'm1,"t1,play,1700000009,tv'  # line 11: the quote never closes
    path = tmp_path / "events.csv"
    path.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode())
    report = ingest_files(world, "events", [path])
    assert (report.rows, report.accepted, report.rejected) == (300, 299, 1)
    assert list(quarantined(world)) == [11]
    assert "unterminated quote" in quarantined(world)[11][1]


def test_a_quote_closed_by_a_stray_quote_lines_later_costs_only_the_first_line(world, tmp_path):
    rows = good_rows(20)
    rows[3] = 'm1,"t1,play,1700000003,tv'  # line 5 opens a quote
    rows[8] = 'm2,t2",play,1700000008,tv'  # line 10 has a stray quote that would close it
    path = tmp_path / "events.csv"
    path.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode())
    report = ingest_files(world, "events", [path])
    assert report.rows == 20 and 5 in quarantined(world)
    assert (
        len(stored_ts(world)) == report.accepted >= 18
        and 4 in stored_ts(world)
        and 19 in stored_ts(world)
    )


def test_malformed_quoting_and_wrong_column_counts_are_named_by_line(world, tmp_path):
    rows = good_rows(8)
    rows[1] = 'm1,"t1"x,play,1700000001,tv'  # line 3
    rows[5] = "m1,t1"  # line 7
    path = tmp_path / "events.csv"
    path.write_bytes(
        ("\r\n".join([HEADER, *rows[:4]]) + "\n" + "\n".join(rows[4:]) + "\n").encode()
    )
    report = ingest_files(world, "events", [path])
    assert (report.accepted, report.rejected) == (6, 2)
    assert sorted(quarantined(world)) == [3, 7] and "columns" in quarantined(world)[7][1]


# -- sizes -----------------------------------------------------------------------------------------
def test_a_row_over_2_mib_is_read_and_line_numbers_stay_true(world, tmp_path):
    big = "ⵣ" * (1024 * 1024)  # 3 MiB of Tifinagh in one value
    lines = [
        "title_id,kind,name,synopsis_zgh",
        "big,film,Big," + big,
        "bad,opera,Bad,x",
        "small,film,Small,x",
    ]
    path = tmp_path / "titles.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode())
    report = ingest_files(world, "titles", [path])
    assert (report.accepted, report.rejected) == (2, 1)
    assert list(quarantined(world)) == [3]
    assert world.scalar("SELECT synopses['zgh'] FROM titles WHERE title_id = 'big'") == big


def test_a_row_over_the_32_mib_limit_is_rejected_alone(world, tmp_path, monkeypatch):
    from halqa.ingest import textfile

    monkeypatch.setattr(
        textfile, "MAX_ROW_BYTES", 1 << 20
    )  # the same rule at 1 MiB keeps the test fast
    rows = good_rows(5)
    rows[1] = 'm1,t1,play,1700000001,"' + "x" * (2 << 20) + '"'
    path = tmp_path / "events.csv"
    path.write_bytes(
        ("\n".join([HEADER, *rows]) + "\r\n").encode()
    )  # CRLF at the end: the repair pass
    report = ingest_files(world, "events", [path])
    assert (report.accepted, report.rejected) == (4, 1)
    assert list(quarantined(world)) == [3]


# -- encodings -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "codec, bom",
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-8", codecs.BOM_UTF8),
    ],
)
def test_utf16_and_bom_files_are_read_byte_exact(world, tmp_path, codec, bom):
    # Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated, CRLF.
    lines = [
        "member_id\ttitle_id\tevent_type\tts\tdevice",
        f"m1\tt1\tplay\t1700000000\t{ARABIC}",
        f"m2\tt2\tlisten\t1700000001\t{TIFINAGH}",
    ]
    path = tmp_path / "events.txt"
    path.write_bytes(bom + "\r\n".join(lines).encode(codec) + "\r\n".encode(codec))
    report = ingest_files(world, "events", [path], fmt="tsv")
    assert (report.accepted, report.rejected) == (2, 0)
    assert [r[0] for r in world.rows("SELECT device FROM events ORDER BY ts")] == [ARABIC, TIFINAGH]


def test_a_latin1_header_is_refused_in_one_line_naming_line_1_and_the_byte(world, tmp_path):
    path = tmp_path / "membres.csv"
    path.write_bytes("member_id,région\nm9,souss-massa\n".encode("latin-1"))
    with pytest.raises(DataError) as err:
        ingest_files(world, "members", [path])
    message = str(err.value)
    assert (
        str(path) in message and "line 1" in message and "0xE9" in message and "\n" not in message
    )
    result = runner.invoke(app, ["ingest", "members", str(path), "--db", world.path])
    assert result.exit_code == 2 and "Traceback" not in result.output and "line 1" in result.output


def test_a_latin1_byte_in_a_row_rejects_that_line_and_encoding_reads_it(world, tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes("member_id,city\nm7,F\xe8s\nm8,Rabat\n".encode("latin-1"))
    report = ingest_files(world, "members", [path])
    assert (report.accepted, report.rejected) == (1, 1) and list(quarantined(world)) == [2]
    report = ingest_files(world, "members", [path], encoding="latin-1")
    assert (
        report.accepted == 1
        and world.scalar("SELECT city FROM members WHERE member_id = 'm7'") == "Fès"
    )


# -- formats ---------------------------------------------------------------------------------------
def test_formats_are_detected_by_content_not_by_name(world, tmp_path):
    parquet = tmp_path / "events.csv"  # a Parquet file with the wrong name
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT 'm1' AS member_id, 't1' AS title_id, 'play' AS event_type, 1700000000 AS ts) "
        f"TO '{parquet}' (FORMAT parquet)"
    )
    jsonl = tmp_path / "more.csv"
    jsonl.write_text(
        '{"member_id": "m2", "title_id": "t2", "event_type": "play", "ts": 1700000001}\n'
    )
    report = ingest_files(world, "events", [parquet, jsonl])
    assert [f.format for f in report.files] == ["parquet", "jsonl"] and report.accepted == 2


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("sheet.csv", "xlsx", "ZIP archive"),
        ("blob.csv", b"\x00\x01\x02garbage\x00" * 50, "binary file"),
        ("table.parquet", b"member_id,title_id\n", "named like Parquet but holds text"),
        ("broken.csv.gz", b"\x1f\x8b\x08\x00not really gzip", "gzip"),
    ],
)
def test_unreadable_formats_are_one_line_exit_2(world, tmp_path, name, content, expected):
    path = tmp_path / name
    if content == "xlsx":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr("xl/workbook.xml", "<workbook/>")
        content = buffer.getvalue()
    path.write_bytes(content)
    result = runner.invoke(app, ["ingest", "events", str(path), "--db", world.path])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and str(path.name) in lines[0] and expected in lines[0], result.output


def test_a_gzipped_file_with_mixed_line_endings_is_read(world, tmp_path):
    path = tmp_path / "events.csv.gz"
    path.write_bytes(
        gzip.compress(
            (
                "\r\n".join([HEADER, *good_rows(3)]) + "\n" + "\n".join(good_rows(3, 3)) + "\n"
            ).encode()
        )
    )
    report = ingest_files(world, "events", [path])
    assert (report.accepted, report.rejected) == (6, 0)


def test_json_lines_with_crlf_mixes_and_utf16_are_read_line_for_line(world, tmp_path):
    rows = [
        f'{{"member_id": "m1", "title_id": "t1", "event_type": "play", "ts": {1700000000 + i}}}'
        for i in range(4)
    ]
    rows[2] = (
        '{"member_id": "m1", "title_id": "t1", "event_type": "play", "ts": 17000'  # line 3: broken
    )
    path = tmp_path / "events.jsonl"
    path.write_bytes(
        codecs.BOM_UTF16_LE
        + ("\r\n".join(rows[:2]) + "\n" + "\n".join(rows[2:])).encode("utf-16-le")
    )
    report = ingest_files(world, "events", [path])
    assert (report.accepted, report.rejected) == (3, 1) and list(quarantined(world)) == [3]


# -- streams ---------------------------------------------------------------------------------------
def _write_later(path: str, data: bytes) -> threading.Thread:
    def write() -> None:
        with open(path, "wb") as fh:
            fh.write(data)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def test_a_named_pipe_written_once_is_ingested(world, tmp_path):
    fifo = tmp_path / "events.pipe"
    os.mkfifo(fifo)
    writer = _write_later(str(fifo), ("\n".join([HEADER, *good_rows(5)]) + "\n").encode())
    report = ingest_files(world, "events", [fifo])
    writer.join(5)
    assert not writer.is_alive() and report.accepted == 5 and report.files[0].file == str(fifo)


def test_process_substitution_dev_fd_is_ingested(world, tmp_path):
    read_end, write_end = os.pipe()
    data = ("\n".join([HEADER, *good_rows(4)]) + "\n").encode()

    def write() -> None:
        with os.fdopen(write_end, "wb") as fh:
            fh.write(data)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    try:
        report = ingest_files(world, "events", [f"/dev/fd/{read_end}"])
    finally:
        os.close(read_end)
    thread.join(5)
    assert report.accepted == 4 and report.files[0].format == "csv"


# -- every hostile file through the CLI: exit 0 or a one-line refusal, never a traceback --------------
def test_no_hostile_file_prints_a_traceback(world, tmp_path):
    cases = {
        "nul.csv": HEADER.encode() + b"\nm1,t1,play,1\x00,tv\n",
        "only_header.csv": HEADER.encode(),
        "empty.csv": b"",
        "bom_only.csv": codecs.BOM_UTF8,
        "quotes.csv": (HEADER + '\n"""",",",","\n').encode(),
        "cr_in_header.csv": b"member_id,ti\rtle_id,event_type,ts\nm1,t1,play,1\n",
        "utf16_no_bom.csv": HEADER.encode("utf-16-le"),
        "deep.jsonl": b"[" * 5000 + b"\n",
        "half_utf16.txt": codecs.BOM_UTF16_LE + b"m\x00e\x00m",
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = runner.invoke(app, ["ingest", "events", str(path), "--db", world.path, "--json"])
        assert result.exit_code in (0, 2), (name, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            name,
            repr(result.exception),
        )
        if result.exit_code == 2:
            assert name in result.output and "Traceback" not in result.output, (name, result.output)
