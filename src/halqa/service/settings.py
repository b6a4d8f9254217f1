"""Service settings, read from arguments or ``HALQA_SERVICE_*`` environment variables.

The environment is how uvicorn worker processes (spawned, not forked) receive
the settings of the ``halqa serve`` command that started them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from halqa.catalog import resolve_db_path


class Settings(BaseSettings):
    """Everything the app factory needs; every field has a safe default."""

    model_config = SettingsConfigDict(env_prefix="HALQA_SERVICE_", extra="forbid")

    db: Path = Field(
        default_factory=resolve_db_path,
        validation_alias=AliasChoices("HALQA_SERVICE_DB", "HALQA_DB", "db"),
    )
    # CORS is closed unless origins are listed (e.g. HALQA_SERVICE_CORS_ORIGINS='["https://app.example"]').
    cors_origins: list[str] = Field(default_factory=list)
    # Token bucket per API key: sustained requests per second and burst size (per process).
    rate_limit: float = Field(default=200.0, gt=0)
    rate_burst: int = Field(default=400, gt=0)
    workers: int = Field(default=1, ge=1, le=64)
    # Set by `halqa serve --workers N>1`: where the store process listens, and its secret.
    backend_address: str | None = None
    backend_authkey: str | None = None
    versions_shm: str | None = None  # shared version counters for per-worker list caches
    generations_shm: str | None = (
        None  # shared key/consent generation counters (halqa.service.counters)
    )
    control_dir: str | None = (
        None  # where `halqa serve` lets the CLI reach it (halqa.service.control)
    )
    # Request bodies over this size are refused with 413 before they are read
    # (HALQA_SERVICE_MAX_BODY_BYTES).
    max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    # How long an idle kept-alive connection stays open (uvicorn's timeout_keep_alive).
    keep_alive_s: int = Field(default=5, ge=1, le=3600)
    # /health re-reads the whole store (checksums) at most this often; in between it repeats the
    # last answer.
    health_check_s: float = Field(default=30.0, ge=0)
    # Roles that may set a member's consent to true (withdrawing is open to every role that may
    # write members).
    consent_grant_roles: list[str] = Field(default_factory=lambda: ["admin"])
    # Event writer: the most events committed in one transaction, and how long it
    # waits for more to arrive once a first one is queued (group commit).
    writer_batch_max: int = Field(default=20_000, gt=0)
    writer_linger_ms: float = Field(default=2.0, ge=0)
    recommend: bool = True
    recommender_path: str | None = Field(
        default=None, description="model saved by `halqa train` (None: <db>.models/recommender.pkl)"
    )
    min_group: int = Field(
        default=10, ge=1, description="k: aggregates over fewer members are suppressed"
    )
    # When the store changed since the audience targeter was fitted, it is refitted in the
    # background at most this often (seconds); answers come from the loaded one meanwhile.
    targeter_refresh_s: float = Field(default=60.0, ge=0)
    dashboard: bool = True
    # The studio folder (music and visual-effects jobs, uploads, proposals). None:
    # $HALQA_STUDIO_DIR, else `<db>.studio` beside the store, never the working directory (see
    # studio_root).
    studio_dir: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("HALQA_SERVICE_STUDIO_DIR", "HALQA_STUDIO_DIR", "studio_dir"),
    )

    def studio_root(self) -> Path:
        """Where the studio routes read and write: the setting,
        else ``<db>.studio`` beside the store."""
        return (
            self.studio_dir
            if self.studio_dir is not None
            else self.db.with_name(self.db.name + ".studio")
        )

    def to_env(self) -> dict[str, str]:
        """The environment variables that rebuild these settings in another process."""
        env = {}
        for name, value in self.model_dump(mode="json").items():
            if value is None:
                continue
            env[f"HALQA_SERVICE_{name.upper()}"] = value if isinstance(value, str) else _json(value)
        return env


def _json(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)
