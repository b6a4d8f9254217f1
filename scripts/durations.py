"""Where the test suite's time goes, read from pytest's own reports (no conftest, no plugin).

    python scripts/durations.py JUNIT.xml [PYTEST_VERBOSE.log] [--top N] [--write PATH]

JUNIT.xml is `pytest --junitxml=...` (each test's time: setup + call + teardown). The optional log
is the same run's output with `-v` under pytest-xdist (lines like `[gw1] [ 50%] PASSED path::test`),
which tells which worker ran each test: the busiest worker's sum is the run's critical path.
"""

from __future__ import annotations

import argparse
import re
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

WORKER = re.compile(r"^\[(gw\d+)\] .*?(PASSED|FAILED|SKIPPED|ERROR|XFAIL|XPASS) (\S+)")


def nodeid(classname: str, name: str) -> str:
    """pytest's node id back from junit's dotted classname (a `Test...` part is a class)."""
    parts = classname.split(".")
    classes = []
    while parts and parts[-1][:1].isupper():
        classes.insert(0, parts.pop())
    return "::".join(["/".join(parts) + ".py", *classes, name])


def tests_from_junit(path: str) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for case in ET.parse(path).getroot().iter("testcase"):
        key = nodeid(case.get("classname", ""), case.get("name", ""))
        out[key] += float(case.get("time", 0))
    return out


def workers_from_log(path: str) -> dict[str, str]:
    seen: dict[str, str] = {}
    with open(path, errors="replace") as log:
        for line in log:
            m = WORKER.match(line.strip())
            if m:
                seen[m.group(3)] = m.group(1)
    return seen


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("junit")
    ap.add_argument("log", nargs="?")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--files", type=int, default=30)
    ap.add_argument(
        "--write",
        metavar="PATH",
        help="write seconds per file to PATH (tests/durations.txt: what tests/conftest.py reads)",
    )
    a = ap.parse_args()
    tests = tests_from_junit(a.junit)
    total = sum(tests.values())
    print(f"{len(tests)} tests, sum of durations {total:.1f} s")
    print(f"\ntop {a.top} tests")
    for key, t in sorted(tests.items(), key=lambda kv: -kv[1])[: a.top]:
        print(f"{t:8.1f}  {key}")
    files: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for key, t in tests.items():
        files[key.split("::")[0]] += t
        counts[key.split("::")[0]] += 1
    print(f"\ntop {a.files} files")
    for f, t in sorted(files.items(), key=lambda kv: -kv[1])[: a.files]:
        print(f"{t:8.1f}  {counts[f]:4d}  {f}")
    if a.write:
        with open(a.write, "w", encoding="utf-8") as out:
            out.write(
                "# seconds per test file in one measured run (scripts/durations.py --write);\n"
                "# tests/conftest.py starts the costliest first. Stale figures only cost time.\n"
            )
            for f, t in sorted(files.items(), key=lambda kv: -kv[1]):
                out.write(f"{t:.1f} {f}\n")
    if a.log:
        where = workers_from_log(a.log)
        per: dict[str, float] = defaultdict(float)
        n: dict[str, int] = defaultdict(int)
        missing = 0
        for key, t in tests.items():
            worker = where.get(key)
            if worker is None:
                missing += 1
                continue
            per[worker] += t
            n[worker] += 1
        print("\nper worker (critical path = the largest)")
        for w in sorted(per):
            print(f"{w}: {per[w]:8.1f} s over {n[w]} tests")
        if missing:
            print(f"({missing} tests not matched to a worker)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
