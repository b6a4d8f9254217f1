"""The row contract: one rule per field of every entity, whichever way a row arrives.

``TITLES``, ``CREATORS``, ``MEMBERS`` and ``EVENTS`` map each field to a ``Rule``. The ingest builds
its SQL checks from them (``halqa.ingest.rules``), the API's request models and the targeting title
schema validate through ``Rule.parse`` (``halqa.service.schemas``, ``halqa.audience.title``), and
both word a refusal with ``Rule.reason``, so a row gets the same verdict, message and
normalisation from a file as from a request. ``parse`` is the Python twin of the SQL in
``halqa.ingest.parsers``; ``tests/catalog/test_row_contract.py`` feeds generated rows to both.

Decisions where the paths used to differ (see ``docs/data-model.md``):
- aliases are accepted everywhere: ``kind=movie`` is ``film``, ``gender=female`` is ``F``, an age
  ``23`` is the band ``18-24``, a country may be named (``Maroc`` is ``MA``);
- a number as a timestamp is unix seconds below 1e11 and milliseconds from there (``5e10`` is
  seconds, so the year 3554, refused); a plausible timestamp lies between 1900-01-01 and the
  horizon after now (``HALQA_TIMESTAMP_HORIZON_DAYS``, default 1 day);
- an id is 1-200 characters without blanks or control characters; a member id must be
  pseudonymous: no e-mail address, no phone number (``+212 6...`` or ``06...``, 9-15 digits);
- blank text is a missing value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from halqa.catalog import taxonomy

HORIZON_ENV = "HALQA_TIMESTAMP_HORIZON_DAYS"
DEFAULT_HORIZON_DAYS = 1.0
EARLIEST = dt.datetime(1900, 1, 1)
# Numbers at or above this are unix milliseconds (1e11 s is the year 5138; 1e11 ms is March 1973).
MS_THRESHOLD = 100_000_000_000
ID_MAX = 200
ID_PATTERN = r"[^\s\x00-\x1f\x7f]{1,200}"
PHONE_PATTERN = r"(\+|0)[0-9 .\-]{8,}"
PHONE_DIGITS = (9, 15)
VALUE_LIMIT = 1e9
INT32_MAX = 2_147_483_647
TRUE_WORDS = ("true", "t", "1", "yes", "y", "oui", "vrai")
FALSE_WORDS = ("false", "f", "0", "no", "n", "non", "faux")
COUNTRY_NAMES = MappingProxyType(
    {
        "morocco": "MA",
        "maroc": "MA",
        "المغرب": "MA",
        "usa": "US",
        "france": "FR",
        "spain": "ES",
        "espagne": "ES",
        "belgium": "BE",
        "belgique": "BE",
        "netherlands": "NL",
    }
)
KIND_ALIASES = MappingProxyType(
    {
        "movie": "film",
        "feature": "film",
        "show": "series",
        "tv-series": "series",
        "tv_series": "series",
        "serie": "series",
        "série": "series",
        "song": "track",
        "single": "track",
        "music-video": "clip",
        "video-clip": "clip",
        "ep": "album",
        "court-metrage": "short",
        "doc": "documentary",
    }
)
GENDER_ALIASES = MappingProxyType(
    {
        "FEMALE": "F",
        "FEMME": "F",
        "WOMAN": "F",
        "MALE": "M",
        "HOMME": "M",
        "MAN": "M",
        "OTHER": "X",
        "NON-BINARY": "X",
        "AUTRE": "X",
    }
)
RATING_ALIASES = MappingProxyType(
    {
        "tp": "all",
        "tous publics": "all",
        "tous-publics": "all",
        "g": "all",
        "0+": "all",
        "7": "7+",
        "-7": "7+",
        "12": "12+",
        "-12": "12+",
        "16": "16+",
        "-16": "16+",
        "18": "18+",
        "-18": "18+",
    }
)
# The shapes of numbers, integers and ISO-8601 times both paths accept (the SQL casts alone would
# also take 1_000 or 0x10, and Python's parsers ISO week dates: the patterns keep the two the same).
NUMBER_PATTERN = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"
INTEGER_PATTERN = r"[+-]?[0-9]{1,18}"
ISO_PATTERN = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?"
    r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?"
)
ZONE_PATTERN = r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"
_NUMBER = re.compile(NUMBER_PATTERN)
_ZONE = re.compile(ZONE_PATTERN)
_ISO = re.compile(ISO_PATTERN)
_INTEGER = re.compile(INTEGER_PATTERN)
_ID_RE = re.compile(ID_PATTERN)
_PHONE = re.compile(PHONE_PATTERN)
_CONTAINERS = (dict, list, tuple, set)
_COUNTRY = re.compile(r"[A-Z]{2}")


class RuleError(ValueError):
    """A value a rule refuses; the message is the reason both paths give."""


def horizon_days() -> float:
    """How far after now a timestamp may lie (clock skew, scheduled releases):
    ``HALQA_TIMESTAMP_HORIZON_DAYS``."""
    text = os.environ.get(HORIZON_ENV, "").strip()
    if not text:
        return DEFAULT_HORIZON_DAYS
    try:
        days = float(text)
    except ValueError:
        raise RuleError(f"{HORIZON_ENV}={text!r} is not a number of days") from None
    if not 0 <= days <= 36_500:
        raise RuleError(f"{HORIZON_ENV}={text!r} is outside 0-36500 days")
    return days


def latest_timestamp(now: dt.datetime | None = None) -> dt.datetime:
    """The latest plausible timestamp (naive UTC): now plus the horizon.

    Without ``now`` it is worked out (clock and setting) at most once a second: it is asked for
    every posted event. ``forget_latest`` makes the next call read the setting again."""
    if now is not None:
        return now + dt.timedelta(days=horizon_days())
    tick = time.monotonic()
    if tick >= _LATEST.get("until", 0.0):
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        _LATEST.update(until=tick + 1.0, value=now + dt.timedelta(days=horizon_days()))
    return _LATEST["value"]


def forget_latest() -> None:
    _LATEST.clear()


_LATEST: dict[str, Any] = {}


def timestamp_expected() -> str:
    days = horizon_days()
    shown = f"{days:g} day{'s' if days != 1 else ''}"
    return (
        f"a plausible time (from 1900-01-01 to {shown} after now, UTC; "
        f"{HORIZON_ENV} sets the horizon)"
    )


def shown(raw: object) -> str:
    """A value quoted in a reason: cut to 80 characters, line breaks as spaces (one line)."""
    text = raw if isinstance(raw, str) else _text_of(raw)
    return "'" + text.replace("\n", " ").replace("\r", " ")[:80] + "'"


def _text_of(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Rule:
    """What one field accepts, how it is normalised, and how a refusal is worded.

    ``kind`` names the parser (the same name in ``halqa.ingest.parsers``); ``expected`` ends the
    sentence "'x' is not ..." of a refusal.
    """

    field: str
    kind: str
    expected: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    # dataclasses.field in full: the class has a field named ``field``
    aliases: Mapping[str, str] = dataclasses.field(default_factory=dict)
    fold: str = "lower"
    low: float | None = None
    high: float | None = None
    max_length: int | None = None
    pseudonymous: bool = False

    def reason(self, raw: object) -> str:
        if self.kind == "timestamp":
            return f"{shown(raw)} is not {timestamp_expected()}"
        return f"{shown(raw)} is not {self.expected}"

    def parse(self, value: object) -> Any:
        """The normalised value, None for a missing one; ``RuleError`` with the reason otherwise."""
        kind = type(value)  # exact types first: this runs for every field of every posted event
        if value is None or type(value) is str and not value.strip(" "):
            if self.required:
                raise RuleError("required value missing")
            if (
                self.kind == "id" and value
            ):  # blanks are not an id (an empty field is a missing one)
                raise RuleError(f"{shown(value)} is not {self.expected}")
            return None
        if kind in _CONTAINERS or kind is bool and self.kind != "boolean":
            raise RuleError(
                f"{shown(value)} is not {self.expected}"
            )  # JSON objects and lists are no scalars
        return _PARSERS[self.kind](self, value)

    def validator(self) -> Callable[[object], Any]:
        """``parse`` as a pydantic ``BeforeValidator`` (its ``ValueError`` becomes a 422 naming the
        field)."""
        return self.parse


# -- the Python twins of halqa.ingest.parsers ------------------------------------------------------
def _id(rule: Rule, value: object) -> str:
    if not isinstance(value, str):
        value = _text_of(value)
    if not _ID_RE.fullmatch(value):
        raise RuleError(f"{shown(value)} is not {rule.expected}")
    if rule.pseudonymous and not_pseudonymous(value):
        raise RuleError(
            f"{shown(value)} looks like an e-mail address or a phone number; "
            "use a pseudonymous member id"
        )
    return value


def not_pseudonymous(value: str) -> bool:
    """An e-mail address or a phone number (international +..., or national 0..., 9-15 digits)."""
    if "@" in value:
        return True
    if not _PHONE.fullmatch(value):
        return False
    digits = sum(ch.isdigit() for ch in value)
    return PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]


def _text(rule: Rule, value: object) -> str:
    if not isinstance(value, str):
        raise RuleError(f"{shown(value)} is not {rule.expected}")
    if rule.max_length is not None and len(value) > rule.max_length:
        raise RuleError(f"text of {len(value)} characters is longer than {rule.max_length}")
    return value


def _enum(rule: Rule, value: object) -> str:
    text = value if isinstance(value, str) else _text_of(value)
    if text in rule.choices:
        return text
    folded = text.strip(" ").upper() if rule.fold == "upper" else text.strip(" ").lower()
    table = {v: v for v in rule.choices} | dict(rule.aliases)
    if folded in table:
        return table[folded]
    raise RuleError(f"{shown(text)} is not {rule.expected}")


def _integer(rule: Rule, value: object) -> int:
    if isinstance(value, bool):
        raise RuleError(f"{shown(value)} is not {rule.expected}")
    if isinstance(value, float):
        if not value.is_integer():
            raise RuleError(f"{shown(value)} is not {rule.expected}")
        number = int(value)
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INTEGER.fullmatch(value.strip(" ")):
        number = int(value.strip(" "))
    else:
        raise RuleError(f"{shown(value)} is not {rule.expected}")
    if rule.low is not None and rule.high is not None and not rule.low <= number <= rule.high:
        raise RuleError(f"{shown(value)} is not {rule.expected}")
    return number


def _number(rule: Rule, value: object) -> float:
    if isinstance(value, bool):
        raise RuleError(f"{shown(value)} is not {rule.expected}")
    number = _as_number(value)
    if number is None or not math.isfinite(number) or abs(number) > VALUE_LIMIT:
        raise RuleError(f"{shown(value)} is not {rule.expected}")
    return number


def _as_number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip(" ")):
        return float(value.strip(" "))
    return None


def _boolean(rule: Rule, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = _text_of(value).strip(" ").lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise RuleError(f"{shown(value)} is not {rule.expected}")


def _timestamp(rule: Rule, value: object) -> dt.datetime:
    parsed = _timestamp_value(value)
    if parsed is None:
        raise RuleError(f"{shown(value)} is not {rule.expected}")
    if not EARLIEST <= parsed <= latest_timestamp():
        raise RuleError(rule.reason(value))
    return parsed


def _timestamp_value(value: object) -> dt.datetime | None:
    """Unix seconds or milliseconds, or ISO-8601 with or without zone, to a naive UTC datetime."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, bool):
        return None
    if type(value) is int or type(value) is float and value.is_integer() and abs(value) < 1e15:
        return _from_unix(int(value))  # JSON numbers: exact without a decimal detour
    text = _text_of(value).strip(" ") if not isinstance(value, str) else value.strip(" ")
    if text.isdigit() and len(text) < 16:
        return _from_unix(int(text))
    if _NUMBER.fullmatch(text):
        try:
            exact = Decimal(text)
        except InvalidOperation:
            return None
        if not exact.is_finite() or abs(exact) >= Decimal("1e15"):
            return None
        scale = 1000 if abs(exact) >= MS_THRESHOLD else 1_000_000
        micros = int((exact * scale).to_integral_value())
        try:
            return dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=micros)
        except OverflowError:
            return None
    if not _ISO.fullmatch(text):
        return None
    try:
        parsed = dt.datetime.fromisoformat(
            text.removesuffix("Z") + ("+00:00" if text.endswith("Z") else "")
        )
    except ValueError:
        return None
    if _ZONE.search(text) and parsed.tzinfo is not None:
        return parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed.replace(tzinfo=None)


_EPOCH = dt.datetime(1970, 1, 1)


def _from_unix(number: int) -> dt.datetime | None:
    """Whole unix seconds, or milliseconds from MS_THRESHOLD on (the SQL twin's rule)."""
    if abs(number) >= 10**15:
        return None
    micros = number * (1000 if abs(number) >= MS_THRESHOLD else 1_000_000)
    try:
        return _EPOCH + dt.timedelta(microseconds=micros)
    except OverflowError:
        return None


def _date(rule: Rule, value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text_of(value).strip(" ")
    for parse in (
        lambda t: dt.date.fromisoformat(t[:10]) if _ISO.fullmatch(t) else None,
        lambda t: dt.datetime.strptime(t, "%d-%b-%Y").date(),
        lambda t: dt.datetime.strptime(t, "%d/%m/%Y").date(),
        lambda t: dt.date(int(t), 1, 1) if re.fullmatch(r"[0-9]{4}", t) else None,
    ):
        try:
            day = parse(text)
        except ValueError:
            continue
        if day is not None:
            return day
    raise RuleError(f"{shown(value)} is not {rule.expected}")


def _language(rule: Rule, value: object) -> str:
    tag = taxonomy.normalise_language(value) if isinstance(value, str) else None
    if tag is None:
        raise RuleError(f"{shown(value)} is not {rule.expected}")
    return tag


def _region(rule: Rule, value: object) -> str:
    region = taxonomy.normalise_region(value) if isinstance(value, str) else None
    if region is None:
        region = taxonomy.normalise_region(_text_of(value)) if isinstance(value, int) else None
    if region is None:
        raise RuleError(f"{shown(value)} is not {rule.expected}")
    return region


def _country(rule: Rule, value: object) -> str:
    text = _text_of(value).strip(" ") if not isinstance(value, str) else value.strip(" ")
    if _COUNTRY.fullmatch(text.upper()):
        return text.upper()
    if text.lower() in COUNTRY_NAMES:
        return COUNTRY_NAMES[text.lower()]
    raise RuleError(f"{shown(value)} is not {rule.expected}")


def _age_band(rule: Rule, value: object) -> str:
    text = (value if isinstance(value, str) else _text_of(value)).replace(" ", "")
    if text in taxonomy.AGE_BANDS:
        return text
    if _INTEGER.fullmatch(text) and 0 <= int(text) <= 120:
        return taxonomy.age_band(int(text))
    raise RuleError(f"{shown(value)} is not {rule.expected}")


_PARSERS: dict[str, Callable[[Rule, object], Any]] = {
    "id": _id,
    "text": _text,
    "enum": _enum,
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
    "timestamp": _timestamp,
    "date": _date,
    "language": _language,
    "region": _region,
    "country": _country,
    "age_band": _age_band,
}


# -- the rule tables ---------------------------------------------------------------------------
_ID = f"an id (1 to {ID_MAX} characters, no blanks or control characters)"
_COUNTRY_TEXT = "an ISO 3166-1 alpha-2 country code (MA, FR...)"
_REGION_TEXT = "a Moroccan region (id, code 1-12, French or Arabic name)"
_LANGUAGE_TEXT = "a BCP-47 language tag (ary, ar, fr, zgh, en...)"
_TIMESTAMP_TEXT = "a timestamp (unix seconds or milliseconds, or ISO-8601)"


def _rules(*rules: Rule) -> Mapping[str, Rule]:
    return MappingProxyType({r.field: r for r in rules})


def _one_of(values: tuple[str, ...]) -> str:
    return "one of " + ", ".join(values)


TITLES = _rules(
    Rule("title_id", "id", _ID, required=True),
    Rule(
        "kind",
        "enum",
        _one_of(taxonomy.KINDS),
        required=True,
        choices=taxonomy.KINDS,
        aliases=KIND_ALIASES,
    ),
    Rule("parent_id", "id", _ID),
    Rule("name", "text", "text", required=True, max_length=2000),
    Rule("original_language", "language", _LANGUAGE_TEXT),
    Rule("release_date", "date", "a date (YYYY-MM-DD, DD/MM/YYYY, 01-Jan-1995 or a year)"),
    Rule(
        "duration_s", "integer", f"a duration in seconds (0 to {INT32_MAX})", low=0, high=INT32_MAX
    ),
    Rule(
        "age_rating",
        "enum",
        _one_of(taxonomy.AGE_RATINGS),
        choices=taxonomy.AGE_RATINGS,
        aliases=RATING_ALIASES,
    ),
    Rule("country", "country", _COUNTRY_TEXT),
    Rule("region", "region", _REGION_TEXT),
    Rule("added_at", "timestamp", _TIMESTAMP_TEXT),
)
CREATORS = _rules(
    Rule("creator_id", "id", _ID, required=True),
    Rule("name", "text", "text", required=True, max_length=2000),
    Rule("role", "enum", _one_of(taxonomy.ROLES), choices=taxonomy.ROLES),
    Rule("country", "country", _COUNTRY_TEXT),
    Rule("region", "region", _REGION_TEXT),
    Rule("debut_year", "integer", "a plausible year (1800-2200)", low=1800, high=2200),
)
MEMBERS = _rules(
    Rule("member_id", "id", _ID, required=True, pseudonymous=True),
    Rule("age_band", "age_band", "an age band (" + ", ".join(taxonomy.AGE_BANDS) + ") or an age"),
    Rule(
        "gender",
        "enum",
        _one_of(taxonomy.GENDERS),
        choices=taxonomy.GENDERS,
        aliases=GENDER_ALIASES,
        fold="upper",
    ),
    Rule("country", "country", _COUNTRY_TEXT),
    Rule("region", "region", _REGION_TEXT),
    Rule("city", "text", "text", max_length=100),
    Rule("occupation", "text", "text", max_length=100),
    Rule("consent_analytics", "boolean", "true or false"),
    Rule("consent_personalisation", "boolean", "true or false"),
    Rule("consent_marketing", "boolean", "true or false"),
    Rule("consent_at", "timestamp", _TIMESTAMP_TEXT),
    Rule("joined_at", "timestamp", _TIMESTAMP_TEXT),
)
EVENTS = _rules(
    Rule("member_id", "id", _ID, required=True, pseudonymous=True),
    Rule("title_id", "id", _ID, required=True),
    Rule(
        "event_type",
        "enum",
        _one_of(taxonomy.EVENT_TYPES),
        required=True,
        choices=taxonomy.EVENT_TYPES,
        aliases=taxonomy.EVENT_ALIASES,
    ),
    Rule("ts", "timestamp", _TIMESTAMP_TEXT, required=True),
    Rule("value", "number", f"a number (-{VALUE_LIMIT:.0e} to {VALUE_LIMIT:.0e})"),
    # Free context labels: stored as written, refused only when absurdly long.
    Rule("device", "text", "text", max_length=100),
    Rule("source", "text", "text", max_length=100),
)
# Elements of list fields (languages, available_regions): the same rules, one element at a time.
LANGUAGE = Rule("language", "language", _LANGUAGE_TEXT)
REGION = Rule("region", "region", _REGION_TEXT)
ENTITIES: Mapping[str, Mapping[str, Rule]] = MappingProxyType(
    {"titles": TITLES, "creators": CREATORS, "members": MEMBERS, "events": EVENTS}
)

SELF_PARENT = "a title cannot be its own parent"


def parent_cycles_sql(edges: str, starts: str, before: str = "") -> str:
    """SQL of (title_id, reason) for each title of ``starts`` whose parents lead back to itself.

    ``edges`` is a query of (title_id, parent_id) pairs: the store's and the incoming rows'. The
    walk stops at a depth no real hierarchy reaches (series > season > episode is 3), so a cycle
    that does not pass through the start cannot make it run forever. ``before`` holds CTEs
    (``name AS (...), ``) the other two refer to.
    """
    return f"""WITH RECURSIVE {before}edges AS ({edges}),
        walk (start, node, path, depth) AS (
            SELECT title_id, parent_id, [title_id, parent_id], 1 FROM edges
            WHERE parent_id IS NOT NULL AND title_id IN ({starts})
            UNION ALL
            SELECT w.start, e.parent_id, list_append(w.path, e.parent_id), w.depth + 1
            FROM walk w JOIN edges e ON e.title_id = w.node
            WHERE w.node <> w.start AND e.parent_id IS NOT NULL AND w.depth < 32)
        SELECT start AS title_id, 'parent cycle: ' || array_to_string(any_value(path), \
' -> ') AS reason
        FROM walk WHERE node = start GROUP BY start"""


def unknown_reference(field_name: str, value: str, fix: str) -> str:
    """The reason for an event naming a member or title the store does not have."""
    return f"unknown {field_name.removesuffix('_id')} {shown(value)} ({fix})"
