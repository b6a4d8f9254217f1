"""The catalogue: data model, taxonomy and the embedded DuckDB store."""

from halqa.catalog.schema import CONSENT_PURPOSES, ENTITY_TABLES, SCHEMA_VERSION, Column, Table
from halqa.catalog.store import Store, resolve_db_path

__all__ = [
    "CONSENT_PURPOSES",
    "ENTITY_TABLES",
    "SCHEMA_VERSION",
    "Column",
    "Store",
    "Table",
    "resolve_db_path",
]
