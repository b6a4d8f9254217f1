"""How complete the store's data is: the columns later features lean on, counted (`halqa stats`)."""

from __future__ import annotations

from halqa.catalog.store import Store

MEMBER_COVERAGE = (
    "with_age_band",
    "with_gender",
    "with_region",
    "with_occupation",
    "consent_analytics",
    "consent_personalisation",
    "consent_marketing",
)
TITLE_COVERAGE = ("with_genres", "with_release_date", "with_creators", "kinds")
EVENT_COVERAGE = ("event_types", "active_members", "titles_with_events")


def coverage(store: Store) -> dict[str, dict[str, int]]:
    """Coverage of demographics, genres, creators and consent, and the spread of the events."""
    members = store.rows("""SELECT count(age_band), count(gender), count(region), count(occupation),
        count(*) FILTER (consent_analytics), count(*) FILTER (consent_personalisation),
        count(*) FILTER (consent_marketing) FROM members""")[0]
    titles = store.rows("""SELECT count(*) FILTER (len(genres) > 0), count(release_date),
        count(*) FILTER (len(creator_ids) > 0), count(DISTINCT kind) FROM titles""")[0]
    events = store.rows(
        "SELECT count(DISTINCT event_type), count(DISTINCT member_id), "
        "count(DISTINCT title_id) FROM events"
    )[0]
    return {
        "members": dict(zip(MEMBER_COVERAGE, members, strict=True)),
        "titles": dict(zip(TITLE_COVERAGE, titles, strict=True)),
        "events": dict(zip(EVENT_COVERAGE, events, strict=True)),
    }
