import datetime as dt

from halqa.insights.calendar import (
    Period,
    choose_baseline,
    hijri_season,
    seasons_overlapping,
    shift_hijri_year,
)


def test_ramadan_dates_follow_the_hijri_calendar():
    assert hijri_season("ramadan", 1446) == Period(dt.date(2025, 3, 1), dt.date(2025, 3, 30))
    assert hijri_season("ramadan", 1447) == Period(dt.date(2026, 2, 18), dt.date(2026, 3, 20))
    # about 11 days earlier each Gregorian year
    shift = hijri_season("ramadan", 1446).start - hijri_season("ramadan", 1447).start.replace(
        year=2025
    )
    assert 10 <= shift.days <= 12


def test_window_in_ramadan_is_compared_with_the_previous_ramadan():
    window = Period(dt.date(2026, 2, 19), dt.date(2026, 3, 19))
    base = choose_baseline(window)
    assert base.kind == "hijri_season" and base.season == "ramadan"
    assert base.baseline.start == shift_hijri_year(window.start)
    assert hijri_season("ramadan", 1446).overlap(base.baseline) == base.baseline.days
    assert "previous Hijri year" in base.note


def test_short_eid_inside_a_long_window_does_not_make_it_seasonal():
    window = Period(dt.date(2026, 5, 4), dt.date(2026, 6, 1))  # contains Eid al-Adha 1447
    assert choose_baseline(window).kind == "previous_period"
    week = Period(dt.date(2026, 5, 25), dt.date(2026, 6, 1))
    assert choose_baseline(week).season == "eid-al-adha"


def test_june_window_is_the_gnaoua_season_compared_a_year_earlier():
    window = Period(dt.date(2026, 6, 3), dt.date(2026, 7, 1))
    base = choose_baseline(window)
    assert base.kind == "gregorian_season" and base.season == "gnaoua-festival"
    assert base.baseline == Period(dt.date(2025, 6, 3), dt.date(2025, 7, 1))


def test_outside_the_hijri_tables_only_gregorian_seasons_apply():
    window = Period(dt.date(1901, 3, 1), dt.date(1901, 3, 29))
    assert seasons_overlapping(window) == []
    assert choose_baseline(window).kind == "previous_period"
    assert (
        choose_baseline(Period(dt.date(2026, 1, 1), dt.date(2026, 1, 29)), seasonal=False).kind
        == "previous_period"
    )
