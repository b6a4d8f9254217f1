"""A real `halqa serve` process on 127.0.0.1 over a small multilingual world, with one key per role."""

from __future__ import annotations

import atexit
import copy
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from halqa.catalog import Store
from halqa.service.keys import ROLES, create_key
from tests.service.world import build_world

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"


@dataclass
class Served:
    url: str
    db: Path
    keys: dict[str, str]
    world: dict
    process: subprocess.Popen
    log: Path
    extra: dict = field(default_factory=dict)

    def client(self, role: str | None = None, **kwargs) -> httpx.Client:
        headers = {"X-API-Key": self.keys[role]} if role else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    db: Path, log: Path, *args: str, ready: str = "/health"
) -> tuple[subprocess.Popen, str]:
    """`halqa serve` on a free port, once ``ready`` answers 200 (``/health`` reads every block of the store)."""
    port = free_port()
    # Long keep-alive: tests that hold one connection per worker (tests/service/workers.py) must not
    # see it closed while a slow step (a CLI command on a loaded machine) runs.
    env = {"HALQA_SERVICE_KEEP_ALIVE_S": "300", **os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "halqa.cli.main",
            "serve",
            "--db",
            str(db),
            "--port",
            str(port),
            *args,
        ],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # a loaded 2-core CI machine can need more than a minute
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url + ready, timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"server did not answer within 180 s: {log.read_text()[-2000:]}")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def _build_store(db: Path) -> tuple[dict, dict[str, str]]:
    from halqa.recommend import Dataset, Hybrid
    from halqa.recommend.saved import default_model_path

    with Store.open(db) as store:
        world = build_world(store)
        keys = {role: create_key(store, role, f"test-{role}")[1] for role in ROLES}
        # what `halqa train --no-tune` saves: `halqa serve` serves the trained model, it fits none
        Hybrid().fit(Dataset.from_store(store)).save(default_model_path(db))
    return world, keys


_PREPARED: list[tuple[Path, dict, dict[str, str]]] = []


def prepare_store(db: Path) -> tuple[dict, dict[str, str]]:
    """A fresh store at ``db`` holding the test world, one key per role and the model `halqa train
    --no-tune` saves beside it. Built once per test process, then copied: a closed DuckDB file and
    its ``.models`` folder copied are the same store and model, and each test changes its copy."""
    from halqa.recommend.saved import default_model_path

    if not _PREPARED:
        folder = tempfile.mkdtemp(prefix="halqa-svc-template-")
        atexit.register(shutil.rmtree, folder, True)
        template = Path(folder) / "svc.duckdb"
        world, keys = _build_store(template)
        _PREPARED.append((template, world, keys))
    template, world, keys = _PREPARED[0]
    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, db)
    shutil.copytree(default_model_path(template).parent, default_model_path(db).parent)
    return copy.deepcopy(world), dict(keys)


@contextmanager
def serve_world(tmp: Path, name: str = "svc", *args: str) -> Iterator[Served]:
    """The test world in a fresh store under ``tmp``, served (no effective rate limit) until exit."""
    db = tmp / f"{name}.duckdb"
    world, keys = prepare_store(db)
    process, url = start_server(db, tmp / "server.log", "--rate-limit", "100000", *args)
    try:
        yield Served(url, db, keys, world, process, tmp / "server.log")
    finally:
        stop_server(process)


@pytest.fixture(scope="session")
def served(tmp_path_factory) -> Iterator[Served]:
    with serve_world(tmp_path_factory.mktemp("served")) as running:
        yield running


@pytest.fixture(scope="session")
def served_two(tmp_path_factory) -> Iterator[Served]:
    """The same world behind ``--workers 2`` (two HTTP processes and a store process)."""
    with serve_world(tmp_path_factory.mktemp("served2"), "svc2", "--workers", "2") as running:
        yield running


def wait_for_job(client: httpx.Client, path: str, timeout: float = 240) -> dict:
    """Poll a job resource (``/v1/<part>/jobs/<id>``) until it is done or failed; the studio's
    long work (drafts, compositions, cuts) all reports through this shape."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(path).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"{path} still {job['status']} after {timeout} s")
