"""Exporting an audience for a campaign: marketing consent only, optional salted hashes, a random
holdout.

The campaign and who was exposed or held back are recorded in the store
(``audience_campaigns``, ``audience_exports``) so ``halqa audience lift`` can measure it
later. The exported file holds the exposed group only; with a salt it holds
``sha256(salt:member_id)`` instead of member ids, and the salt itself is never
stored (only a short fingerprint, to check the same salt is reused).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from halqa.catalog import schema
from halqa.catalog.csvsafe import unescape_cell, write_csv
from halqa.errors import ConfigError, DataError, NotFoundError, UserError

if TYPE_CHECKING:  # DuckDB is imported by whoever opens the store
    from halqa.catalog import Store

_NAME = re.compile(r"^[\w][\w.\-]{0,79}$")


def ensure_tables(store: Store) -> None:
    """The campaign tables come with schema version 2; a store opened by Store.open has them.

    Kept for stores handed over as a bare connection wrapper in tests; the DDL is the schema's.
    """
    for statement in (schema.AUDIENCE_CAMPAIGNS_SQL, schema.AUDIENCE_EXPORTS_SQL):
        store.run(statement)


def salted_hash(member_id: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{member_id}".encode()).hexdigest()


@dataclass
class ExportResult:
    campaign: str
    exposed: pd.DataFrame  # what leaves halqa: exported_id (+ score)
    n_exposed: int
    n_holdout: int
    dropped_no_consent: int
    unknown: int
    hashed: bool
    title_id: str | None = None

    def to_dict(self) -> dict:
        return {
            "campaign": self.campaign,
            "title_id": self.title_id,
            "exposed": self.n_exposed,
            "holdout": self.n_holdout,
            "dropped_no_consent": self.dropped_no_consent,
            "unknown_members": self.unknown,
            "hashed": self.hashed,
        }


def read_member_list(path: str | Path) -> pd.DataFrame:
    """A CSV or Parquet file with a ``member_id`` column (an optional ``score`` is kept)."""
    p = Path(path)
    if not p.exists():
        raise UserError(f"{p}: no such file")
    try:
        frame = (
            pd.read_parquet(p)
            if p.suffix.lower() == ".parquet"
            else pd.read_csv(p, dtype={"member_id": str})
        )
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise DataError(
            f"{p}: cannot read it as {'Parquet' if p.suffix == '.parquet' else 'CSV'} ({exc})"
        ) from None
    if "member_id" not in frame.columns:
        raise DataError(
            f"{p}: no member_id column (columns: {', '.join(map(str, frame.columns)) or 'none'})"
        )
    frame = frame.dropna(subset=["member_id"])
    # halqa's own CSVs defuse ids that look like formulas ('=...): read those back as the ids they
    # are
    frame["member_id"] = frame["member_id"].astype(str).str.strip().map(unescape_cell)
    return frame[frame["member_id"] != ""].drop_duplicates("member_id")


def title_of(members: pd.DataFrame) -> str | None:
    """The title an audience file was made for (``halqa audience target --out`` writes a
    ``title_id`` column)."""
    if "title_id" not in members.columns:
        return None
    ids = members["title_id"].dropna().astype(str).str.strip()
    ids = set(ids[ids != ""])
    if len(ids) > 1:
        raise DataError(
            f"the audience file names {len(ids)} titles in its title_id column "
            f"({', '.join(sorted(ids)[:3])}…): a campaign promotes one; pass --title-id"
        )
    return ids.pop() if ids else None


def export_audience(
    store: Store,
    members: pd.DataFrame,
    campaign: str,
    *,
    holdout: float = 0.1,
    hash_salt: str | None = None,
    seed: int = 0,
    title_id: str | None = None,
    source: str = "file",
) -> ExportResult:
    """Record ``campaign`` and return the exposed group, keeping only marketing-consented members.

    The promoted title is ``title_id``, else the one the audience file names (see ``title_of``)."""
    if not _NAME.match(campaign or ""):
        raise ConfigError(
            f"campaign name '{campaign}' must be 1-80 letters, digits, '.', '-' or '_'"
        )
    if not 0 <= holdout < 1:
        raise ConfigError(f"--holdout is a share between 0 and 1, e.g. 0.1 (got {holdout})")
    if hash_salt is not None and len(hash_salt) < 8:
        raise ConfigError(
            "--hash-salt must be at least 8 characters (a short salt is easy to brute-force)"
        )
    title_id = title_id or title_of(members)
    ensure_tables(store)
    if store.scalar("SELECT count(*) FROM audience_campaigns WHERE campaign = ?", [campaign]):
        raise UserError(f"campaign '{campaign}' already exists; choose another name")
    wanted = members.drop_duplicates("member_id")
    if wanted.empty:
        raise DataError("the audience is empty: nothing to export")
    # Consent is read through the members_marketing view, the one gate every export goes through.
    ids = [wanted["member_id"].tolist()]
    consenting = {
        r[0]
        for r in store.rows(
            "SELECT member_id FROM members_marketing "
            "WHERE member_id IN (SELECT unnest(?::VARCHAR[]))",
            ids,
        )
    }
    known = {
        r[0]: r[0] in consenting
        for r in store.rows(
            "SELECT member_id FROM members WHERE member_id IN (SELECT unnest(?::VARCHAR[]))", ids
        )
    }
    consented = wanted[wanted["member_id"].map(lambda m: known.get(m, False))].reset_index(
        drop=True
    )
    dropped = sum(1 for m in wanted["member_id"] if m in known and not known[m])
    unknown = sum(1 for m in wanted["member_id"] if m not in known)
    if consented.empty:
        raise DataError("no member of the audience has marketing consent: nothing to export")
    rng = np.random.default_rng(seed)
    is_holdout = rng.random(len(consented)) < holdout
    group = np.where(is_holdout, "holdout", "exposed")
    exported = [salted_hash(m, hash_salt) if hash_salt else m for m in consented["member_id"]]
    # A target list carries `score`, a lookalike list `similarity`: either ranks the member.
    rank = "score" if "score" in consented else "similarity" if "similarity" in consented else None
    score = (
        consented[rank].astype(float) if rank else pd.Series([None] * len(consented), dtype=float)
    )
    rows = pd.DataFrame(
        {
            "campaign": campaign,
            "member_id": consented["member_id"],
            "grp": group,
            "exported_id": exported,
            "score": score,
        }
    )
    fingerprint = hashlib.sha256(hash_salt.encode()).hexdigest()[:12] if hash_salt else None
    with store.transaction():
        store.run(
            "INSERT INTO audience_campaigns "
            "VALUES (?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                campaign,
                title_id,
                source,
                holdout,
                seed,
                hash_salt is not None,
                fingerprint,
                int((~is_holdout).sum()),
                int(is_holdout.sum()),
                dropped,
            ],
        )
        store.con.register("_audience_rows", rows)
        try:
            store.run("INSERT INTO audience_exports SELECT * FROM _audience_rows")
        finally:
            store.con.unregister("_audience_rows")
    out_col = "member_hash" if hash_salt else "member_id"
    exposed = pd.DataFrame(
        {out_col: np.array(exported)[~is_holdout], "score": score.to_numpy()[~is_holdout]}
    )
    return ExportResult(
        campaign,
        exposed,
        int((~is_holdout).sum()),
        int(is_holdout.sum()),
        dropped,
        unknown,
        hash_salt is not None,
        title_id,
    )


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write CSV (spreadsheet-safe, see ``halqa.catalog.csvsafe``) or Parquet by extension
    (UTF-8, so Arabic and Tifinagh stay byte-exact)."""
    p = Path(path)
    if p.suffix.lower() not in (".csv", ".parquet"):
        raise ConfigError(f"{p}: --out must end in .csv or .parquet")
    p.parent.mkdir(parents=True, exist_ok=True)
    if p.suffix.lower() == ".parquet":
        frame.to_parquet(p, index=False)
    else:
        write_csv(frame, p)  # spreadsheet-safe: names like =HYPERLINK(...) are not run as formulas
    return p


def campaign(store: Store, name: str) -> dict:
    ensure_tables(store)
    rows = store.df("SELECT * FROM audience_campaigns WHERE campaign = ?", [name])
    if rows.empty:
        known = [
            r[0] for r in store.rows("SELECT campaign FROM audience_campaigns ORDER BY campaign")
        ]
        from halqa.catalog.taxonomy import suggest

        raise NotFoundError(
            f"no campaign '{name}'{suggest(name, known)}"
            + (f" (known: {', '.join(known[:10])})" if known else " (none exported yet)")
        )
    return rows.iloc[0].to_dict()
