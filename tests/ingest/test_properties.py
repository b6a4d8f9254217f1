"""Property tests through the whole ingest: any valid row survives, any text comes back byte-exact."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from halqa.catalog import taxonomy
from halqa.ingest import ingest_files
from tests.ingest.conftest import write_csv

COUNTER = itertools.count()
SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
texts = st.one_of(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from(
        ["مسلسل رمضان", "ⵜⴰⵎⴰⵣⵉⵖⵜ", "Wlad l'bled 3ajbin", 'دارجة, "quoted"\nline two', "ⴰ|ب|c"]
    ),
)


@SETTINGS
@given(names=st.lists(texts, min_size=1, max_size=5))
def test_any_text_is_stored_byte_exact(store, tmp_path, names):
    assume(all(n.strip() for n in names))
    run = next(COUNTER)
    ids = [f"r{run}-{i}" for i in range(len(names))]
    path = write_csv(
        tmp_path / f"titles{run}.csv",
        ["title_id", "kind", "name", "name_zgh", "synopsis_ar"],
        [[i, "film", n, n, n] for i, n in zip(ids, names, strict=True)],
    )
    report = ingest_files(store, "titles", [path])
    assert report.rejected == 0, store.rows("SELECT reason FROM quarantine")
    stored = dict(
        store.rows("SELECT title_id, name FROM titles WHERE title_id LIKE ?", [f"r{run}-%"])
    )
    assert [stored[i] for i in ids] == names
    maps = store.rows(
        "SELECT names['zgh'], synopses['ar'] FROM titles WHERE title_id = ?", [ids[0]]
    )
    assert maps == [(names[0], names[0])]


def spell(moment: datetime, how: int) -> str:
    unix = int(moment.replace(tzinfo=UTC).timestamp())
    return [str(unix), str(unix * 1000), moment.isoformat() + "Z", moment.isoformat(sep=" ")][how]


events = st.tuples(
    st.sampled_from(["m1", "m2", "m3"]),
    st.sampled_from(["t1", "t2", "t3"]),
    st.sampled_from(list(taxonomy.EVENT_TYPES) + list(taxonomy.EVENT_ALIASES)),
    st.booleans(),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2025, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
    st.integers(0, 3),
    st.one_of(st.none(), st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False, width=32)),
)


@SETTINGS
@given(rows=st.lists(events, min_size=1, max_size=30))
def test_every_valid_event_survives_exactly_once(world, tmp_path, rows):
    world.run("DELETE FROM events")
    run = next(COUNTER)
    table = [
        [m, t, et.upper() if up else et, spell(ts, how), "" if v is None else repr(v)]
        for m, t, et, up, ts, how, v in rows
    ]
    path = write_csv(
        tmp_path / f"events{run}.csv", ["member_id", "title_id", "event_type", "ts", "value"], table
    )
    report = ingest_files(world, "events", [path])
    keys = {(m, t, taxonomy.EVENT_ALIASES.get(et, et), ts) for m, t, et, _, ts, _, _ in rows}
    assert report.rejected == 0, world.rows("SELECT line, reason FROM quarantine")
    assert (report.accepted, report.duplicates) == (len(keys), len(rows) - len(keys))
    stored = set(world.rows("SELECT member_id, title_id, event_type, ts FROM events"))
    assert stored == keys
