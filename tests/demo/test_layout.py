"""The demo knows the domains; the domains know nothing of the demo (its steps live in demo/steps)."""

from __future__ import annotations

from pathlib import Path

import halqa

SRC = Path(halqa.__file__).resolve().parent
DOMAINS = ("insights", "audience", "recommend")


def test_no_domain_holds_or_imports_a_demo_module() -> None:
    for domain in DOMAINS:
        for path in (SRC / domain).rglob("*.py"):
            assert path.name != "demo.py", path
            assert "halqa.demo" not in path.read_text(encoding="utf-8"), path
