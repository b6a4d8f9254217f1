"""halqa: the storyteller's circle for Moroccan film, series and music.

Public entry points live in each domain subpackage (``halqa.catalog``,
``halqa.ingest``, ``halqa.demo``, ...). This module only carries the version.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
