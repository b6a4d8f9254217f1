"""The file by which a running `halqa serve` tells CLI commands how to reach it.

Kept here (not in ``halqa.service``) so that every CLI command can look for it without importing
the web stack; ``halqa.service.control`` explains the protocol.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

SUFFIX = ".serve.json"


def control_file(db: str | os.PathLike[str]) -> Path:
    path = Path(db)
    return path.with_name(path.name + SUFFIX)


def publish(db: str | os.PathLike[str], address: str, authkey: bytes, url: str = "") -> Path:
    """Tell CLI commands where this server's store process listens (owner-only file)."""
    path = control_file(db)
    # Written under a fresh name with mode 0600 and renamed over, so the secret is never readable
    # by others, even when an older file with looser permissions is there.
    fresh = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(
            {"pid": os.getpid(), "address": address, "authkey": authkey.hex(), "url": url}, out
        )
    os.replace(fresh, path)
    return path


def withdraw(db: str | os.PathLike[str]) -> None:
    """Remove this server's control file (not one a later server wrote)."""
    path = control_file(db)
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass
