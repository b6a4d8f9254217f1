"""Fixtures of the screenplay tests: the conformance suite (skipped with a reason when absent)
and the small Darija/French/Tamazight script whose counts were made by hand."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CONFORMANCE = Path(
    os.environ.get(
        "HALQA_FOUNTAIN_CONFORMANCE", REPO.parent / "shared" / "data" / "fountain-conformance"
    )
)
CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture(scope="session")
def conformance_dir() -> Path:
    if not (CONFORMANCE / "Action.fountain").exists():
        pytest.skip(
            f"Fountain conformance suite not found at {CONFORMANCE} (set HALQA_FOUNTAIN_CONFORMANCE)"
        )
    return CONFORMANCE


@pytest.fixture
def dar_lhajja() -> Path:
    return CORPUS / "dar_lhajja.fountain"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def closed_port_url() -> str:
    """An OpenAI-style URL on loopback where nothing listens (the backend is down)."""
    return f"http://127.0.0.1:{_free_port()}/v1"


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory):
    """llama.cpp's OpenAI-compatible server (llama-cpp-python) on 127.0.0.1, serving a tiny
    random-weight GGUF written here; stopped by its pid at the end of the session."""
    import subprocess
    import sys
    import time

    import httpx

    pytest.importorskip(
        "llama_cpp", reason="llama-cpp-python is not installed (pip install 'halqa[studio-llm]')"
    )
    pytest.importorskip(
        "llama_cpp.server.app", reason="llama-cpp-python's server extras are not installed"
    )
    from script_tiny_gguf import write_tiny_llama

    model = write_tiny_llama(tmp_path_factory.mktemp("gguf") / "tiny-llama.gguf")
    port = _free_port()
    log = tmp_path_factory.mktemp("llama-log") / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(model),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "4096",
                "--model_alias",
                "tiny",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"llama.cpp server did not start: {log.read_text(errors='replace')[-2000:]}"
                )
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
