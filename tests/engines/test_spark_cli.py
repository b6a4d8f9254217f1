"""The engine switch without Spark: one line saying what to install, exit code 2; the lake's
export rules; `halqa spark status` when nothing runs. No JVM is started here."""

from __future__ import annotations

import json
import sys

import pytest
from typer.testing import CliRunner

from halqa.catalog import Store
from halqa.cli.main import app
from halqa.engines import lake


@pytest.fixture
def small_store(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store.open(path) as store:
        store.run(
            "INSERT INTO members (member_id, age_band, consent_analytics, consent_personalisation) "
            "VALUES ('m1', '18-24', true, true), ('m2', '25-34', true, false)"
        )
        store.run(
            "INSERT INTO titles (title_id, kind, name, genres) VALUES ('t1', 'film', 'ⵜⴰⵎⵓⵔⵜ', ['drama']), "
            "('t2', 'track', 'أغنية', ['chaabi'])"
        )
        store.run(
            "INSERT INTO events (member_id, title_id, event_type, ts) VALUES "
            "('m1', 't1', 'play', TIMESTAMP '2026-03-01 23:30:00'), ('m2', 't2', 'listen', TIMESTAMP '2026-03-02 00:10:00')"
        )
    return path


def _one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output
    return lines[0]


def test_without_pyspark_the_spark_engine_says_what_to_install(small_store, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark now fails
    result = CliRunner().invoke(
        app,
        [
            "insights",
            "trends",
            "--db",
            str(small_store),
            "--engine",
            "spark",
            "--spark-master",
            "local[1]",
            "--json",
        ],
    )
    assert "pip install 'halqa[spark]'" in _one_line_error(result)
    assert result.stdout == ""


def test_without_java_the_spark_engine_says_what_to_install(small_store, monkeypatch, tmp_path):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on it
    for args in (
        ["insights", "trends", "--db", str(small_store)],
        ["train", "--model", "als", "--db", str(small_store)],
    ):
        result = CliRunner().invoke(app, [*args, "--engine", "spark", "--spark-master", "local[1]"])
        assert "openjdk-17-jre-headless" in _one_line_error(result)
    monkeypatch.setenv("HALQA_SPARK_DIR", str(tmp_path / "state"))
    assert "openjdk-17-jre-headless" in _one_line_error(CliRunner().invoke(app, ["spark", "up"]))


def test_unknown_engine_is_refused(small_store, monkeypatch):
    monkeypatch.setenv("HALQA_ENGINE", "pandas")
    assert "duckdb, spark" in _one_line_error(
        CliRunner().invoke(app, ["insights", "trends", "--db", str(small_store)])
    )


def test_spark_status_when_nothing_runs(monkeypatch, tmp_path):
    monkeypatch.setenv("HALQA_SPARK_DIR", str(tmp_path))
    monkeypatch.setenv("HALQA_SPARK_UI_PORT", "1")  # nothing answers there
    result = CliRunner().invoke(app, ["spark", "status", "--json"])
    assert result.exit_code == 0, result.output
    state = json.loads(result.stdout)
    assert state["running"] is False and state["master_pid"] is None and state["alive_workers"] == 0
    assert CliRunner().invoke(app, ["spark", "down"]).exit_code == 0


def test_export_lake_layout_and_its_rules(small_store, tmp_path):
    out = tmp_path / "lake"
    runner = CliRunner()
    result = runner.invoke(app, ["export", "lake", str(out), "--db", str(small_store), "--json"])
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    assert manifest["rows"]["events"] == 2 and manifest["layout"] == lake.LAYOUT_VERSION
    # partitioned by the UTC day of each event
    assert sorted(p.name for p in (out / "events").iterdir()) == [
        "event_date=2026-03-01",
        "event_date=2026-03-02",
    ]
    assert {p.name for p in out.glob("*.parquet")} == {f"{t}.parquet" for t in lake.TABLES}
    again = runner.invoke(app, ["export", "lake", str(out), "--db", str(small_store)])
    assert "--overwrite" in _one_line_error(again)
    assert (
        runner.invoke(
            app, ["export", "lake", str(out), "--db", str(small_store), "--overwrite"]
        ).exit_code
        == 0
    )
    other = tmp_path / "photos"
    other.mkdir()
    (other / "a.jpg").write_bytes(b"x")
    assert "not a halqa lake" in _one_line_error(
        runner.invoke(app, ["export", "lake", str(other), "--db", str(small_store), "--overwrite"])
    )
    with lake.open_duckdb(out) as from_lake:
        assert from_lake.rows("SELECT name FROM titles ORDER BY title_id") == [
            ("ⵜⴰⵎⵓⵔⵜ",),
            ("أغنية",),
        ]
        assert (
            from_lake.scalar("SELECT count(*) FROM events_personalisation") == 1
        )  # m2 has not consented
        assert from_lake.scalar("SELECT count(*) FROM events_analytics") == 2


def test_duckdb_reads_the_lake_for_trends(small_store, tmp_path):
    out = tmp_path / "lake"
    runner = CliRunner()
    assert runner.invoke(app, ["export", "lake", str(out), "--db", str(small_store)]).exit_code == 0
    base = ["insights", "trends", "--window", "all", "--min-group", "2", "--json"]
    from_store = runner.invoke(app, [*base, "--db", str(small_store)])
    from_lake = runner.invoke(app, [*base, "--lake", str(out)])
    assert from_store.exit_code == 0, from_store.output
    assert json.loads(from_store.stdout)["totals"] == json.loads(from_lake.stdout)["totals"]


def test_the_executors_word_reasons_from_the_public_templates():
    from halqa.errors import ConfigError
    from halqa.recommend import REASON_LANGS, reason_templates

    assert set(REASON_LANGS) == {"en", "fr", "ar"}
    arabic = reason_templates("ar")
    assert arabic["watched"].format(title="ⵜⴰⵎⵓⵔⵜ") == "لأنك شاهدت ⵜⴰⵎⵓⵔⵜ"
    arabic["watched"] = "changed"  # a copy: the shared sentences stay as they are
    assert reason_templates("ar")["watched"] == "لأنك شاهدت {title}"
    with pytest.raises(ConfigError, match="en, fr, ar"):
        reason_templates("de")
