"""Re-check the 18 numbered failures of issue 11 the way a user meets them: files written here, the
`halqa` CLI and a `halqa serve --workers 2` on 127.0.0.1. Prints one line per item (PASS/FAIL and
what was seen) and exits 1 if any item fails.

    PYTHONPATH=src .venv/bin/python scripts/hardening_recheck.py [--keep DIR]

Takes about two minutes on two cores (one ingest of a small world, one `halqa train --no-tune`, one
server). Nothing is downloaded; the world is made up here (Arabic and Tifinagh names included).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

HALQA = [sys.executable, "-m", "halqa.cli.main"]
ENV = {**os.environ, "COLUMNS": "300", "PYTHONUNBUFFERED": "1"}
RESULTS: list[tuple[str, bool, str]] = []
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def halqa(*args: str, stdin: str | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([*HALQA, *args], capture_output=True, text=True, env=ENV, timeout=timeout,
                          input=stdin, check=False)


def record(item: str, ok: bool, seen: str) -> None:
    RESULTS.append((item, ok, seen))
    print(f"{'PASS' if ok else 'FAIL'}  {item}: {seen}", flush=True)


def one_line_refusal(result: subprocess.CompletedProcess, names: str) -> bool:
    """Exit 2, one line on stderr naming the file, no traceback."""
    err = result.stderr.strip()
    return result.returncode == 2 and "Traceback" not in err and len(err.splitlines()) == 1 and names in err


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# -- the world ---------------------------------------------------------------------------------------
def build_world(work: Path) -> Path:
    """120 members (mixed consent), 30 titles (one named like a spreadsheet formula), 1,500 plays."""
    db = work / "world.duckdb"
    titles = [["t-ar-1", "film", "الزين اللي فيك", "drama", "ar"], ["t-zgh-1", "track", "ⴰⵎⴰⵏ ⵉⵎⴰⵏ", "rways", "zgh"],
              ["t-evil", "film", '=HYPERLINK("http://attacker.example","clic")', "drama", "fr"]]
    titles += [[f"t-{i:03d}", "film" if i % 3 else "track", f"Title {i} عنوان", "comedy" if i % 2 else "drama", "ary"]
               for i in range(3, 30)]
    members = [[f"m{i:03d}", ["18-24", "25-34", "35-44"][i % 3], "F" if i % 2 else "M", "MA",
                ["casablanca-settat", "souss-massa", "oriental"][i % 3], "true", str(i % 5 != 0).lower(),
                str(i % 4 != 0).lower(), "2026-01-01T00:00:00Z"] for i in range(120)]
    # Ids have no blanks and are no e-mail or phone number: these two are valid ids, and formulas.
    evil = ['=HYPERLINK("http://attacker.example";"clic")', "+SUM(1+1)"]
    members += [[m, "25-34", "F", "MA", "oriental", "true", "true", "true", "2026-01-01T00:00:00Z"] for m in evil]
    events = []
    for n in range(1500):
        m, t = (n * 7919) % 120, (n * 104729) % 30
        events.append([f"m{m:03d}", titles[t][0], "play", 1_788_000_000 + n * 3571])
    events += [[m, titles[t][0], "play", 1_788_000_000 + t * 60] for m in evil for t in (0, 2, 5, 7)]
    write_csv(work / "titles.csv", ["title_id", "kind", "name", "genres", "original_language"], titles)
    write_csv(work / "members.csv", ["member_id", "age_band", "gender", "country", "region", "consent_analytics",
                                     "consent_personalisation", "consent_marketing", "consent_at"], members)
    write_csv(work / "events.csv", ["member_id", "title_id", "event_type", "ts"], events)
    for target in ("titles", "members", "events"):
        result = halqa("ingest", target, str(work / f"{target}.csv"), "--db", str(db))
        if result.returncode:
            raise SystemExit(f"could not build the world ({target}): {result.stderr}")
    result = halqa("train", "--no-tune", "--db", str(db))
    if result.returncode:
        raise SystemExit(f"halqa train failed: {result.stderr[-500:]}")
    return db


def new_key(db: Path, role: str) -> str:
    return json.loads(halqa("keys", "create", "--role", role, "--name", f"recheck-{role}", "--db", str(db),
                            "--json").stdout)["key"]


# -- the service -------------------------------------------------------------------------------------
class Server:
    def __init__(self, db: Path, log: Path, *args: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process = subprocess.Popen([*HALQA, "serve", "--db", str(db), "--port", str(self.port), *args],
                                        stdout=log.open("w"), stderr=subprocess.STDOUT, env=ENV)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"server exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise SystemExit("server did not start")

    def fresh(self, method: str, path: str, key: str | None, **kwargs) -> httpx.Response:
        """One request on a new connection (so two workers both get asked over many calls)."""
        headers = {"X-API-Key": key} if key else {}
        with httpx.Client(base_url=self.url, headers=headers, timeout=60) as client:
            return client.request(method, path, **kwargs)

    def rss_kb(self) -> int:
        """Resident memory of the server's processes (the serve command and its children)."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        total = 0
        for pid in pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def check_service(db: Path, work: Path) -> None:
    admin, service, analyst = new_key(db, "admin"), new_key(db, "service"), new_key(db, "analyst")
    server = Server(db, work / "server.log", "--workers", "2", "--rate-limit", "100000")
    try:
        _item1(server, admin)
        _item2(server, service, analyst)
        _item3(server, db)
        _item4(server, service, analyst)
        _item5(server)
        _item6(server, admin)
        _item17_api(server, service, admin)
    finally:
        server.stop()


def _item1(server: Server, admin: str) -> None:
    created = server.fresh("POST", "/v1/keys", admin, json={"role": "analyst", "name": "to-revoke"}).json()
    before = sum(server.fresh("GET", "/v1/titles", created["key"]).status_code == 200 for _ in range(10))
    server.fresh("DELETE", f"/v1/keys/{created['key_id']}", admin)
    after = [server.fresh("GET", "/v1/titles", created["key"]).status_code for _ in range(40)]
    record("1 revoke on every worker", before == 10 and set(after) == {401},
           f"before revoke {before}/10 ok; right after: {after.count(200)}/40 ok, {after.count(401)}/40 refused 401")


def _item2(server: Server, service: str, analyst: str) -> None:
    track = {"name": "ⵜⵉⵣⵉ", "kind": "track", "genres": ["rways"], "language": "zgh", "region": "souss-massa"}

    def targeted() -> set[str]:
        answer = server.fresh("POST", "/v1/audience/target", analyst, params={"top": 1000, "rows": 1000}, json=track)
        return {m["member_id"] for m in answer.json()["members"]}

    def lookalikes(seed: list[str]) -> set[str]:
        answer = server.fresh("POST", "/v1/audience/lookalike", analyst, json={"seed": seed, "size": 1000})
        return {m["member_id"] for m in answer.json()["members"]}

    seed = [f"m{i:03d}" for i in range(60, 120) if i % 4]
    victim = next(m for m in sorted(targeted() & lookalikes(seed)) if m not in seed and m.startswith("m"))
    withdrawn = server.fresh("PATCH", f"/v1/members/{victim}", service, json={"consent_marketing": False})
    still = [victim in targeted() for _ in range(4)] + [victim in lookalikes(seed) for _ in range(4)]
    record("2 withdrawn consent leaves targeting and lookalikes", withdrawn.status_code == 200 and not any(still),
           f"{victim} withdrew marketing (PATCH {withdrawn.status_code}); in the next 4 target + 4 lookalike "
           f"answers: {sum(still)} times")


def _item3(server: Server, db: Path) -> None:
    created = halqa("keys", "create", "--role", "creator", "--name", "while-serving", "--db", str(db), "--json")
    key = json.loads(created.stdout)["key"] if created.returncode == 0 else None
    works = key is not None and {server.fresh("GET", "/v1/whoami", key).status_code for _ in range(6)} == {200}
    revoked = halqa("keys", "revoke", key.split(".")[0].removeprefix("hq_"), "--db", str(db)) if key else None
    gone = key is not None and {server.fresh("GET", "/v1/whoami", key).status_code for _ in range(6)} == {401}
    record("3 halqa keys create/revoke beside a running server",
           works and gone and revoked is not None and revoked.returncode == 0,
           f"create exit {created.returncode}, key works on 6/6 fresh connections: {works}; "
           f"revoke exit {revoked.returncode if revoked else '-'}, refused on 6/6 after: {gone}")


def _item4(server: Server, service: str, analyst: str) -> None:
    before = server.fresh("GET", "/v1/members/m010", analyst).json()
    patched = server.fresh("PATCH", "/v1/members/m010", service, json={"consent_marketing": False})
    after = server.fresh("GET", "/v1/members/m010", analyst).json()
    kept = all(after[f] == before[f] for f in ("age_band", "region", "gender")) and before["age_band"]
    grant = server.fresh("PATCH", "/v1/members/m004", service,
                         json={"consent_marketing": True, "consent_at": "2026-10-01T12:00:00Z"})
    history = server.fresh("GET", "/v1/members/m010/consents", analyst).json()["items"]
    audited = [(h["purpose"], h["old_value"], h["new_value"], h["role"]) for h in history]
    record("4 partial member updates, consent grant by role, audit",
           patched.status_code == 200 and kept and grant.status_code == 403
           and ("marketing", True, False, "service") in audited,
           f"PATCH consent only: {patched.status_code}, age_band/region/gender kept: {bool(kept)}; "
           f"service key granting: {grant.status_code}; audit of m010: {audited}")


def _item5(server: Server) -> None:
    rss = server.rss_kb()
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"POST /v1/events/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 104857600\r\n\r\n" + b"[" * 65536)
        status = sock.recv(200).split(b"\r\n")[0].decode()
    seconds = time.perf_counter() - started
    grown = (server.rss_kb() - rss) // 1024
    big = server.fresh("POST", "/v1/events/batch", None, content=b"[" + b" " * (17 * 2**20) + b"]",
                       headers={"Content-Type": "application/json"})
    record("5 key checked before the body; body cap",
           "401" in status and seconds < 2 and grown < 50 and big.status_code in (401, 413),
           f"unauthenticated 100 MB POST: '{status}' after {seconds:.2f} s, servers grew {grown} MB; "
           f"17 MiB body sent whole without a key: {big.status_code}")


def _item6(server: Server, admin: str) -> None:
    health = server.fresh("GET", "/health", None)
    details_no_key = server.fresh("GET", "/v1/health", None).status_code
    details = server.fresh("GET", "/v1/health", admin).json()
    record("6 /health minimal without a key",
           health.json() == {"status": "ok"} and details_no_key == 401 and "store" in details,
           f"/health -> {health.status_code} {health.json()}; /v1/health without key {details_no_key}, "
           f"with admin key names the store: {'store' in details}")


def _item17_api(server: Server, service: str, admin: str) -> None:
    bad = {"member_id": "ghost-ⵖ", "title_id": "t-ar-1", "event_type": "play", "ts": "2026-11-30T10:00:00Z"}
    before = server.fresh("GET", "/v1/data", admin).json()["counts"]["quarantine"]
    answers = [server.fresh("POST", "/v1/events", service, json=bad).status_code for _ in range(3)]
    batch = server.fresh("POST", "/v1/events/batch", service, json={"events": [bad, bad]})
    answers.append(f"batch {batch.status_code}: {batch.json().get('rejected')} rejected")
    after = server.fresh("GET", "/v1/data", admin).json()["counts"]["quarantine"]
    record("17 (API) posting the same bad event again", after - before == 1,
           f"one unknown-member event posted 5 times (answers {answers}): quarantine grew by {after - before}")


# -- files and the CLI ---------------------------------------------------------------------------------
def _cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def _item7(db: Path, work: Path) -> None:
    bad = work / "formula-events.csv"
    write_csv(bad, ["member_id", "title_id", "event_type", "ts"], [["=cmd|' /C calc'!A0", "t-ar-1", "play", 1788000000]])
    halqa("ingest", "events", str(bad), "--db", str(db), "--quarantine-dir", str(work / "q"))
    outs = {"quarantine CSV": work / "q" / "formula-events.csv.rejected.csv"}
    halqa("target", "--title-id", "t-zgh-1", "--out", str(work / "target.csv"), "--db", str(db))
    outs["halqa audience target --out"] = work / "target.csv"
    halqa("audience-export", str(work / "target.csv"), "--campaign", "recheck", "--out", str(work / "export.csv"),
          "--db", str(db))
    outs["halqa audience export --out"] = work / "export.csv"
    halqa("recommend", "--all", "--out", str(work / "recs.csv"), "--db", str(db))
    outs["halqa recommend --all --out"] = work / "recs.csv"
    seen, ok = [], True
    for label, path in outs.items():
        if not path.exists():
            ok = False
            seen.append(f"{label}: not written")
            continue
        cells = _cells(path)
        live = [c for c in cells if c.startswith(FORMULA) and not _number(c)]
        escaped = sum(c.startswith("'") and c[1:].startswith(FORMULA) for c in cells)
        ok &= not live and escaped > 0  # the hostile values reached the file, and only escaped
        seen.append(f"{label}: {len(live)} live formula cells, {escaped} escaped")
    record("7 CSV formula injection", ok, "; ".join(seen))


def _number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def _ingest(db: Path, path: Path, *extra: str) -> tuple[subprocess.CompletedProcess, dict]:
    result = halqa("ingest", "events", str(path), "--db", str(db), "--json", *extra)
    try:
        return result, json.loads(result.stdout)
    except json.JSONDecodeError:
        return result, {}


def _rows(n: int, start: int) -> list[str]:
    return [f"m{i % 120:03d},t-ar-1,play,{1_790_000_000 + start + i}" for i in range(n)]


def _counts(report: dict) -> tuple[int, int]:
    return report.get("accepted", -1), report.get("rejected", -1)


def _items_8_to_13(db: Path, work: Path) -> None:
    header = "member_id,title_id,event_type,ts"
    mixed = work / "mixed.csv"
    lines = [header, *_rows(10, 0)]
    mixed.write_bytes(("\r\n".join(lines[:5]) + "\n" + "\n".join(lines[5:8]) + "\r\r\n" + "\n".join(lines[8:]) + "\n")
                      .encode())
    result, report = _ingest(db, mixed)
    record("8 stray CR and mixed line endings", _counts(report) == (10, 0),
           f"10 good rows, LF/CRLF mixed and one stray CR: accepted, rejected = {_counts(report)}")

    huge = work / "huge-row.csv"
    rows = _rows(6, 100)
    rows.insert(3, "m001,t-ar-1,play,1790000999," + "x" * (3 * 2**20))
    huge.write_text("\n".join([header, *rows]) + "\n")
    result, report = _ingest(db, huge, "--quarantine-dir", str(work / "q"))
    lines_q = _quarantine_lines(db, huge)
    record("9 one row over 2 MiB", _counts(report) == (6, 1) and lines_q == [5],
           f"6 good rows + one 3 MiB row on line 5: accepted, rejected = {_counts(report)}, quarantined lines {lines_q}")

    quote = work / "quote.csv"
    rows = _rows(8, 200)
    rows[4] = 'm001,"t-ar-1,play,1790000300'
    quote.write_text("\n".join([header, *rows]) + "\n")
    result, report = _ingest(db, quote, "--quarantine-dir", str(work / "q"))
    lines_q = _quarantine_lines(db, quote)
    record("10 one unterminated quote", report.get("accepted") == 7 and lines_q == [6],
           f"7 good rows + an unterminated quote on line 6: accepted, rejected = {_counts(report)}, "
           f"quarantined lines {lines_q}; exit {result.returncode}")

    utf16 = work / "excel-unicode.csv"
    utf16.write_bytes(("\r\n".join([header.replace(",", "\t"), *[r.replace(",", "\t") for r in _rows(5, 300)]])
                       + "\r\n").encode("utf-16"))
    result16, report16 = _ingest(db, utf16)
    latin = work / "latin1-header.csv"
    latin.write_bytes(("member_id,title_id,event_type,ts,r\xe9gion\n" + "\n".join(
        r + ",x" for r in _rows(3, 400)) + "\n").encode("latin-1"))
    result_l1, report_l1 = _ingest(db, latin)
    said = result_l1.stderr.strip() or json.dumps(report_l1)[:120]
    record("11 UTF-16 (Excel 'Unicode text') and a Latin-1 byte",
           _counts(report16) == (5, 0) and (report_l1.get("accepted") == 3 or one_line_refusal(result_l1, str(latin))),
           f"UTF-16 tab-separated: accepted, rejected = {_counts(report16)}; Latin-1 header: exit "
           f"{result_l1.returncode}, {said[:160]!r}")

    parquet = work / "really-parquet.csv"
    import duckdb

    duckdb.sql(f"COPY (SELECT 'm00' || (i % 9) AS member_id, 't-ar-1' AS title_id, 'play' AS event_type, "
               f"to_timestamp(1790000500 + i)::TIMESTAMP AS ts FROM range(4) t(i)) TO '{parquet}' (FORMAT parquet)")
    result, report = _ingest(db, parquet)
    record("12 Parquet named .csv", _counts(report) == (4, 0) and "PAR1" not in result.stdout + result.stderr,
           f"read by content: accepted, rejected = {_counts(report)}, raw bytes printed: "
           f"{'PAR1' in result.stdout + result.stderr}")

    fifo = work / "events.fifo"
    os.mkfifo(fifo)
    payload = "\n".join([header, *_rows(5, 600)]) + "\n"
    writer = threading.Thread(target=lambda: fifo.write_text(payload), daemon=True)
    writer.start()
    started = time.perf_counter()
    try:
        result, report = _ingest(db, fifo)
        fifo_seen = f"{_counts(report)} in {time.perf_counter() - started:.1f} s"
    except subprocess.TimeoutExpired:
        report, fifo_seen = {}, "hung"
    source = work / "for-substitution.csv"
    source.write_text("\n".join([header, *_rows(5, 700)]) + "\n")
    sub = subprocess.run(["bash", "-c", f"{' '.join(HALQA)} ingest events <(cat '{source}') --db '{db}' --json"],
                         capture_output=True, text=True, env=ENV, timeout=300, check=False)
    try:
        sub_report = json.loads(sub.stdout)
    except json.JSONDecodeError:
        sub_report = {}
    record("13 named pipe and <(cat f)", _counts(report) == (5, 0) and _counts(sub_report) == (5, 0),
           f"named pipe written once: {fifo_seen}; <(cat f): {_counts(sub_report)} (exit {sub.returncode})")


def _quarantine_lines(db: Path, path: Path) -> list[int]:
    query = f"SELECT line FROM quarantine WHERE file = '{path}' ORDER BY line"
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return [r[0] for r in con.execute(query).fetchall()]
    finally:
        con.close()


def _items_14_to_17(db: Path, work: Path) -> None:
    future = work / "future.csv"
    write_csv(future, ["member_id", "title_id", "event_type", "ts"],
              [["m001", "t-ar-1", "play", "2190-01-01T00:00:00"], ["m001", "t-ar-1", "play", 1_790_001_000]])
    result, report = _ingest(db, future, "--quarantine-dir", str(work / "q"))
    trends = halqa("insights", "trends", "--db", str(db), "--json")
    top = json.loads(trends.stdout) if trends.returncode == 0 else {}
    record("14 one plausible-timestamp rule; windows anchored on the data",
           _counts(report) == (1, 1) and bool(_nonempty(top)),
           f"event dated 2190: accepted, rejected = {_counts(report)}; default `halqa insights trends` window "
           f"non-empty: {bool(_nonempty(top))}")

    ids = work / "pii-members.csv"
    write_csv(ids, ["member_id", "age_band"], [["someone@example.ma", "25-34"], ["+212612345678", "18-24"],
                                                ["m-ok-1", "18-24"]])
    result = halqa("ingest", "members", str(ids), "--db", str(db), "--json")
    report = json.loads(result.stdout) if result.returncode == 0 else {}
    record("15 e-mail and phone numbers as member ids", _counts(report) == (1, 2),
           f"an e-mail, a phone number and a pseudonymous id: accepted, rejected = {_counts(report)}")

    series = work / "cycle-titles.csv"
    write_csv(series, ["title_id", "kind", "name", "parent_id", "genres"],
              [["s-self", "series", "ⵜⴰⵙⵓⵔⵉⵜ", "s-self", "drama"], ["s-a", "series", "A", "s-b", "drama"],
               ["s-b", "series", "B", "s-a", "drama"], ["s-ok", "series", "مسلسل", "", "drama"]])
    result = halqa("ingest", "titles", str(series), "--db", str(db), "--json")
    report = json.loads(result.stdout) if result.returncode == 0 else {}
    record("16 a series that is its own parent, a parent cycle", _counts(report) == (1, 3),
           f"self-parent + a 2-cycle + one good series: accepted, rejected = {_counts(report)}")

    rerun = work / "rerun.csv"
    write_csv(rerun, ["member_id", "title_id", "event_type", "ts"],
              [["ghost", "t-ar-1", "play", 1_790_002_000 + i] for i in range(30)] + [["m001", "t-ar-1", "play", 1]])
    counts = []
    for _ in range(3):
        _ingest(db, rerun, "--quarantine-dir", str(work / "q"))
        counts.append(len(_quarantine_lines(db, rerun)))
    record("17 re-running a file does not grow the quarantine", counts == [30, 30, 30],
           f"30 bad rows, file run 3 times: quarantine holds {counts}")


def _nonempty(top: dict) -> bool:
    return any(isinstance(v, list) and v for v in top.values())


def _item18(db: Path, work: Path) -> None:
    damaged = work / "damaged.duckdb"
    shutil.copy(db, damaged)
    data = bytearray(damaged.read_bytes())
    for offset in range(3 * 4096 + 4096, len(data), 262144):  # a stretch of every data block
        data[offset:offset + 512] = os.urandom(512)
    damaged.write_bytes(bytes(data))
    notes = work / "notes.duckdb"
    notes.write_text("these are my notes, not a database\n" * 100)
    outcomes, ok = [], True
    for label, path in (("damaged", damaged), ("not DuckDB", notes)):
        for command in (["stats"], ["ingest", "events", str(work / "events.csv")], ["serve", "--port", "18931"]):
            result = halqa(*command, "--db", str(path), timeout=120)
            good = one_line_refusal(result, str(path))
            ok &= good
            outcomes.append(f"{label} {command[0]}: exit {result.returncode}, "
                            f"{len(result.stderr.strip().splitlines())} line(s){'' if good else ' ' + result.stderr[-200:]!r}")
    record("18 damaged or foreign store file", ok, "; ".join(outcomes))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="Work in this folder and keep it (default: a temporary one).")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="halqa-recheck-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        db = build_world(work)
        _item7(db, work)
        _items_8_to_13(db, work)
        _items_14_to_17(db, work)
        _item18(db, work)
        check_service(db, work)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print("\nby item:")
    for item, ok, seen in sorted(RESULTS, key=lambda r: (int(r[0].split()[0]), r[0])):
        print(f"{'PASS' if ok else 'FAIL'}  {item}: {seen}")
    failed = [item for item, ok, _ in RESULTS if not ok]
    print(f"{len(RESULTS) - len(failed)}/{len(RESULTS)} items pass in {time.perf_counter() - started:.0f} s"
          + (f"; failing: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
