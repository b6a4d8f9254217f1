"""Time in the demo world: the Hijri Ramadans, the Gnaoua festival, weekly and daily rhythm.

Ramadan is placed with ``hijridate`` (Umm al-Qura), so it moves about eleven days
earlier each Gregorian year, as it does in life. Morocco keeps UTC+1 all year
except during Ramadan, when clocks go back to UTC+0; events are stored in UTC,
so local hours are converted with the offset of their day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from hijridate import Gregorian, Hijri

FESTIVAL_DAYS = 3  # Gnaoua festival: Thursday to Saturday
FESTIVAL_LEAD_DAYS = 10  # listening builds up before it...
FESTIVAL_TAIL_DAYS = 14  # ...and fades after it
RISE_WEEKS = 8  # the rising genre grows over the last RISE_WEEKS of the window


@dataclass(frozen=True)
class Ramadan:
    hijri_year: int
    start: date  # 1 Ramadan
    end: date  # last day of Ramadan (Eid al-Fitr is the day after)

    @property
    def eid(self) -> date:
        return self.end + timedelta(days=1)

    def to_dict(self) -> dict[str, object]:
        return {
            "hijri_year": self.hijri_year,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "eid_al_fitr": self.eid.isoformat(),
            "days": (self.end - self.start).days + 1,
        }


def ramadans_between(start: date, end: date) -> list[Ramadan]:
    """Every Ramadan that overlaps [start, end), from the Umm al-Qura calendar."""
    first = Gregorian(start.year, start.month, start.day).to_hijri().year - 1
    last = Gregorian(end.year, end.month, end.day).to_hijri().year + 1
    found = []
    for year in range(first, last + 1):
        r_start = Hijri(year, 9, 1).to_gregorian().datetuple()
        r_next = Hijri(year, 10, 1).to_gregorian().datetuple()
        begin, stop = date(*r_start), date(*r_next) - timedelta(days=1)
        if begin < end and stop >= start:
            found.append(Ramadan(year, begin, stop))
    return found


def gnaoua_windows(start: date, end: date) -> list[tuple[date, date]]:
    """Festival days (first, last) per June in the window: from the third Thursday of June."""
    windows = []
    for year in range(start.year, end.year + 1):
        june1 = date(year, 6, 1)
        first_thursday = june1 + timedelta(days=(3 - june1.weekday()) % 7)
        first = first_thursday + timedelta(days=14)
        last = first + timedelta(days=FESTIVAL_DAYS - 1)
        if first >= start and last < end:
            windows.append((first, last))
    return windows


class Timeline:
    """Per-day arrays over the window: weights, Ramadan flags, festival and rise profiles."""

    def __init__(self, start: date, days: int) -> None:
        self.start, self.days = start, days
        self.end = start + timedelta(days=days)
        self.dates = np.arange(np.datetime64(start), np.datetime64(self.end), dtype="datetime64[D]")
        self.ramadans = ramadans_between(start, self.end)
        self.festivals = gnaoua_windows(start, self.end)
        self.ramadan_day = np.zeros(days, dtype=bool)
        self.ramadan_year = np.zeros(
            days, dtype=np.int32
        )  # Hijri year of the Ramadan the day is in
        for r in self.ramadans:
            sl = self._slice(r.start, r.end)
            self.ramadan_day[sl] = True
            self.ramadan_year[sl] = r.hijri_year
        self.festival = self._festival_profile()
        self.rise_start = self.end - timedelta(weeks=RISE_WEEKS)
        index = np.arange(days)
        rise0 = (self.rise_start - start).days
        self.rise = np.clip((index - rise0 + 1) / max(days - rise0, 1), 0.0, 1.0)

    def index(self, day: date) -> int:
        return (day - self.start).days

    def _slice(self, first: date, last: date) -> slice:
        return slice(max(self.index(first), 0), max(min(self.index(last) + 1, self.days), 0))

    def _festival_profile(self) -> np.ndarray:
        """1 during the festival, ramping up before and decaying after (0 elsewhere)."""
        profile = np.zeros(self.days)
        for first, last in self.festivals:
            i0, i1 = self.index(first), self.index(last)
            for i in range(i0 - FESTIVAL_LEAD_DAYS, i1 + FESTIVAL_TAIL_DAYS + 1):
                if 0 <= i < self.days:
                    if i < i0:
                        value = (i - (i0 - FESTIVAL_LEAD_DAYS)) / FESTIVAL_LEAD_DAYS
                    elif i <= i1:
                        value = 1.0
                    else:
                        value = np.exp(-(i - i1) / 4.0)
                    profile[i] = max(profile[i], value)
        return profile

    def day_weights(self) -> np.ndarray:
        """Relative activity per day: slow growth, weekends, Ramadan evenings, summer."""
        weekday = (self.dates.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
        by_weekday = np.array([0.93, 0.93, 0.93, 0.95, 1.05, 1.15, 1.15])[weekday]
        growth = 1.0 + 0.15 * np.arange(self.days) / 365.0
        month = (self.dates.astype("datetime64[M]").view("int64") % 12) + 1
        summer = np.where((month == 7) | (month == 8), 1.05, 1.0)
        ramadan = np.where(self.ramadan_day, 1.15, 1.0)
        weights = by_weekday * growth * summer * ramadan
        return weights / weights.sum()

    def utc_offset_hours(self) -> np.ndarray:
        """Morocco: UTC+1, except UTC+0 during Ramadan."""
        return np.where(self.ramadan_day, 0, 1)


# Local hour-of-day profiles (24 weights each).
_MUSIC = np.array(
    [2, 1, 1, 0.5, 0.5, 1, 3, 6, 8, 6, 5, 5, 6, 6, 5, 5, 6, 8, 8, 7, 7, 7, 6, 4], float
)
_SCREEN = np.array(
    [3, 2, 1, 0.5, 0.3, 0.3, 0.5, 1, 1.5, 2, 2, 2.5, 3, 3.5, 4, 4, 4, 4.5, 5, 6, 8, 10, 9, 6], float
)
# Ramadan: screens fill after iftar (about 19:00 local), a small suhoor bump before dawn.
_SCREEN_RAMADAN = np.array(
    [6, 4, 4, 4, 1, 0.3, 0.3, 0.3, 0.5, 1, 1, 1, 1.5, 2, 2, 2.5, 3, 3, 4, 12, 16, 15, 12, 9], float
)
_MUSIC_RAMADAN = np.array(
    [5, 3, 3, 3, 1, 0.5, 1, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 3, 5, 7, 7, 6], float
)
HOUR_PROFILES = {
    (False, False): _SCREEN / _SCREEN.sum(),
    (False, True): _SCREEN_RAMADAN / _SCREEN_RAMADAN.sum(),
    (True, False): _MUSIC / _MUSIC.sum(),
    (True, True): _MUSIC_RAMADAN / _MUSIC_RAMADAN.sum(),
}
