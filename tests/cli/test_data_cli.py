import json

from typer.testing import CliRunner

from halqa.cli.main import app

runner = CliRunner()


def test_stats_json_is_one_object(store_path):
    result = runner.invoke(app, ["taxonomy", "list", "genres", "--db", str(store_path), "--json"])
    assert result.exit_code == 0
    assert any(g["genre_id"] == "gnawa" for g in json.loads(result.stdout)["genres"])
    result = runner.invoke(app, ["stats", "--db", str(store_path), "--json"])
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["counts"]["events"] == 0


def test_stats_on_missing_store_is_one_line_exit_2(tmp_path):
    result = runner.invoke(app, ["stats", "--db", str(tmp_path / "absent.duckdb")])
    assert result.exit_code == 2
    assert "no halqa store" in result.output
    assert "Traceback" not in result.output


def test_taxonomy_add_makes_a_new_genre(store_path):
    result = runner.invoke(
        app,
        [
            "taxonomy",
            "add",
            "genres",
            "izlan",
            "--domain",
            "music",
            "--ar",
            "إزلان",
            "--db",
            str(store_path),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    listed = runner.invoke(app, ["taxonomy", "list", "genres", "--db", str(store_path), "--json"])
    genres = {g["genre_id"]: g for g in json.loads(listed.stdout)["genres"]}
    assert genres["izlan"]["label_ar"] == "إزلان"


def test_unknown_vocabulary_is_a_user_error(store_path):
    result = runner.invoke(app, ["taxonomy", "list", "moods", "--db", str(store_path)])
    assert result.exit_code == 2
    assert "use genres or themes" in result.output
