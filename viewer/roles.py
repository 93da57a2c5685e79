"""Roles and the authenticated principal.

Each role includes the ones before it: viewer < operator < engineer < admin.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Principal", "Role"]


class Role(enum.StrEnum):
    VIEWER = "viewer"  # read everything
    OPERATOR = "operator"  # acknowledge/shelve alarms, confirm/reject commands
    ENGINEER = "engineer"  # replay sessions, configuration
    ADMIN = "admin"  # users

    @property
    def rank(self) -> int:
        return _RANK[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


_RANK = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ENGINEER: 2, Role.ADMIN: 3}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who made a request, as proven by a token."""

    username: str
    role: Role
