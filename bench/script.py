"""Benchmark: halqa's parse, breakdown and PDF of a ~120-page script against screenplain's, in the
same run, and page counts against Final Draft's.

1. The command line a user runs, each command a fresh process (start-up included):
   ``halqa script parse F --json``, ``halqa script breakdown F --json``, ``halqa script export F
   --out F.pdf`` and ``--out F.fdx``, beside ``screenplain --format fdx`` (parse and write, its
   lightest command) and ``screenplain --format pdf``. Wall seconds, CPU seconds (user + system of
   the child: steadier than wall on a shared machine) and the child's peak RSS, best of ``--repeat``.
2. The same work as library calls in a child process each (``--library``), without start-up.
3. Page counts of public scripts against Final Draft's own PDFs (``bench/fd_reference.json``; the
   Fountain sources from ``--fd-corpus``), halqa and screenplain side by side.

The long script is ``halqa.studio.script.sample.long_script`` (Darija in both scripts, French,
English, Tifinagh). screenplain drops Arabic and Tifinagh from its PDF (ReportLab with Courier), so
its PDF does less work than halqa's shaped one.

    .venv/bin/python bench/script.py --scenes 230 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


# ---------------------------------------------------------------- 1. the command line


def cli_steps(path: Path) -> dict[str, list[str]]:
    halqa, screenplain = str(BIN / "halqa"), str(BIN / "screenplain")
    return {
        "halqa parse --json": [halqa, "script", "parse", str(path), "--json"],
        "halqa breakdown --json": [halqa, "script", "breakdown", str(path), "--json"],
        "halqa export .fdx": [halqa, "script", "export", str(path), "--out", f"{path}.halqa.fdx"],
        "halqa export .pdf": [halqa, "script", "export", str(path), "--out", f"{path}.halqa.pdf"],
        "screenplain fdx": [screenplain, "--format", "fdx", str(path), f"{path}.screenplain.fdx"],
        "screenplain pdf": [screenplain, "--format", "pdf", str(path), f"{path}.screenplain.pdf"],
    }


def run_command(argv: list[str]) -> dict:
    """Wall and CPU seconds and peak RSS of one child process (its own rusage, from wait4)."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        proc = subprocess.Popen(argv, stdout=sink, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(
            f"{' '.join(argv)} failed: {proc.stderr.read().decode(errors='replace')[-500:]}"
        )
    proc.stderr.close()
    return {
        "seconds": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
    }


def pdf_pages(pdf: Path) -> int | None:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return next(
        (int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), None
    )


# ---------------------------------------------------------------- 2. library calls


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

    return {"pages": render_pdf(read_fountain(path), path + ".lib.pdf")["pages"]}


def _screenplain_parse(path: str) -> dict:
    from screenplain.parsers import fountain

    with open(path, encoding="utf-8") as f:
        return {"paragraphs": len(fountain.parse(f).paragraphs)}


def _screenplain_pdf(path: str) -> dict:
    from screenplain.export.pdf import to_pdf
    from screenplain.parsers import fountain

    with open(path, encoding="utf-8") as f:
        screenplay = fountain.parse(f)
    with open(path + ".lib.screenplain.pdf", "wb") as out:
        to_pdf(screenplay, out)
    return {"pages": pdf_pages(Path(path + ".lib.screenplain.pdf"))}


LIBRARY = {
    "halqa parse": _halqa_parse,
    "halqa breakdown": _halqa_breakdown,
    "halqa pdf": _halqa_pdf,
    "screenplain parse": _screenplain_parse,
    "screenplain pdf": _screenplain_pdf,
}


def _child(name: str, path: str, queue) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    result = LIBRARY[name](path)
    queue.put(
        {
            "seconds": time.perf_counter() - started,
            "cpu_s": time.process_time() - cpu,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            **result,
        }
    )


def run_library(name: str, path: str) -> dict:
    context = mp.get_context("spawn")
    queue = context.SimpleQueue()
    proc = context.Process(target=_child, args=(name, path, queue))
    proc.start()
    proc.join()
    return queue.get()


# ---------------------------------------------------------------- 3. page counts vs Final Draft


def page_counts(corpus: Path, workdir: Path) -> list[dict]:
    from halqa.studio.script import load_script
    from halqa.studio.script.layout import paginate

    reference = json.loads((HERE / "fd_reference.json").read_text(encoding="utf-8"))
    rows = []
    for entry in reference["scripts"]:
        source = corpus / f"{entry['id']}.fountain"
        row = {**entry, "halqa": None, "screenplain": None, "profile": None}
        if source.exists():
            script = load_script(source)
            layout = paginate(script, "letter")  # the profile the title page asks for
            row["halqa"], row["profile"] = layout.page_count, layout.profile.name
            out = workdir / f"{entry['id']}.screenplain.pdf"
            subprocess.run(
                [str(BIN / "screenplain"), "--format", "pdf", str(source), str(out)],
                check=True,
                capture_output=True,
            )
            row["screenplain"] = pdf_pages(out) - (
                1 if script.title else 0
            )  # its title page, like Final Draft's
        rows.append(row)
    return rows


def print_page_counts(rows: list[dict], corpus: Path) -> None:
    print("\npage counts against Final Draft's PDFs (US Letter, title page excluded)")
    print(
        f"{'script':15} {'kind':58} {'role':9} {'FD':>4} {'halqa':>6} {'err':>6} {'screenplain':>12} {'err':>6}"
    )
    for r in rows:
        if r["halqa"] is None:
            print(
                f"{r['id']:15} {r['kind'][:58]:58} {r['role']:9} {r['fd_pages']:4} {'':>6} {'':>6} {'':>12} "
                f"  (no {corpus / (r['id'] + '.fountain')})"
            )
            continue
        err = r["halqa"] - r["fd_pages"]
        sp_err = r["screenplain"] - r["fd_pages"]
        print(
            f"{r['id']:15} {r['kind'][:58]:58} {r['role']:9} {r['fd_pages']:4} {r['halqa']:6} {err:+6d} "
            f"{r['screenplain']:12} {sp_err:+6d}  (halqa profile {r['profile']})"
        )
    measured = [r for r in rows if r["halqa"] is not None]
    for role in ("tuning", "held out"):
        some = [r for r in measured if r["role"] == role]
        if some:
            mean = sum(abs(r["halqa"] - r["fd_pages"]) for r in some) / len(some)
            sp = sum(abs(r["screenplain"] - r["fd_pages"]) for r in some) / len(some)
            print(
                f"  {role}: {len(some)} scripts, mean |error| halqa {mean:.2f} pages, screenplain {sp:.2f}"
            )


# ---------------------------------------------------------------- main


def best_of(runs: list[dict]) -> dict:
    best = dict(min(runs, key=lambda r: r["cpu_s"]))
    best["seconds"] = min(r["seconds"] for r in runs)
    best["peak_mb"] = max(r["peak_mb"] for r in runs)
    return best


def show(name: str, r: dict) -> None:
    extra = " ".join(f"{k}={v}" for k, v in r.items() if k not in ("seconds", "cpu_s", "peak_mb"))
    print(
        f"{name:24} wall {r['seconds']:7.3f} s  cpu {r['cpu_s']:7.3f} s  peak {r['peak_mb']:6.1f} MB  {extra}"
    )


def ratios(results: dict, pairs: list[tuple[str, str, str]]) -> dict:
    out = {}
    for label, mine, theirs in pairs:
        cpu = results[mine]["cpu_s"] / results[theirs]["cpu_s"]
        wall = results[mine]["seconds"] / results[theirs]["seconds"]
        out[label] = {"cpu": round(cpu, 2), "wall": round(wall, 2)}
        print(f"ratio halqa/screenplain {label:28} cpu {cpu:5.2f}x  wall {wall:5.2f}x")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=230)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--library", action="store_true", help="Also time the library calls (no start-up)."
    )
    parser.add_argument(
        "--pages-only", action="store_true", help="Only the page counts against Final Draft."
    )
    parser.add_argument(
        "--fd-corpus",
        type=Path,
        default=HERE / ".cache" / "fd-reference",
        help="Folder of <id>.fountain files named in bench/fd_reference.json.",
    )
    args = parser.parse_args()
    from halqa.studio.script.sample import long_script

    workdir = Path(tempfile.mkdtemp(prefix="halqa-bench-script-"))
    if args.pages_only:
        rows = page_counts(args.fd_corpus, workdir)
        print_page_counts(rows, args.fd_corpus)
        print(json.dumps({"page_counts": rows}, ensure_ascii=False))
        return
    path = workdir / "long.fountain"
    path.write_text(long_script(args.scenes), encoding="utf-8")
    print(
        f"{path}: {path.stat().st_size} bytes, {args.scenes} scenes; load {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs"
    )
    report: dict = {"file": str(path), "bytes": path.stat().st_size}

    cli = {}
    for name, argv in cli_steps(path).items():
        cli[name] = best_of([run_command(argv) for _ in range(args.repeat)])
    cli["halqa export .pdf"]["pages"] = pdf_pages(Path(f"{path}.halqa.pdf"))
    cli["screenplain pdf"]["pages"] = pdf_pages(Path(f"{path}.screenplain.pdf"))
    print("\ncommand line (a fresh process each, start-up included)")
    for name, r in cli.items():
        show(name, r)
    report["cli"] = cli
    report["cli_ratios"] = ratios(
        cli,
        [
            ("parse (parse --json / fdx)", "halqa parse --json", "screenplain fdx"),
            ("fdx export", "halqa export .fdx", "screenplain fdx"),
            ("pdf export", "halqa export .pdf", "screenplain pdf"),
        ],
    )

    if args.library:
        library = {
            name: best_of([run_library(name, str(path)) for _ in range(args.repeat)])
            for name in LIBRARY
        }
        print("\nlibrary calls (a child process each, imports inside the timing)")
        for name, r in library.items():
            show(name, r)
        report["library"] = library
        report["library_ratios"] = ratios(
            library,
            [
                ("parse", "halqa parse", "screenplain parse"),
                ("pdf", "halqa pdf", "screenplain pdf"),
            ],
        )

    rows = page_counts(args.fd_corpus, workdir)
    print_page_counts(rows, args.fd_corpus)
    report["page_counts"] = rows
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
