"""The halqa service: a FastAPI REST API and an offline multilingual dashboard over one store.

Example:
    >>> from halqa.service import Settings, create_app
    >>> app = create_app(Settings(db="demo.duckdb"))   # serve with uvicorn, or `halqa serve`
"""

from halqa.service.app import create_app
from halqa.service.keys import ROLES, Principal, create_key, list_keys, revoke_key
from halqa.service.server import serve, serve_dashboard
from halqa.service.settings import Settings

__all__ = [
    "ROLES",
    "Principal",
    "Settings",
    "create_app",
    "create_key",
    "list_keys",
    "revoke_key",
    "serve",
    "serve_dashboard",
]
