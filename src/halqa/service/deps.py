"""What routes depend on: the running service's state and the caller's key and role."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from halqa.catalog.api_keys import Principal
from halqa.service.counters import KEYS, Generations
from halqa.service.keys import KeyRing
from halqa.service.ratelimit import RateLimiter, retry_after
from halqa.service.settings import Settings

api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="An API key from `halqa keys create --role ROLE`.",
)
bearer = HTTPBearer(auto_error=False, description="The same API key as a bearer token.")


class ServiceState:
    """The backend (local or remote), the key ring and the rate limiter of one HTTP process."""

    def __init__(self, settings: Settings, backend: Any, owns_backend: bool) -> None:
        self.settings = settings
        self.studio_root = settings.studio_root().resolve()
        self.backend = backend
        self.owns_backend = owns_backend
        self.generations = self._generations(settings, backend)
        self._keys_seen = self.generations.get(KEYS)  # read before loading: see counters.py
        self.keyring = KeyRing(backend.key_entries())
        # Each HTTP process enforces its share, so N processes together give the configured rate.
        share = max(1, settings.workers)
        self.limiter = RateLimiter(
            settings.rate_limit / share, max(1, settings.rate_burst // share)
        )
        self.edge_cache = None
        if settings.versions_shm:
            from halqa.service.edge_cache import EdgeCache
            from halqa.service.versions import Versions

            self.edge_cache = EdgeCache(Versions(settings.versions_shm))
        self._last_reload = time.monotonic()
        self._reload_lock = threading.Lock()

    @staticmethod
    def _generations(settings: Settings, backend: Any) -> Generations:
        if settings.generations_shm:
            return Generations(settings.generations_shm)
        local = getattr(backend, "generations", None)  # the in-process backend's own counters
        if local is None:
            raise RuntimeError(
                "a remote backend needs HALQA_SERVICE_GENERATIONS_SHM (set by `halqa serve`)"
            )
        return local

    def verify(self, token: str) -> Principal | None:
        """The caller's principal, with revokes and role changes from any process already
        applied."""
        generation = self.generations.get(KEYS)
        if generation != self._keys_seen:
            self._reload(generation)
        principal = self.keyring.verify(token)
        if principal is None and self._may_reload():
            # A key written straight into the store by another process: reload, at most once a
            # second.
            self._reload(self.generations.get(KEYS))
            principal = self.keyring.verify(token)
        return principal

    def _reload(self, generation: int) -> None:
        with self._reload_lock:
            self.keyring.replace(self.backend.key_entries())
            self._keys_seen = generation

    def _may_reload(self) -> bool:
        with self._reload_lock:
            now = time.monotonic()
            if now - self._last_reload < 1.0:
                return False
            self._last_reload = now
            return True

    def reload_keys(self) -> None:
        self._reload(self.generations.get(KEYS))

    def close(self) -> None:
        if self.owns_backend:
            self.backend.close()


# Async (not plain def) so FastAPI does not send these to its thread pool on every request.
async def get_state(request: Request) -> ServiceState:
    return request.app.state.halqa


async def get_backend(request: Request) -> Any:
    return request.app.state.halqa.backend


Backend = Annotated[Any, Depends(get_backend)]


async def get_studio_root(request: Request) -> Path:
    """This app's studio folder (``Settings.studio_root()``), handed to every studio route: two apps
    in one process keep their own folders, and nothing is read from the process environment."""
    return request.app.state.halqa.studio_root


StudioRoot = Annotated[Path, Depends(get_studio_root)]


MISSING_KEY = (
    "missing API key: send 'X-API-Key: hq_...' or 'Authorization: Bearer hq_...' "
    "(create one with `halqa keys create --role analyst`)"
)
INVALID_KEY = "invalid or revoked API key"


def header_token(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The API key of a raw ASGI request, read as the route's security schemes read it:
    ``X-API-Key`` first, else an ``Authorization: Bearer`` token (for the layers before FastAPI)."""
    bearer_token = None
    for name, value in headers:
        if name == b"x-api-key" and value:
            return value.decode("latin-1")
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            bearer_token = value[7:].decode("latin-1").strip() or None
    return bearer_token


class Access:
    """A route's access rule: a valid key whose role is admin or one of ``roles``; every request
    it admits spends one of the key's rate-limit tokens.

    The FastAPI dependency (``__call__``) and the cached-list hot path both ask this object, so
    the key check, the role table and the limiter are one thing however a request is answered.
    """

    def __init__(self, *roles: str) -> None:
        self.roles = frozenset(roles) | {"admin"}

    def admits(self, state: ServiceState, token: str | None) -> Principal | None:
        """The caller when the key is valid and its role may use the route, else None."""
        principal = state.verify(token) if token else None
        return principal if principal is not None and principal.role in self.roles else None

    async def __call__(
        self,
        request: Request,
        api_key: Annotated[str | None, Security(api_key_header)] = None,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)] = None,
    ) -> Principal:
        token = api_key or (credentials.credentials if credentials else None)
        if not token:
            raise HTTPException(401, MISSING_KEY, headers={"WWW-Authenticate": "Bearer"})
        state: ServiceState = request.app.state.halqa
        principal = state.verify(token)
        if principal is None:
            raise HTTPException(401, INVALID_KEY, headers={"WWW-Authenticate": "Bearer"})
        wait = state.limiter.take(principal.key_id)
        if wait:
            raise HTTPException(
                429,
                f"rate limit of {state.settings.rate_limit:g} requests/s for key "
                f"{principal.key_id} exceeded; retry in {wait:.2f}s",
                headers={"Retry-After": retry_after(wait)},
            )
        if principal.role not in self.roles:
            raise HTTPException(
                403,
                f"role '{principal.role}' may not use {request.url.path}: "
                f"it needs one of {', '.join(sorted(self.roles))}",
            )
        return principal


def require(*roles: str) -> Access:
    """A dependency that admits admin and the listed roles, and spends one rate-limit token."""
    return Access(*roles)


Admin = Annotated[Principal, Depends(require())]
Analyst = Annotated[Principal, Depends(require("analyst"))]
SERVICE_ROLES = ("analyst", "service")  # who may read member lists and post events (with admin)
Service = Annotated[Principal, Depends(require(*SERVICE_ROLES))]
Insights = Annotated[Principal, Depends(require("analyst", "creator"))]
Anyone = Annotated[Principal, Depends(require("analyst", "creator", "service"))]
