import json
import re
from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from halqa.cli.main import app

from . import world

runner = CliRunner()
SEGMENT = ["--segment", "age_band=18-24", "--segment", "region=casablanca-settat"]


def _trends_json(world_path, by):
    result = runner.invoke(
        app,
        [
            "insights",
            "trends",
            "--db",
            str(world_path),
            *SEGMENT,
            "--by",
            by,
            "--as-of",
            str(world.RISING_AS_OF),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_brief_figures_match_trends_output_and_charts_are_images(world_path, tmp_path):
    out = tmp_path / "brief.md"
    result = runner.invoke(
        app,
        [
            "insights",
            "brief",
            "--db",
            str(world_path),
            *SEGMENT,
            "--as-of",
            str(world.RISING_AS_OF),
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    text = out.read_text(encoding="utf-8")

    # Every [F#] cited in the prose exists in the Figures table, and every figure is cited.
    table = dict(re.findall(r"^\| (F\d+) \| [^|]* \| [^|]* \| (.*) \|$", text, flags=re.MULTILINE))
    prose = text.split("## Figures")[0]
    cited = set(re.findall(r"\[(F\d+)\]", prose))
    assert cited and cited == set(table)

    # Every figure drawn from a trends report equals the row `halqa insights trends --json` prints.
    reports = {by: _trends_json(world_path, by) for by in ("genre", "theme", "language", "title")}
    checked = 0
    for fig in summary["figures"]:
        src = fig["source"]
        if src["report"] != "trends":
            continue
        report = reports[src["by"]]
        if src.get("field") == "totals":
            row = report["totals"]
        elif src["list"] == "attributed_to_season":
            row = next(
                r for r in report["season"]["attributed_to_season"] if r["item"] == src["item"]
            )
        else:
            row = next(r for r in report[src["list"]] if r["item"] == src["item"])
        for key, value in fig["values"].items():
            assert row[key] == value, (fig["id"], key)
            assert f"{key}={json.dumps(value)}" in table[fig["id"]]
        checked += 1
    assert checked >= 8
    # The planted rising genre is what the brief reports as rising and suggests
    assert (
        "**Moroccan rap / hip-hop**: 128 plays" in prose
        or "Genre **Moroccan rap / hip-hop**" in prose
    )
    assert "## Suggested directions" in text and "Genre: **Moroccan rap / hip-hop**" in prose

    pngs = summary["charts"]
    assert len(pngs) >= 3
    for path in pngs:
        with Image.open(path) as img:
            assert img.format == "PNG" and img.size[0] > 300
            img.verify()
        assert f"]({out.stem}_files/{path.rsplit('/', 1)[1]})" in text
    page = Path(summary["html"]).read_text(encoding="utf-8")
    assert "<script>" in page and "data-chart" in page
    assert not re.search(r"""(src|href)=["']https?://""", page)  # self-contained: nothing fetched


def test_brief_of_a_suppressed_segment_has_no_numbers(world_path, tmp_path):
    out = tmp_path / "small.md"
    result = runner.invoke(
        app,
        [
            "insights",
            "brief",
            "--db",
            str(world_path),
            "--segment",
            "gender=X",
            "--as-of",
            str(world.RISING_AS_OF),
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "suppressed" in text and not re.search(
        r"\d", text.split("\n", 1)[1].replace("10 members", "")
    )
    assert json.loads(result.stdout)["charts"] == []
