"""Benchmark: halqa's parse, breakdown and PDF of a ~120-page script against screenplain's parse
and PDF of the same file, in the same run.

Each step runs in its own child process (so its peak RSS is its own) on the Fountain text of
``halqa.studio.script.sample.long_script`` (Darija in both scripts, French, English, Tifinagh).
Prints seconds (best of ``--repeat``), the ratio halqa/screenplain for parse and PDF, pages, and
each child's peak memory. screenplain drops Arabic and Tifinagh from its PDF (ReportLab with
Courier), so its PDF does less work than halqa's shaped one.

    .venv/bin/python bench/script.py --scenes 230 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import tempfile
import time
from pathlib import Path


def _halqa_parse(path: str) -> dict:
    from halqa.studio.script import read_fountain
    return {"elements": len(read_fountain(path).elements)}


def _halqa_breakdown(path: str) -> dict:
    from halqa.studio.script import read_fountain
    from halqa.studio.script.breakdown import breakdown
    result = breakdown(read_fountain(path))
    return {"pages": result["pages"], "scenes": len(result["scenes"])}


def _halqa_pdf(path: str) -> dict:
    from halqa.studio.script import read_fountain
    from halqa.studio.script.pdf import render_pdf
    return {"pages": render_pdf(read_fountain(path), path + ".halqa.pdf", page_direction="ltr")["pages"]}


def _screenplain_parse(path: str) -> dict:
    from screenplain.parsers import fountain
    with open(path, encoding="utf-8") as f:
        return {"paragraphs": len(fountain.parse(f).paragraphs)}


def _screenplain_pdf(path: str) -> dict:
    from screenplain.export.pdf import to_pdf
    from screenplain.parsers import fountain
    with open(path, encoding="utf-8") as f:
        screenplay = fountain.parse(f)
    with open(path + ".screenplain.pdf", "wb") as out:
        to_pdf(screenplay, out)
    import subprocess
    info = subprocess.run(["pdfinfo", path + ".screenplain.pdf"], capture_output=True, text=True, check=True).stdout
    pages = next((int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), None)
    return {"pages": pages}


STEPS = {"halqa parse": _halqa_parse, "halqa breakdown": _halqa_breakdown, "halqa pdf": _halqa_pdf,
         "screenplain parse": _screenplain_parse, "screenplain pdf": _screenplain_pdf}


def _child(name: str, path: str, queue) -> None:
    started = time.perf_counter()
    result = STEPS[name](path)
    seconds = time.perf_counter() - started
    queue.put({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **result})


def run(name: str, path: str) -> dict:
    queue = mp.get_context("spawn").SimpleQueue()
    proc = mp.get_context("spawn").Process(target=_child, args=(name, path, queue))
    proc.start()
    proc.join()
    return queue.get()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=230)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from halqa.studio.script.sample import long_script

    workdir = Path(tempfile.mkdtemp(prefix="halqa-bench-script-"))
    path = workdir / "long.fountain"
    path.write_text(long_script(args.scenes), encoding="utf-8")
    results = {}
    for name in STEPS:
        runs = [run(name, str(path)) for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["seconds"])
        best["peak_mb"] = max(r["peak_mb"] for r in runs)
        results[name] = best
        print(f"{name:18} {best['seconds']:7.3f} s  peak {best['peak_mb']:6.1f} MB  "
              + " ".join(f"{k}={v}" for k, v in best.items() if k not in ("seconds", "peak_mb")))
    for step in ("parse", "pdf"):
        ratio = results[f"halqa {step}"]["seconds"] / results[f"screenplain {step}"]["seconds"]
        print(f"ratio halqa/screenplain {step}: {ratio:.2f}x")
    print(json.dumps({"file": str(path), "bytes": path.stat().st_size, "results": results}))


if __name__ == "__main__":
    main()
