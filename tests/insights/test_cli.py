import json

from typer.testing import CliRunner

from halqa.cli.main import app

from . import world

runner = CliRunner()


def _json(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1
    return json.loads(lines[0])


def test_trends_json_is_one_object_and_matches_the_api(world_path, world_store):
    from halqa.insights import trends

    out = _json(
        [
            "insights",
            "trends",
            "--db",
            str(world_path),
            "--segment",
            "age_band=18-24",
            "--segment",
            "region=casablanca-settat",
            "--as-of",
            str(world.RISING_AS_OF),
            "--window",
            "28d",
            "--json",
        ]
    )
    assert out == json.loads(
        json.dumps(
            trends(
                world_store,
                ["age_band=18-24", "region=casablanca-settat"],
                as_of=world.RISING_AS_OF,
            ),
            default=str,
        )
    )
    assert "rap" in [r["item"] for r in out["rising"][:3]]


def test_trends_keeps_arabic_names_unescaped(world_path):
    result = runner.invoke(
        app,
        [
            "insights",
            "trends",
            "--db",
            str(world_path),
            "--by",
            "creator",
            "--as-of",
            str(world.RISING_AS_OF),
            "--window",
            "all",
            "--min-group",
            "3",
            "--top",
            "50",
            "--json",
        ],
    )
    assert result.exit_code == 0
    assert "نجم الأطلس" in result.stdout


def test_bad_segment_is_one_line_and_exit_2(world_path):
    result = runner.invoke(
        app, ["insights", "trends", "--db", str(world_path), "--segment", "region=atlantis"]
    )
    assert result.exit_code == 2
    assert "atlantis" in result.output and "Traceback" not in result.output


def test_insights_subcommands_print_json(world_path):
    as_of = str(world.RISING_AS_OF)
    assert _json(
        [
            "insights",
            "over-index",
            "--db",
            str(world_path),
            "-s",
            "age_band=18-24",
            "--as-of",
            as_of,
            "--json",
        ]
    )["rows"]
    assert _json(
        [
            "insights",
            "talent",
            "--db",
            str(world_path),
            "--window",
            "84d",
            "--as-of",
            as_of,
            "--json",
        ]
    )["overall"]["rows"]
    assert _json(
        ["insights", "fans", "t-rap-0", "--db", str(world_path), "--as-of", as_of, "--json"]
    )["rows"]
    assert _json(
        [
            "insights",
            "engagement",
            "--db",
            str(world_path),
            "--by",
            "kind",
            "--as-of",
            as_of,
            "--json",
        ]
    )["rows"]
    spark = _json(["insights", "sql", "item_counts_genre", "--spark", "--json"])
    assert "EXPLODE" in spark["sql"] and spark["dialect"] == "spark"
    result = runner.invoke(app, ["insights", "sql", "nope"])
    assert result.exit_code == 2


def test_old_spellings_warn_and_answer_the_same_json(world_path):
    """`halqa trends`, `halqa insights lift` and `--k` still work for one release: same JSON on
    stdout, one warning on stderr naming the new spelling."""
    common = ["--db", str(world_path), "-s", "age_band=18-24", "--as-of", str(world.RISING_AS_OF)]
    pairs = [
        (["trends", *common, "--json"], ["insights", "trends", *common, "--json"]),
        (["insights", "lift", *common, "--json"], ["insights", "over-index", *common, "--json"]),
        (
            ["insights", "trends", *common, "--k", "3", "--json"],
            ["insights", "trends", *common, "--min-group", "3", "--json"],
        ),
    ]
    for old, new in pairs:
        was, now = runner.invoke(app, old), runner.invoke(app, new)
        assert was.exit_code == now.exit_code == 0, was.output
        assert was.stdout == now.stdout and json.loads(now.stdout)
        assert now.stderr == ""
        assert "deprecated" in was.stderr
    assert "`halqa insights lift` is deprecated" in runner.invoke(app, pairs[1][0]).stderr
    assert json.loads(runner.invoke(app, pairs[2][1]).stdout)["k"] == 3
    listed = runner.invoke(app, ["insights", "--help"]).stdout
    assert "over-index" in listed and " lift " not in listed
