"""The README's five-minute tour, command by command, on a small demo world (issue 13).

Every line of the tour's ``bash`` blocks runs as written, in one bash session, from a folder laid out
like the repository root (``halqa-demo/`` made by ``halqa demo`` at a small scale); the "Longer
runs" (evaluations, minutes each) are not part of the tour. Two lines are
adapted, and only where the README itself cannot be literal in a test: ``halqa serve`` gets a free
port and is stopped once it answers, and ``../shared/data/movielens-100k`` is wherever the data is.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import MOVIELENS, REPO
from tests.service.conftest import free_port

SMALL = ["--members", "800", "--titles", "200", "--events", "40000", "--seed", "7"]


def tour_lines() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    tour = text.split("## A five-minute tour", 1)[1].split("### Longer runs", 1)[0]
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", tour, flags=re.DOTALL):
        for line in block.splitlines():
            command = re.split(r"\s{2,}#\s", line, maxsplit=1)[
                0
            ].strip()  # drop the trailing comment
            if command and not command.startswith("#"):
                lines.append(command)
    return lines


def test_the_tour_reads_as_expected():
    lines = tour_lines()
    assert lines[0] == ". .venv/bin/activate" and lines[1].startswith("export HALQA_DB=halqa-demo/")
    named = {
        shlex.split(line.replace('"$SALT"', "salt"))[1]
        for line in lines
        if line.startswith("halqa ")
    }
    assert {
        "stats",
        "insights",  # insights trends, insights brief
        "train",
        "recommend",
        "audience",  # target, export, lift, lookalike
        "serve",
        "ingest",
        "import",
        "export",
    } <= named


def _serve(line: str, cwd: Path, env: dict) -> None:
    """`halqa serve` as written, on a free port; stopped as soon as it answers and serves /docs."""
    port = free_port()
    args = shlex.split(re.sub(r"--port \d+", f"--port {port}", line))
    log = (cwd / "serve.log").open("w")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / args[0]), *args[1:]],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.poll() is None, (cwd / "serve.log").read_text()[-2000:]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        docs = httpx.get(f"http://127.0.0.1:{port}/docs", timeout=10)
        assert docs.status_code == 200 and "/docs-assets/swagger-ui-bundle.js" in docs.text
    finally:
        process.terminate()
        process.wait(30)


@pytest.mark.slow  # ~25 commands, each a process that loads halqa; target, train and lookalike fit models
def test_every_tour_command_runs_as_written(tmp_path):
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "COLUMNS": "120"}
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "activate").write_text(f'export PATH="{bin_dir}:$PATH"\n')
    made = subprocess.run(
        [
            str(bin_dir / "halqa"),
            "demo",
            "--out",
            "halqa-demo",
            *SMALL,
            "--no-serve",
            "--step",
            "generation_summary",
            "--step",
            "ingestion_summary",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert made.returncode == 0, made.stderr[-3000:]
    script, ran = ["set -e"], []
    for line in tour_lines():
        if line.startswith("halqa serve"):
            continue  # run apart below: it does not return
        if "../shared/data/movielens-100k" in line:
            if not (MOVIELENS / "u.data").exists():
                continue
            line = line.replace("../shared/data/movielens-100k", str(MOVIELENS))
        # each command is echoed to stderr first, so a failure names the line of the README
        script += [f"echo {shlex.quote('+ ' + line)} >&2", line]
        ran.append(line)
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    failed = (
        [ln for ln in done.stderr.splitlines() if ln.startswith("+ ")][-1:]
        if done.returncode
        else []
    )
    assert done.returncode == 0, f"README tour stopped at {failed}:\n{done.stderr[-3000:]}"
    assert len(ran) >= 20
    assert (
        (tmp_path / "brief.md")
        .read_text(encoding="utf-8")
        .startswith("# Creative brief: age_band=18-24")
    )
    assert (tmp_path / "recs.parquet").stat().st_size > 0 and (
        tmp_path / "exposed.csv"
    ).stat().st_size > 0
    assert "promotes title new-zgh-0001" in done.stdout.replace("\n", " ")
    exported = dict(
        line[len("export ") :].split("=", 1)
        for line in tour_lines()
        if line.startswith("export HALQA_DB=")
    )  # what the tour's shell had set
    _serve(
        next(line for line in tour_lines() if line.startswith("halqa serve")),
        tmp_path,
        {**env, **exported},
    )
    # what the tour wrote in the repository root is ignored by git
    ignored = subprocess.run(
        [
            "git",
            "check-ignore",
            "--no-index",
            *[
                str(REPO / name)
                for name in (
                    "brief.md",
                    "brief_files/x.png",
                    "recs.parquet",
                    "aud.csv",
                    "exposed.csv",
                    "mine.duckdb",
                    "ml.duckdb",
                    "out/titles.parquet",
                    "halqa-demo/halqa.duckdb",
                )
            ],
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert len(ignored.stdout.split()) == 9, ignored.stdout
