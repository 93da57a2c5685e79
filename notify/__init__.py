"""Alarm notifications: email, signed webhooks and chat services (docs/notifications.md).

An output adapter beside the viewer: it consumes the alarm manager's events,
routes them by venue, zone, severity and kind, and delivers them with retries,
backoff and dead letters, recording each delivery in the alarm's history.
"""

from typing import TYPE_CHECKING, Any

from notify.config import NotifyConfig, NotifyConfigError

# The settings model imports notify.config at every start; the service (and
# httpx with it, about 0.1 s) loads only when notifications are configured.
if TYPE_CHECKING:
    from notify.service import Notifier

__all__ = ["Notifier", "NotifyConfig", "NotifyConfigError"]


def __getattr__(name: str) -> Any:
    if name == "Notifier":
        from notify.service import Notifier

        return Notifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
