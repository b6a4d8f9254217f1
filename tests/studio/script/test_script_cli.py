"""`halqa script ...` end to end through the real CLI (Typer's runner), JSON and errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from halqa.cli.main import app

runner = CliRunner()


def _json(args: list[str]) -> dict:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_breakdown_json_and_csv(dar_lhajja: Path, tmp_path: Path) -> None:
    out = _json(
        ["script", "breakdown", str(dar_lhajja), "--csv", str(tmp_path / "b.csv"), "--json"]
    )
    assert out["pages"] == 1 and [c["name"] for c in out["characters"]] == [
        "YOUSSEF",
        "NADIA",
        "الحاجة",
    ]
    assert "weak predictor" in out["runtime"]["caveat"]
    assert "teapot" in (tmp_path / "b.csv").read_text(encoding="utf-8")


def test_export_each_format_and_format_round_trip(dar_lhajja: Path, tmp_path: Path) -> None:
    for ext in ("pdf", "html", "fdx", "fountain"):
        out = _json(
            ["script", "export", str(dar_lhajja), "--out", str(tmp_path / f"s.{ext}"), "--json"]
        )
        assert Path(out["out"]).stat().st_size > 200
    again = _json(["script", "parse", str(tmp_path / "s.fdx"), "--json"])
    assert [e["text"] for e in again["elements"] if e["kind"] == "character"][:2] == [
        "YOUSSEF",
        "الحاجة",
    ]
    normalised = tmp_path / "n.fountain"
    _json(["script", "format", str(dar_lhajja), "--out", str(normalised), "--json"])
    assert runner.invoke(app, ["script", "format", str(normalised)]).stdout == normalised.read_text(
        encoding="utf-8"
    )


def test_errors_are_one_line_and_exit_2(tmp_path: Path) -> None:
    binary = tmp_path / "x.fountain"
    binary.write_bytes(b"\x00\x01\x02")
    for args in (
        ["script", "parse", str(binary)],
        ["script", "parse", str(tmp_path / "missing.fountain")],
        ["script", "export", str(binary), "--out", str(tmp_path / "x.docx")],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_a_data_file_is_not_taken_for_a_screenplay(tmp_path: Path) -> None:
    members = tmp_path / "members.csv"
    members.write_text("member_id,region\nm1,souss-massa\n", encoding="utf-8")
    result = runner.invoke(app, ["script", "breakdown", str(members), "--json"])
    assert result.exit_code == 2, result.output
    assert result.output.strip() == (
        f"error: {members}: a .csv file is not a screenplay "
        "(give a Fountain file, .fountain or .txt, or Final Draft's .fdx)"
    )


def test_parse_table_keeps_note_brackets(dar_lhajja: Path) -> None:
    result = runner.invoke(app, ["script", "parse", str(dar_lhajja)])
    assert result.exit_code == 0 and "[[prop: teapot]]" in result.output
