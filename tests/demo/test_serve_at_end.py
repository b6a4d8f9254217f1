"""`halqa demo` ends by serving the dashboard for a person at a terminal, never in scripts or under --json."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from halqa.cli.demo import _should_serve


def test_default_serves_only_for_an_interactive_terminal(monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    assert _should_serve(None, as_json=False)
    assert not _should_serve(None, as_json=True)
    assert not _should_serve(False, as_json=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    assert not _should_serve(None, as_json=False)
    assert _should_serve(True, as_json=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_demo_with_serve_prints_the_address_and_serves_the_dashboard(tmp_path):
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "halqa.cli.main",
        "demo",
        "--out",
        str(tmp_path / "w"),
        "--members",
        "600",
        "--titles",
        "150",
        "--events",
        "20000",
        "--step",
        "generation_summary",
        "--serve",
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        address = None
        deadline = time.time() + 180
        while time.time() < deadline and address is None:
            line = proc.stdout.readline()
            if not line:
                break
            found = re.search(r"(http://127\.0\.0\.1:\d+/dashboard/#key=\S+)", line)
            address = found.group(1) if found else None
        assert address, "halqa demo --serve never printed the dashboard address"
        page = None
        while time.time() < deadline:
            try:
                page = urllib.request.urlopen(address.split("#")[0], timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert page and "<html" in page.lower()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
