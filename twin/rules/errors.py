"""Errors of the rules engine."""

from __future__ import annotations

__all__ = ["RuleError"]


class RuleError(Exception):
    """A rule set that cannot run on its venue (duplicate ids, unknown subjects)."""
