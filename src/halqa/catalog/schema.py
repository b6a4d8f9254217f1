"""The tables of a halqa store, their canonical columns and their migrations.

Column names are the contract: a file whose header uses them needs no mapping.
``docs/data-model.md`` explains every column; keep the two in step.
Each migration is applied once, in order, inside one transaction; the
``schema_version`` table records which ones ran.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    required: bool = False
    doc: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


TITLES = Table(
    "titles",
    ("title_id",),
    (
        Column("title_id", "VARCHAR", True, "Stable id of the title in the user's catalogue."),
        Column(
            "kind",
            "VARCHAR",
            True,
            "film, series, season, episode, track, album, podcast, short, documentary, clip.",
        ),
        Column("parent_id", "VARCHAR", False, "Episode -> season/series, track -> album."),
        Column("name", "VARCHAR", True, "Title in its original language and script, byte-exact."),
        Column(
            "original_language",
            "VARCHAR",
            False,
            "BCP-47 tag: ary, ary-Latn, ar, fr, zgh, en, es...",
        ),
        Column(
            "names",
            "MAP(VARCHAR, VARCHAR)",
            False,
            "Title in other languages, keyed by BCP-47 tag.",
        ),
        Column(
            "synopses",
            "MAP(VARCHAR, VARCHAR)",
            False,
            "Synopsis per language, keyed by BCP-47 tag.",
        ),
        Column("genres", "VARCHAR[]", False, "Genre ids from the genres table."),
        Column("themes", "VARCHAR[]", False, "Theme ids from the themes table."),
        Column("release_date", "DATE", False, "First release (day precision)."),
        Column("duration_s", "INTEGER", False, "Running time in seconds."),
        Column("age_rating", "VARCHAR", False, "all, 7+, 12+, 16+, 18+."),
        Column(
            "country", "VARCHAR", False, "ISO 3166-1 alpha-2 country of origin (MA for Morocco)."
        ),
        Column("region", "VARCHAR", False, "Moroccan region id of origin when country is MA."),
        Column(
            "creator_ids", "VARCHAR[]", False, "Creators (artists, directors, bands) of the title."
        ),
        Column(
            "available_regions",
            "VARCHAR[]",
            False,
            "Regions where the title may be shown; NULL means everywhere.",
        ),
        Column("added_at", "TIMESTAMP", False, "When the title entered the catalogue (UTC)."),
        Column(
            "auto_created",
            "BOOLEAN DEFAULT false",
            False,
            "A placeholder made by an events ingest with --create-missing, "
            "until the title's own row arrives.",
        ),
    ),
)

CREATORS = Table(
    "creators",
    ("creator_id",),
    (
        Column("creator_id", "VARCHAR", True, "Stable id of the creator."),
        Column("name", "VARCHAR", True, "Name as the creator writes it, byte-exact."),
        Column(
            "names",
            "MAP(VARCHAR, VARCHAR)",
            False,
            "Name in other scripts, keyed by BCP-47 tag (ar, zgh, ary-Latn).",
        ),
        Column(
            "role",
            "VARCHAR",
            False,
            "artist, band, director, writer, actor, producer, composer, host, studio.",
        ),
        Column("country", "VARCHAR", False, "ISO 3166-1 alpha-2; MA makes the creator Moroccan."),
        Column("region", "VARCHAR", False, "Moroccan region id when country is MA."),
        Column(
            "debut_year",
            "INTEGER",
            False,
            "Year of first release; recent debut makes the creator emerging.",
        ),
    ),
)

MEMBERS = Table(
    "members",
    ("member_id",),
    (
        Column(
            "member_id", "VARCHAR", True, "Pseudonymous id: never a name, e-mail or phone number."
        ),
        Column("age_band", "VARCHAR", False, "<18, 18-24, 25-34, 35-44, 45-54, 55+."),
        Column("gender", "VARCHAR", False, "F, M, X or empty."),
        Column("country", "VARCHAR", False, "ISO 3166-1 alpha-2 country of residence."),
        Column("region", "VARCHAR", False, "Moroccan region id of residence."),
        Column("city", "VARCHAR", False, "City of residence (free text)."),
        Column(
            "languages",
            "VARCHAR[]",
            False,
            "Languages the member uses, BCP-47 tags, preferred first.",
        ),
        Column(
            "occupation",
            "VARCHAR",
            False,
            "Optional occupation label (research data such as MovieLens).",
        ),
        Column("consent_analytics", "BOOLEAN", False, "May appear in aggregated analytics."),
        Column(
            "consent_personalisation", "BOOLEAN", False, "May receive personalised recommendations."
        ),
        Column("consent_marketing", "BOOLEAN", False, "May be exported to marketing audiences."),
        Column(
            "consent_at",
            "TIMESTAMP",
            False,
            "When the consents above were given or last changed (UTC).",
        ),
        Column("joined_at", "TIMESTAMP", False, "When the member joined (UTC)."),
        Column(
            "auto_created",
            "BOOLEAN",
            False,
            "Created by an events ingest with --create-missing, not from a members file.",
        ),
    ),
)

EVENTS = Table(
    "events",
    ("member_id", "title_id", "event_type", "ts"),
    (
        Column("member_id", "VARCHAR", True, "Member who acted."),
        Column("title_id", "VARCHAR", True, "Title acted on."),
        Column(
            "event_type",
            "VARCHAR",
            True,
            "play, view, listen, complete, like, dislike, skip, share, rate, add_to_list...",
        ),
        Column("ts", "TIMESTAMP", True, "When it happened, UTC (unix s/ms or ISO-8601 on input)."),
        Column(
            "value",
            "DOUBLE",
            False,
            "Seconds played, completion ratio (0-1) or rating, by event type.",
        ),
        Column("device", "VARCHAR", False, "Context: tv, mobile, web, tablet, radio..."),
        Column(
            "source",
            "VARCHAR",
            False,
            "Context: home, search, recommendation, campaign, external...",
        ),
        Column("ingest_id", "BIGINT", False, "The ingest run that stored the event."),
    ),
)

CONSENT_PURPOSES = ("analytics", "personalisation", "marketing")
ENTITY_TABLES = {t.name: t for t in (TITLES, CREATORS, MEMBERS, EVENTS)}


def create_table_sql(table: Table) -> str:
    cols = ",\n  ".join(
        f"{c.name} {c.sql_type}" + (" NOT NULL" if c.required else "") for c in table.columns
    )
    return f"CREATE TABLE {table.name} (\n  {cols},\n  PRIMARY KEY ({', '.join(table.key)})\n)"


def _events_sql() -> str:
    # Events get no PRIMARY KEY: an ART index over hundreds of millions of rows
    # costs more memory than the whole ingest. Idempotency is an anti-join on the
    # natural key (see halqa.ingest), done inside the ingest transaction.
    cols = ",\n  ".join(
        f"{c.name} {c.sql_type}" + (" NOT NULL" if c.required else "") for c in EVENTS.columns
    )
    return f"CREATE TABLE events (\n  {cols}\n)"


MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (
        1,
        "catalogue, audience, events, taxonomy, ingest bookkeeping",
        (
            create_table_sql(TITLES),
            create_table_sql(CREATORS),
            create_table_sql(MEMBERS),
            _events_sql(),
            """CREATE TABLE genres (genre_id VARCHAR PRIMARY KEY, domain VARCHAR NOT NULL,
             label_en VARCHAR, label_fr VARCHAR, label_ar VARCHAR, \
builtin BOOLEAN DEFAULT false)""",
            """CREATE TABLE themes (theme_id VARCHAR PRIMARY KEY, domain VARCHAR NOT NULL,
             label_en VARCHAR, label_fr VARCHAR, label_ar VARCHAR, \
builtin BOOLEAN DEFAULT false)""",
            "CREATE SEQUENCE ingest_seq START 1",
            """CREATE TABLE ingests (ingest_id BIGINT PRIMARY KEY, target VARCHAR NOT NULL, \
file VARCHAR NOT NULL,
             file_sha256 VARCHAR, started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP,
             accepted BIGINT, rejected BIGINT, duplicates BIGINT, created BIGINT, \
status VARCHAR NOT NULL)""",
            """CREATE TABLE quarantine (ingest_id BIGINT NOT NULL, target VARCHAR NOT NULL, \
file VARCHAR NOT NULL,
             line BIGINT, field VARCHAR, reason VARCHAR NOT NULL, raw VARCHAR)""",
            # Consent lives in these views so that no path can forget it: analytics
            # read *_analytics, recommenders *_personalisation, exports *_marketing.
            *(
                f"""CREATE VIEW events_{purpose} AS SELECT e.* FROM events e
              JOIN members m USING (member_id) WHERE m.consent_{purpose}"""
                for purpose in CONSENT_PURPOSES
            ),
            *(
                f"CREATE VIEW members_{purpose} AS SELECT * FROM members WHERE consent_{purpose}"
                for purpose in CONSENT_PURPOSES
            ),
        ),
    ),
)
# Tables that the audience and service parts first created on their own; from
# version 2 the schema owns them (IF NOT EXISTS adopts stores that already have them).
AUDIENCE_CAMPAIGNS_SQL = """CREATE TABLE IF NOT EXISTS audience_campaigns (
     campaign VARCHAR PRIMARY KEY, created_at TIMESTAMP NOT NULL, title_id VARCHAR, source VARCHAR,
     holdout_share DOUBLE NOT NULL, seed BIGINT NOT NULL, hashed BOOLEAN NOT NULL, \
salt_fingerprint VARCHAR,
     exposed BIGINT NOT NULL, holdout BIGINT NOT NULL, dropped_no_consent BIGINT NOT NULL)"""
AUDIENCE_EXPORTS_SQL = """CREATE TABLE IF NOT EXISTS audience_exports (
     campaign VARCHAR NOT NULL, member_id VARCHAR NOT NULL, grp VARCHAR NOT NULL, \
exported_id VARCHAR NOT NULL,
     score DOUBLE, PRIMARY KEY (campaign, member_id))"""
SERVICE_KEYS_SQL = """CREATE TABLE IF NOT EXISTS service_keys (
     key_id VARCHAR PRIMARY KEY, name VARCHAR, role VARCHAR NOT NULL, salt VARCHAR NOT NULL,
     hash VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, revoked_at TIMESTAMP)"""

MIGRATIONS += (
    (
        2,
        "campaign exports and service keys",
        (AUDIENCE_CAMPAIGNS_SQL, AUDIENCE_EXPORTS_SQL, SERVICE_KEYS_SQL),
    ),
    # Stores made since this column joined TITLES already have it from version 1.
    (
        3,
        "placeholder titles are marked",
        (
            "ALTER TABLE titles ADD COLUMN IF NOT EXISTS auto_created BOOLEAN DEFAULT false",
            "UPDATE titles SET auto_created = false WHERE auto_created IS NULL",
        ),
    ),
)
# Every change of a member's consent, through the service or `halqa ingest`: who (key and role),
# when, which purpose, old -> new, and the consent date that came with it (halqa.catalog.consent
# writes it).
CONSENT_AUDIT_SQL = """CREATE TABLE IF NOT EXISTS consent_audit (
     changed_at TIMESTAMP NOT NULL, member_id VARCHAR NOT NULL, purpose VARCHAR NOT NULL,
     old_value BOOLEAN, new_value BOOLEAN, consent_at TIMESTAMP, key_id VARCHAR, role VARCHAR,
     source VARCHAR NOT NULL)"""
MIGRATIONS += ((4, "consent changes are audited", (CONSENT_AUDIT_SQL,)),)
SCHEMA_VERSION = MIGRATIONS[-1][0]
