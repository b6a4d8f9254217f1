"""Ingestion: validated, lossless, idempotent, streaming loads into a halqa store.

``ingest_files`` reads CSV/TSV, Parquet and JSON Lines (optionally gzipped),
validates every row in DuckDB SQL, stores the good rows, quarantines the bad
ones with their line and reason, and never stores an event twice.
``import_movielens`` maps the MovieLens 100K layout onto the same path.
"""

from halqa.ingest.api import TARGETS, ingest_files, ingest_sources
from halqa.ingest.movielens import import_movielens
from halqa.ingest.report import FileReport, IngestReport
from halqa.ingest.sources import FORMATS, detect_format

__all__ = [
    "FORMATS",
    "TARGETS",
    "FileReport",
    "IngestReport",
    "detect_format",
    "import_movielens",
    "ingest_files",
    "ingest_sources",
]
