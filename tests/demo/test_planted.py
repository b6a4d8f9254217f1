"""Every planted dynamic is present in the generated files, checked with plain DuckDB SQL."""

from __future__ import annotations

import itertools
import math
from datetime import date, timedelta

from hijridate import Hijri

AMAZIGH = ("ahwash", "rways", "amazigh-pop", "ahidous", "imdyazen", "rif")


def share(con, where: str, genre_sql: str) -> tuple[float, int]:
    n, hits = con.sql(
        f"SELECT count(*), count(*) FILTER ({genre_sql}) FROM plays WHERE {where}"
    ).fetchall()[0]
    return hits / n, n


def two_proportion_z(p1: float, n1: int, p2: float, n2: int) -> float:
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    return (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))


def test_rising_genre_grows_in_its_segment_only(con, planted):
    rising = planted["rising"]
    genre, start = rising["genre"], rising["start"]
    seg = f"age_band = '{rising['age_band']}' AND region = '{rising['region']}'"
    is_genre = f"genre = '{genre}'"
    late, n_late = share(con, f"{seg} AND ts >= DATE '{start}'", is_genre)
    before, n_before = share(con, f"{seg} AND ts < DATE '{start}'", is_genre)
    assert late > 1.6 * before
    assert two_proportion_z(late, n_late, before, n_before) > 4  # clearly significant, not noise
    # still growing inside the window: last four weeks above the four before
    end = date.fromisoformat(planted["scale"]["end"])
    mid = end - timedelta(weeks=4)
    last4, _ = share(con, f"{seg} AND ts >= DATE '{mid}'", is_genre)
    prev4, _ = share(con, f"{seg} AND ts >= DATE '{start}' AND ts < DATE '{mid}'", is_genre)
    assert last4 > prev4
    # flat for everyone else
    other_late, _ = share(con, f"NOT ({seg}) AND ts >= DATE '{start}'", is_genre)
    other_before, _ = share(con, f"NOT ({seg}) AND ts < DATE '{start}'", is_genre)
    assert 0.8 < other_late / other_before < 1.25


def test_amazigh_music_is_stronger_in_souss_and_among_amazigh_speakers(con):
    music = "kind = 'track'"
    is_amazigh = f"genre IN {AMAZIGH}"
    souss, _ = share(con, f"{music} AND region = 'souss-massa'", is_amazigh)
    rest, _ = share(con, f"{music} AND region <> 'souss-massa'", is_amazigh)
    assert souss > 2 * rest
    speakers = "regexp_matches(languages, '(^|\\|)(zgh|shi)(\\||$)')"
    spk, _ = share(con, f"{music} AND {speakers}", is_amazigh)
    non, _ = share(con, f"{music} AND NOT {speakers}", is_amazigh)
    assert spk > 2 * non
    # Tamazight-language titles too, on screens and in music
    zgh = con.sql(f"""SELECT avg(CASE WHEN t.original_language = 'zgh' THEN 1.0 ELSE 0 END) FILTER ({speakers}),
                             avg(CASE WHEN t.original_language = 'zgh' THEN 1.0 ELSE 0 END) FILTER (NOT {speakers})
                      FROM plays p JOIN titles t USING (title_id)""").fetchall()[0]
    assert zgh[0] > 2 * zgh[1]


def test_rap_and_trap_lean_young_and_andalusi_leans_old(con):
    young, _ = share(con, "kind = 'track' AND age_band = '18-24'", "genre IN ('rap', 'trap')")
    old, _ = share(
        con, "kind = 'track' AND age_band IN ('45-54', '55+')", "genre IN ('rap', 'trap')"
    )
    assert young > 2 * old
    young_a, _ = share(
        con, "kind = 'track' AND age_band = '18-24'", "genre IN ('andalusi', 'malhun')"
    )
    old_a, _ = share(
        con, "kind = 'track' AND age_band IN ('45-54', '55+')", "genre IN ('andalusi', 'malhun')"
    )
    assert old_a > 2 * young_a


def test_ramadan_periods_follow_the_hijri_calendar(planted):
    periods = {p["hijri_year"]: p for p in planted["ramadan"]["periods"]}
    assert set(periods) == {1446, 1447}
    for year, period in periods.items():
        first = Hijri(year, 9, 1).to_gregorian()
        assert period["start"] == f"{first.year:04d}-{first.month:02d}-{first.day:02d}"
    assert periods[1446]["start"].startswith("2025-03") and periods[1447]["start"].startswith(
        "2026-02"
    )


def test_ramadan_series_surge_inside_each_ramadan_in_the_evening(con, planted):
    for period in planted["ramadan"]["periods"]:
        ids = planted["ramadan"]["series"][str(period["hijri_year"])]
        assert ids, "every Ramadan in the window has new series"
        inside = f"ts >= DATE '{period['start']}' AND ts < DATE '{period['end']}' + INTERVAL 1 DAY"
        outside = (
            f"ts >= DATE '{period['start']}' - INTERVAL 90 DAY AND ts < DATE '{period['start']}'"
            f" OR ts >= DATE '{period['end']}' + INTERVAL 30 DAY AND ts < DATE '{period['end']}' + INTERVAL 120 DAY"
        )
        in_series = f"series_id IN ({', '.join(repr(i) for i in ids)})"
        daily_in = con.sql(
            f"SELECT count(*) / {period['days']} FROM plays WHERE {in_series} AND ({inside})"
        ).fetchall()[0][0]
        all_series_in = con.sql(
            f"SELECT count(*) FROM plays WHERE genre = 'ramadan-sitcom' AND ({inside})"
        ).fetchall()[0][0]
        all_series_out = con.sql(
            f"SELECT count(*) FROM plays WHERE genre = 'ramadan-sitcom' AND ({outside})"
        ).fetchall()[0][0]
        assert all_series_in / period["days"] > 5 * all_series_out / 180
        assert daily_in > 3
        # Morocco is on UTC+0 during Ramadan: after-iftar hours 19-23 local are 19-23 UTC
        evening = con.sql(f"""SELECT avg(CASE WHEN hour(ts) BETWEEN 19 AND 23 THEN 1.0 ELSE 0 END)
                              FROM plays WHERE {in_series} AND ({inside})""").fetchall()[0][0]
        assert evening > 0.45


def test_gnawa_peaks_in_june_nationwide_and_most_in_marrakech_safi(con, planted):
    assert [f["start"][5:7] for f in planted["festivals"]] == ["06", "06"]
    rows = con.sql("""SELECT month(ts) = 6 AS june, region = 'marrakech-safi' AS ms,
                             avg(CASE WHEN genre = 'gnawa' THEN 1.0 ELSE 0 END)
                      FROM plays WHERE kind = 'track' GROUP BY ALL""").fetchall()
    s = {(june, ms): v for june, ms, v in rows}
    assert s[(True, False)] > 1.6 * s[(False, False)]
    assert s[(True, True)] / s[(False, True)] > s[(True, False)] / s[(False, False)]
    for year in (2025, 2026):
        monthly = dict(
            con.sql(f"""SELECT month(ts), avg(CASE WHEN genre = 'gnawa' THEN 1.0 ELSE 0 END)
                                   FROM plays WHERE kind = 'track' AND year(ts) = {year} GROUP BY 1""").fetchall()
        )
        assert max(monthly, key=monthly.get) == 6


def test_emerging_moroccan_artists_grow_month_over_month(con, planted):
    artists = planted["emerging_artists"]
    assert len(artists) >= 4
    ids = [a["creator_id"] for a in artists]
    creators = dict(
        con.sql("SELECT creator_id, debut_year FROM creators WHERE country = 'MA'").fetchall()
    )
    end_year = int(planted["scale"]["end"][:4])
    emerging_by_debut = {c for c, y in creators.items() if int(y) >= end_year - 1}
    assert emerging_by_debut == set(ids)  # "emerging" is a query on debut_year, not a guess
    monthly = con.sql(f"""SELECT date_trunc('month', ts) AS m, count(DISTINCT member_id) AS listeners
                          FROM plays WHERE creator_ids IN ({", ".join(repr(i) for i in ids)})
                          GROUP BY 1 ORDER BY 1""").fetchall()
    listeners = [n for _, n in monthly][1:-1]  # drop the partial first and last months
    assert len(listeners) >= 6
    first, last = listeners[:3], listeners[-3:]
    assert sum(last) > 2 * sum(first)
    growing = sum(b > a for a, b in itertools.pairwise(listeners))
    assert growing >= 0.6 * (len(listeners) - 1)


def test_popularity_has_a_long_tail(con):
    counts = [
        n
        for (n,) in con.sql(
            "SELECT count(*) FROM plays GROUP BY title_id ORDER BY 1 DESC"
        ).fetchall()
    ]
    top = sum(counts[: max(1, len(counts) // 10)])
    assert top > 0.3 * sum(counts)  # the top 10% of titles take far more than 10% of plays
