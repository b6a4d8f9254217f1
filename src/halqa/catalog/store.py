"""The embedded store: one DuckDB file holding the catalogue, the audience and their events.

``Store`` owns the connection, applies migrations, and moves whole tables in
and out as Parquet. Domain code asks it for SQL relations or Arrow tables and
never opens DuckDB files itself, so the same queries can later run on Spark.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

import duckdb

from halqa.catalog import schema, taxonomy
from halqa.errors import DataError, UserError

DEFAULT_DB = "halqa.duckdb"
TERM_DOMAINS = ("music", "screen", "any")  # what a genre or theme belongs to
# What a backup (`halqa export parquet`) holds: everything but the API keys' hashes. The consent
# audit is there, so a store restored from an export still proves who changed which consent when.
EXPORTED_TABLES = (
    "titles",
    "creators",
    "members",
    "events",
    "genres",
    "themes",
    "ingests",
    "quarantine",
    "audience_campaigns",
    "audience_exports",
    "consent_audit",
)


class StoreDamaged(DataError):
    """The store file is damaged (found when a query read a bad or missing block): the CLI exits 2,
    the service answers 503."""


def resolve_db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """``--db`` wins, then ``$HALQA_DB``, then ``./halqa.duckdb``."""
    return Path(path or os.environ.get("HALQA_DB") or DEFAULT_DB)


class Store:
    """A halqa store in one DuckDB file (or ``:memory:``).

    Example:
        >>> with Store.open("demo.duckdb") as store:
        ...     store.counts()["events"]
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str) -> None:
        self.con = con
        self.path = path

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        read_only: bool = False,
        memory_limit: str | None = None,
    ) -> Store:
        """Open (and create or migrate) the store at ``path``; see ``resolve_db_path``."""
        target = str(path) if str(path) == ":memory:" else str(resolve_db_path(path))
        if read_only and target != ":memory:" and not Path(target).exists():
            raise UserError(
                f"{target}: no halqa store here (run `halqa demo` or `halqa ingest` first)"
            )
        if target != ":memory:":
            _check_store_file(Path(target))
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        config: dict[str, str | bool | int | float | list[str]] = (
            {"memory_limit": memory_limit} if memory_limit else {}
        )
        try:
            con = duckdb.connect(target, read_only=read_only, config=config)
        except duckdb.Error as exc:
            raise _open_error(target, exc) from None
        store = cls(con, target)
        try:
            store._check_halqa()
            if not read_only:
                store.migrate()
            else:
                store._check_version()
        except duckdb.Error as exc:
            con.close()
            raise _open_error(target, exc) from None
        return store

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema --------------------------------------------------------------------------------
    def schema_version(self) -> int:
        if not self.scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
        ):
            return 0
        return int(self.scalar("SELECT max(version) FROM schema_version") or 0)

    def _check_halqa(self) -> None:
        """Refuse a DuckDB file that holds tables but was never a halqa store
        (migrating would write into it)."""
        if self.path == ":memory:" or self.schema_version():
            return
        tables = self.scalar(
            "SELECT count(*) FROM duckdb_tables() WHERE NOT temporary AND database_name = "
            "current_database()"
        )
        if tables:
            raise DataError(
                f"{self.path}: not a halqa store (a DuckDB database with {tables} other table"
                f"{'s' if tables > 1 else ''} and no halqa schema); "
                "pass --db with a halqa store file"
            )

    def _check_version(self) -> int:
        version = self.schema_version()
        if version > schema.SCHEMA_VERSION:
            raise DataError(
                f"{self.path}: store has schema version {version}, newer than this halqa "
                f"({schema.SCHEMA_VERSION}); upgrade halqa"
            )
        return version

    def migrate(self) -> int:
        """Apply the migrations this store has not seen; each one is all-or-nothing."""
        current = self._check_version()
        if current == 0:
            self.run(
                "CREATE TABLE IF NOT EXISTS schema_version "
                "(version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)"
            )
        for version, description, statements in schema.MIGRATIONS:
            if version <= current:
                continue
            with self.transaction():
                for statement in statements:
                    self.run(statement)
                if version == 1:
                    self._seed_taxonomy()
                self.run(
                    "INSERT INTO schema_version VALUES (?, ?, now()::TIMESTAMP)",
                    [version, description],
                )
        return self.schema_version()

    def _seed_taxonomy(self) -> None:
        genres = taxonomy.MUSIC_GENRES + taxonomy.SCREEN_GENRES
        self.con.executemany(
            "INSERT INTO genres VALUES (?, ?, ?, ?, ?, true)",
            [(t.id, t.domain, t.en, t.fr, t.ar) for t in genres],
        )
        self.con.executemany(
            "INSERT INTO themes VALUES (?, ?, ?, ?, ?, true)",
            [(t.id, t.domain, t.en, t.fr, t.ar) for t in taxonomy.THEMES],
        )

    # -- queries -------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """BEGIN/COMMIT around the block, ROLLBACK if it raises (or the process dies)."""
        self.run("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.run("ROLLBACK")
            raise
        self.run("COMMIT")

    def run(self, query: str, params: list[Any] | dict[str, Any] | None = None) -> None:
        """Execute a statement and finish it (DuckDB 2 refuses new work while a result is open)."""
        self.rows(query, params)

    def rows(
        self, query: str, params: list[Any] | dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        with self._damage_named():
            return self.con.execute(query, params or []).fetchall()

    @contextmanager
    def _damage_named(self) -> Iterator[None]:
        """A damaged block is found only when a query reads it: say so in one line,
        naming the file."""
        try:
            yield
        except duckdb.Error as exc:
            if _is_damage(exc):
                raise _open_error(self.path, exc) from None
            raise

    def scalar(self, query: str, params: list[Any] | dict[str, Any] | None = None) -> Any:
        """First column of the first row, or None."""
        result = self.rows(query, params)
        return result[0][0] if result else None

    def next_ingest_id(self) -> int:
        """A fresh ``ingests.ingest_id``: the sequence's next value, or past the largest id present
        when rows came from ``import_parquet`` (their ids were never handed out by this
        sequence)."""
        fresh = int(self.scalar("SELECT nextval('ingest_seq')"))
        top = int(self.scalar("SELECT coalesce(max(ingest_id), 0) FROM ingests"))
        if fresh <= top:  # move the sequence itself past them, so later calls need no catching up
            fresh = int(
                self.scalar("SELECT max(nextval('ingest_seq')) FROM range(?)", [top - fresh + 1])
            )
        return fresh

    def sql(
        self, query: str, params: list[Any] | dict[str, Any] | None = None
    ) -> duckdb.DuckDBPyRelation:
        return self.con.sql(query, params=params)

    def arrow(self, query: str, params: list[Any] | dict[str, Any] | None = None) -> Any:
        """Run ``query`` and return a ``pyarrow.Table``."""
        with self._damage_named():
            return self.con.sql(query, params=params).to_arrow_table()

    def columns(
        self, query: str, params: list[Any] | dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Run ``query`` and return its columns as numpy arrays, by name (no pandas imported)."""
        with self._damage_named():
            return self.con.sql(query, params=params).fetchnumpy()

    def df(self, query: str, params: list[Any] | dict[str, Any] | None = None) -> Any:
        """Run ``query`` and return a pandas DataFrame."""
        with self._damage_named():
            return self.con.sql(query, params=params).df()

    def counts(self) -> dict[str, int]:
        """Row count of every data table, the way `halqa stats` shows them."""
        out = {}
        for name in (
            "titles",
            "creators",
            "members",
            "events",
            "genres",
            "themes",
            "quarantine",
            "ingests",
        ):
            out[name] = int(self.scalar(f"SELECT count(*) FROM {name}"))
        return out

    def genre_ids(self) -> set[str]:
        return {r[0] for r in self.rows("SELECT genre_id FROM genres")}

    def theme_ids(self) -> set[str]:
        return {r[0] for r in self.rows("SELECT theme_id FROM themes")}

    def terms(self, vocabulary: str) -> list[dict[str, Any]]:
        """Every genre or theme the store knows (id, domain, labels), by domain then id."""
        _check_vocabulary(vocabulary)
        return self.df(f"SELECT * FROM {vocabulary} ORDER BY domain, 1").to_dict("records")

    def add_term(
        self,
        vocabulary: str,
        term_id: str,
        domain: str = "any",
        label_en: str = "",
        label_fr: str = "",
        label_ar: str = "",
    ) -> str:
        """Add a genre or theme the seed taxonomy lacks (the taxonomy is open); returns the id
        stored (the slug of ``term_id``). A term of one's own may be added again to change its
        labels; a built-in term is never replaced (its French and Arabic labels would go)."""
        _check_vocabulary(vocabulary)
        key = "genre_id" if vocabulary == "genres" else "theme_id"
        term = taxonomy.slug(term_id)
        if not term:
            raise UserError(f"'{term_id}' is not a usable {key}")
        if domain not in TERM_DOMAINS:
            raise UserError(f"domain '{domain}' is not one of {', '.join(TERM_DOMAINS)}")
        builtin = self.scalar(f"SELECT builtin FROM {vocabulary} WHERE {key} = ?", [term])
        if builtin:
            raise UserError(
                f"{vocabulary[:-1]} '{term}' is built in already; nothing changed "
                f"(`halqa taxonomy list {vocabulary}`)"
            )
        self.run(
            f"INSERT OR REPLACE INTO {vocabulary} ({key}, domain, label_en, "
            "label_fr, label_ar, builtin) "
            "VALUES (?, ?, ?, ?, ?, false)",
            [term, domain, label_en or term_id, label_fr, label_ar],
        )
        return term

    # -- Parquet in and out --------------------------------------------------------------------
    def export_parquet(self, directory: str | os.PathLike[str]) -> dict[str, Path]:
        """Write every table to ``directory/<table>.parquet``; returns the paths."""
        out = Path(directory)
        if out.exists() and not out.is_dir():
            raise UserError(f"{out}: is a file, not a folder; name a folder to write the tables to")
        out.mkdir(parents=True, exist_ok=True)
        written = {}
        for name in EXPORTED_TABLES:
            path = out / f"{name}.parquet"
            self.run(f"COPY {name} TO '{_sql_str(path)}' (FORMAT parquet, COMPRESSION zstd)")
            written[name] = path
        return written

    def import_parquet(self, directory: str | os.PathLike[str]) -> dict[str, int]:
        """Load tables exported by ``export_parquet``; keyed rows are upserted,
        events de-duplicated."""
        src = Path(directory)
        if not src.is_dir():
            raise UserError(f"{src}: not a directory of Parquet tables")
        loaded = {}
        with self.transaction():
            for name in EXPORTED_TABLES:
                path = src / f"{name}.parquet"
                if not path.exists():
                    continue
                before = self.scalar(f"SELECT count(*) FROM {name}")
                self.run(self._import_sql(name, path))
                loaded[name] = self.scalar(f"SELECT count(*) FROM {name}") - before
        return loaded

    def _import_sql(self, name: str, path: Path) -> str:
        source = f"read_parquet('{_sql_str(path)}')"
        if name == "events":
            key = " AND ".join(f"e.{c} = s.{c}" for c in schema.EVENTS.key)
            return (
                "INSERT INTO events SELECT s.* FROM (SELECT DISTINCT ON "
                f"({', '.join(schema.EVENTS.key)}) * "
                f"FROM {source}) s WHERE NOT EXISTS (SELECT 1 FROM events e WHERE {key})"
            )
        if name in (
            "quarantine",
            "consent_audit",
        ):  # no key: skip rows already there, a second import adds nothing
            return f"INSERT INTO {name} SELECT * FROM {source} EXCEPT ALL SELECT * FROM {name}"
        # BY NAME: an export made before a column was added still imports (the column takes its
        # default).
        return f"INSERT OR REPLACE INTO {name} BY NAME SELECT * FROM {source}"


def _check_vocabulary(vocabulary: str) -> None:
    if vocabulary not in ("genres", "themes"):
        raise UserError(f"unknown vocabulary '{vocabulary}': use genres or themes")


def _sql_str(value: object) -> str:
    return str(value).replace("'", "''")


# DuckDB's words for a file that is not a database, or a database whose bytes were damaged.
_NOT_DUCKDB = ("not a valid DuckDB database file",)
_DAMAGE = (
    "Corrupt database file",
    "Could not read enough bytes",
    "database has been invalidated",
    "Serialization Error",
    "checksum",
)


def _is_damage(exc: BaseException) -> bool:
    text = str(exc)
    return isinstance(exc, duckdb.SerializationException) or any(word in text for word in _DAMAGE)


def is_store_damage(exc: BaseException) -> bool:
    """Whether ``exc``, or an error it was raised from or during, says the store file is damaged
    (DuckDB's own errors, ``StoreDamaged``, or either's text carried back from the store
    process)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, StoreDamaged):
            return True
        # halqa's own refusals quote what the user sent, so only DuckDB's words are read for damage.
        if not isinstance(current, UserError) and _is_damage(current):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _check_store_file(path: Path) -> None:
    """Refuse an existing path that is not a DuckDB file before DuckDB opens it: DuckDB 2 opens
    an existing CSV/Parquet/JSON file given as the database as a read-only in-memory view of it,
    so `--db members.csv` would "ingest" into memory and lose everything at exit."""
    if path.is_dir():
        raise DataError(f"{path}: is a directory, not a store file; pass --db with a file name")
    if not path.is_file():
        return
    with path.open("rb") as fh:
        header = fh.read(12)
    if header[8:12] != b"DUCK":
        raise DataError(
            f"{path}: not a halqa store (the file is not a DuckDB database); "
            "pass --db with a halqa store file"
        )


def _open_error(path: str, exc: BaseException) -> UserError:
    """One line naming the store file and what is wrong with it (never a traceback)."""
    detail = _first_line(exc)
    if any(word in str(exc) for word in _NOT_DUCKDB):
        return DataError(
            f"{path}: not a halqa store (the file is not a DuckDB database); "
            "pass --db with a halqa store file"
        )
    if _is_damage(exc):
        return StoreDamaged(
            f"{path}: the store file is damaged ({detail}); restore it from a backup or from a "
            "`halqa export parquet` folder"
        )
    return UserError(f"{path}: cannot open the store ({detail})")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
