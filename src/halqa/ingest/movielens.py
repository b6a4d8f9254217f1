"""``import_movielens``: the MovieLens 100K layout mapped onto halqa's model.

u.user -> members (age -> age band, gender, occupation, zip -> city and country),
u.item -> titles (films; the 19 genre flags -> halqa genre ids; release date;
English name), u.data -> events (``rate``, value = rating, unix-second
timestamps). The files go through the same validated, idempotent path as
``ingest_files``; ids are kept as MovieLens writes them ("1", "242"). The report's
``accepted``/``rejected``/``duplicates`` count the ratings; ``parts`` and ``totals`` give
members and titles too.
u.item is Latin-1, the others are ASCII. MovieLens has no consent fields, so
members receive the consents named by ``consent``.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType

from halqa.catalog import taxonomy
from halqa.catalog.store import Store
from halqa.errors import DataError
from halqa.ingest.api import Progress, ingest_sources
from halqa.ingest.report import IngestReport
from halqa.ingest.sources import REJECTS_SCAN, REJECTS_TABLE, Source
from halqa.ingest.sql import lit

FILES = ("u.user", "u.item", "u.data", "u.genre")
ZIP_TABLE = "_halqa_ml_zip"


def import_movielens(
    store: Store,
    directory: str | os.PathLike[str],
    *,
    consent: frozenset[str] | set[str] = frozenset(),
    progress: Progress | None = None,
) -> IngestReport:
    """Import MovieLens 100K from ``directory`` (u.user, u.item, u.data, u.genre)."""
    folder = Path(directory)
    if not folder.is_dir():
        raise DataError(
            f"{folder}: not a directory "
            "(expected the MovieLens 100K folder with u.data, u.item, u.user)"
        )
    missing = [f for f in FILES if not (folder / f).is_file()]
    if missing:
        raise DataError(f"{folder}: not a MovieLens 100K folder (missing {', '.join(missing)})")
    _zip_table(store, folder / "u.user")
    # The headline counts are the ratings (events), as the issue states them; `totals` adds the
    # rest.
    report = IngestReport("movielens", headline="events")
    try:
        for target, source in (
            ("members", _users(folder / "u.user")),
            ("titles", _items(folder)),
            ("events", _ratings(folder / "u.data")),
        ):
            columns = {c: c for c in source.columns}
            report.parts[target] = ingest_sources(
                store, target, [(source, columns)], consent=consent, progress=progress
            )
    finally:
        store.run(f"DROP TABLE IF EXISTS temp.{ZIP_TABLE}")
    report.quarantine = next((p.quarantine for p in report.parts.values() if p.quarantine), None)
    return report


def _scan(path: Path, columns: dict[str, str], *, delim: str, encoding: str = "utf-8") -> str:
    cols = ", ".join(f"{lit(k)}: {lit(v)}" for k, v in columns.items())
    return (
        f"read_csv({lit(str(path))}, columns={{{cols}}}, header=false, "
        f"delim={lit(delim)}, quote='', "
        f"escape='', auto_detect=false, encoding={lit(encoding)}, store_rejects=true, "
        f"rejects_table={lit(REJECTS_TABLE)}, rejects_scan={lit(REJECTS_SCAN)})"
    )


def _source(path: Path, select: str, scan: str, columns: list[str]) -> Source:
    return Source(
        path,
        "csv",
        columns,
        f"SELECT {select} FROM {scan}",
        f"SELECT row_number() OVER () AS _row, * FROM (SELECT {select} FROM {scan})",
        header_lines=0,
    )


def _users(path: Path) -> Source:
    scan = _scan(
        path,
        {
            "id": "VARCHAR",
            "age": "VARCHAR",
            "gender": "VARCHAR",
            "occupation": "VARCHAR",
            "zip": "VARCHAR",
        },
        delim="|",
    )
    select = (
        f"u.id AS member_id, u.age AS age_band, u.gender AS gender, u.occupation AS occupation, "
        f"z.city AS city, z.country AS country "
        f"FROM {scan} u LEFT JOIN {ZIP_TABLE} z ON z.zip = u.zip"
    )
    src = Source(
        path,
        "csv",
        ["member_id", "age_band", "gender", "occupation", "city", "country"],
        f"SELECT {select}",
        f"SELECT row_number() OVER () AS _row, * FROM (SELECT {select})",
        header_lines=0,
    )
    return src


def _zip_table(store: Store, users: Path) -> None:
    """zip -> (city, country) for the zips of u.user: US cities from the `zipcodes` package,
    Canadian postal codes (letter first) -> CA."""
    zips = sorted(
        {
            line.split("|")[4].strip()
            for line in users.read_text("ascii", "replace").splitlines()
            if line.count("|") >= 4
        }
    )
    rows = []
    zipcodes: ModuleType | None
    try:
        zipcodes = importlib.import_module("zipcodes")
    except ImportError:  # the city stays empty; the country still follows the code's shape
        zipcodes = None
    for z in zips:
        if z[:1].isalpha():
            rows.append((z, None, "CA"))
            continue
        city = None
        if zipcodes is not None and len(z) == 5 and z.isdigit():
            try:
                found = zipcodes.matching(z)
            except (ValueError, TypeError):
                found = []
            city = found[0]["city"].title() if found else None
        rows.append((z, city, "US"))
    store.run(
        f"CREATE OR REPLACE TEMP TABLE {ZIP_TABLE} (zip VARCHAR, city VARCHAR, country VARCHAR)"
    )
    if rows:
        store.con.executemany(f"INSERT INTO {ZIP_TABLE} VALUES (?, ?, ?)", rows)


def _items(folder: Path) -> Source:
    genres = [
        line.split("|")[0]
        for line in (folder / "u.genre").read_text("latin-1").splitlines()
        if "|" in line
    ]
    flags = {f"g{i}": "VARCHAR" for i in range(len(genres))}
    scan = _scan(
        folder / "u.item",
        {
            "id": "VARCHAR",
            "title": "VARCHAR",
            "released": "VARCHAR",
            "video_released": "VARCHAR",
            "url": "VARCHAR",
            **flags,
        },
        delim="|",
        encoding="latin-1",
    )
    # Genre labels become ids through the taxonomy's slug and aliases (Children's -> children).
    names = [
        taxonomy.GENRE_ALIASES.get(
            taxonomy.slug(g), taxonomy.GENRE_ALIASES.get(g.lower(), taxonomy.slug(g))
        )
        for g in genres
    ]
    picked = ", ".join(f"CASE WHEN g{i} = '1' THEN {lit(n)} END" for i, n in enumerate(names))
    select = (
        "id AS title_id, 'film' AS kind, title AS name, json_object('en', "
        "title)::VARCHAR AS names, "
        f"released AS release_date, nullif(concat_ws('|', {picked}), '') AS genres"
    )
    return _source(
        folder / "u.item",
        select,
        scan,
        ["title_id", "kind", "name", "names", "release_date", "genres"],
    )


def _ratings(path: Path) -> Source:
    scan = _scan(
        path,
        {"user": "VARCHAR", "item": "VARCHAR", "rating": "VARCHAR", "ts": "VARCHAR"},
        delim="\t",
    )
    select = "user AS member_id, item AS title_id, 'rate' AS event_type, ts, rating AS value"
    return _source(path, select, scan, ["member_id", "title_id", "event_type", "ts", "value"])
