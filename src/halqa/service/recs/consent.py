"""Who may receive lists: the members with personalisation consent, kept in step with upserts.

Only they are served and folded in: the model's dataset is built from the ``*_personalisation``
views, and other members' events never reach it.
"""

from __future__ import annotations

from typing import Any

from halqa.errors import NotFoundError


class ConsentTracker:
    """The consented members; not thread-safe by itself (the service holds its lock)."""

    def __init__(self, members: set[str]) -> None:
        self._members = set(members)

    def __contains__(self, member_id: object) -> bool:
        return member_id in self._members

    def require(self, member_id: str) -> None:
        if member_id not in self._members:
            raise NotFoundError(f"no member '{member_id}' with personalisation consent")

    def consented(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows (events) of consented members only."""
        return [r for r in rows if r["member_id"] in self._members]

    def apply(self, members: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Take upserted member rows (consent can be withdrawn); returns those now consented."""
        for row in members:
            if row.get("consent_personalisation"):
                self._members.add(row["member_id"])
            else:
                self._members.discard(row["member_id"])
        return [r for r in members if r.get("consent_personalisation")]
