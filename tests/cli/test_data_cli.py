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


def _genres(store_path) -> dict[str, dict]:
    result = runner.invoke(app, ["taxonomy", "list", "genres", "--db", str(store_path), "--json"])
    assert result.exit_code == 0, result.output
    return {g["genre_id"]: g for g in json.loads(result.stdout)["genres"]}


def test_taxonomy_add_never_replaces_a_builtin_term(store, store_path):
    store.close()
    before = _genres(store_path)["drama"]
    assert before["builtin"] and before["label_fr"]
    result = runner.invoke(app, ["taxonomy", "add", "genres", "Drama", "--db", str(store_path)])
    assert result.exit_code == 2, result.output
    assert result.output.strip() == (
        "error: genre 'drama' is built in already; nothing changed (`halqa taxonomy list genres`)"
    )
    assert _genres(store_path)["drama"] == before  # labels, domain and builtin kept


def test_taxonomy_add_checks_the_domain_and_names_the_id_it_stored(store, store_path):
    store.close()
    args = ["taxonomy", "add", "genres", "Chaabi Nouveau", "--db", str(store_path)]
    result = runner.invoke(app, [*args, "--domain", "sideways"])
    assert result.exit_code == 2, result.output
    assert result.output.strip() == "error: domain 'sideways' is not one of music, screen, any"
    assert "chaabi-nouveau" not in _genres(store_path)
    result = runner.invoke(app, [*args, "--domain", "music", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"added": "chaabi-nouveau", "vocabulary": "genres"}
    assert _genres(store_path)["chaabi-nouveau"]["label_en"] == "Chaabi Nouveau"


def test_export_parquet_onto_a_file_is_one_line(store, store_path, tmp_path):
    store.close()  # a real, empty store file; the CLI opens it itself
    target = tmp_path / "members.csv"
    target.write_text("member_id\nm1\n", encoding="utf-8")
    result = runner.invoke(app, ["export", "parquet", str(target), "--db", str(store_path)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.output.strip() == (
        f"error: {target}: is a file, not a folder; name a folder to write the tables to"
    )
    assert target.read_text(encoding="utf-8") == "member_id\nm1\n"
