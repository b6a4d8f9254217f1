"""The seasons a Moroccan audience lives by, and the baseline each window is compared against.

Ramadan and the two Eids follow the Hijri calendar and move about 11 days a year against
the Gregorian one, so "the previous four weeks" is the wrong baseline for a window inside
Ramadan: viewing changes shape every evening at iftar. Such a window is compared with the
same Hijri dates one Hijri year earlier (the previous Ramadan). Gregorian seasons (the
Gnaoua festival in Essaouira in June, the summer holidays) are compared with the same
Gregorian dates a year earlier. Any other window is compared with the period just before it.

Hijri dates come from ``hijridate`` (Umm al-Qura tables, 1924-2077); outside that range
only Gregorian seasons apply. The Moroccan authorities fix the start of Ramadan by moon
sighting, which can differ from Umm al-Qura by a day; a day does not change a 28-day baseline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from hijridate import Gregorian, Hijri

HIJRI_SEASONS = {
    # name: (month, first day, month, day after the last day)
    "ramadan": ((9, 1), (10, 1)),
    "eid-al-fitr": ((10, 1), (10, 4)),
    "eid-al-adha": ((12, 10), (12, 14)),
}
GREGORIAN_SEASONS = {
    # name: ((month, day) first day, (month, day) day after the last day); the Gnaoua festival
    # falls in the second half of June, its listening peak spans the month.
    "gnaoua-festival": ((6, 1), (7, 1)),
    "summer-holidays": ((7, 1), (9, 1)),
}
SEASON_LABELS = {
    "ramadan": "Ramadan",
    "eid-al-fitr": "Eid al-Fitr",
    "eid-al-adha": "Eid al-Adha",
    "gnaoua-festival": "Gnaoua festival month (June)",
    "summer-holidays": "summer holidays",
}
# A window belongs to a season when the season covers at least this share of the window:
# a 7-day window around Eid is Eid, a 28-day window that merely contains the 4 Eid days is not.
MIN_OVERLAP = 0.5


@dataclass(frozen=True)
class Period:
    start: dt.date  # first day
    end: dt.date  # day after the last day

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def overlap(self, other: Period) -> int:
        return max(0, (min(self.end, other.end) - max(self.start, other.start)).days)


@dataclass(frozen=True)
class Baseline:
    """What a window is compared with, and why (shown in every report)."""

    window: Period
    baseline: Period
    kind: str  # previous_period, hijri_season or gregorian_season
    season: str | None
    note: str

    def to_dict(self) -> dict:
        out = asdict(self)
        out["window"] = {"start": str(self.window.start), "end": str(self.window.end)}
        out["baseline"] = {"start": str(self.baseline.start), "end": str(self.baseline.end)}
        return out


def hijri_season(name: str, hijri_year: int) -> Period:
    """Gregorian dates of a Hijri season in a given Hijri year (e.g. Ramadan 1447)."""
    (m0, d0), (m1, d1) = HIJRI_SEASONS[name]
    start = Hijri(hijri_year, m0, d0).to_gregorian()
    end = Hijri(hijri_year, m1, d1).to_gregorian()
    return Period(
        dt.date(start.year, start.month, start.day), dt.date(end.year, end.month, end.day)
    )


def gregorian_season(name: str, year: int) -> Period:
    (m0, d0), (m1, d1) = GREGORIAN_SEASONS[name]
    return Period(dt.date(year, m0, d0), dt.date(year, m1, d1))


def to_hijri_year(day: dt.date) -> int | None:
    try:
        return Gregorian(day.year, day.month, day.day).to_hijri().year
    except OverflowError:
        return None


def seasons_overlapping(window: Period) -> list[tuple[str, Period, str]]:
    """Seasons that a window belongs to, Hijri first: (name, season dates, calendar)."""
    found = []
    hijri_year = to_hijri_year(window.start)
    if hijri_year is not None:
        for name in HIJRI_SEASONS:
            for year in (hijri_year - 1, hijri_year, hijri_year + 1):
                try:
                    season = hijri_season(name, year)
                except (OverflowError, ValueError):
                    continue
                if _belongs(window, season):
                    found.append((name, season, "hijri"))
    for name in GREGORIAN_SEASONS:
        for year in {window.start.year, (window.end - dt.timedelta(days=1)).year}:
            season = gregorian_season(name, year)
            if _belongs(window, season):
                found.append((name, season, "gregorian"))
    return found


def _belongs(window: Period, season: Period) -> bool:
    shared = window.overlap(season)
    return shared > 0 and shared >= MIN_OVERLAP * window.days


def shift_hijri_year(day: dt.date, years: int = -1) -> dt.date:
    """The same Hijri day ``years`` Hijri years away (day 30 of a 29-day month becomes day 29)."""
    h = Gregorian(day.year, day.month, day.day).to_hijri()
    target = Hijri(h.year + years, h.month, 1)
    g = Hijri(h.year + years, h.month, min(h.day, target.month_length())).to_gregorian()
    return dt.date(g.year, g.month, g.day)


def shift_gregorian_year(day: dt.date, years: int = -1) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def choose_baseline(window: Period, *, seasonal: bool = True) -> Baseline:
    """The baseline of a window: the same season a year earlier when the window is in one,
    else the period of the same length just before it."""
    previous = Period(window.start - dt.timedelta(days=window.days), window.start)
    if seasonal:
        for name, _season, calendar in seasons_overlapping(window):
            label = SEASON_LABELS[name]
            try:
                if calendar == "hijri":
                    base = Period(shift_hijri_year(window.start), shift_hijri_year(window.end))
                    return Baseline(
                        window,
                        base,
                        "hijri_season",
                        name,
                        f"window falls in {label}: compared with the same Hijri dates of the "
                        f"previous Hijri year ({base.start} to {base.end - dt.timedelta(days=1)}), "
                        "not with the previous weeks",
                    )
                base = Period(shift_gregorian_year(window.start), shift_gregorian_year(window.end))
                return Baseline(
                    window,
                    base,
                    "gregorian_season",
                    name,
                    f"window falls in the {label}: compared with the same dates a year earlier "
                    f"({base.start} to {base.end - dt.timedelta(days=1)})",
                )
            except (OverflowError, ValueError):
                continue
    return Baseline(
        window,
        previous,
        "previous_period",
        None,
        f"compared with the previous {window.days} days ({previous.start} to "
        f"{previous.end - dt.timedelta(days=1)})",
    )


def previous_period(window: Period) -> Period:
    return Period(window.start - dt.timedelta(days=window.days), window.start)


def seasons_between(start: dt.date, end: dt.date) -> list[dict]:
    """Every season that touches [start, end), in date order, to shade on a time chart: Ramadan
    and the Eids from the Hijri calendar, the Gregorian seasons by their fixed dates."""
    if end <= start:
        return []
    window = Period(start, end)
    found: list[tuple[Period, str, str]] = []
    first, last = to_hijri_year(start), to_hijri_year(end)
    if first is not None and last is not None:
        for name in HIJRI_SEASONS:
            for year in range(first - 1, last + 2):
                try:
                    found.append((hijri_season(name, year), name, "hijri"))
                except (OverflowError, ValueError):
                    continue
    for name in GREGORIAN_SEASONS:
        for year in range(start.year, end.year + 1):
            found.append((gregorian_season(name, year), name, "gregorian"))
    return [
        {"name": name, "calendar": calendar, "start": str(p.start), "end": str(p.end)}
        for p, name, calendar in sorted(found, key=lambda f: (f[0].start, f[1]))
        if window.overlap(p) > 0
    ]
