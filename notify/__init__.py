"""Alarm notifications: email, signed webhooks and chat services (docs/notifications.md).

An output adapter beside the viewer: it consumes the alarm manager's events,
routes them by venue, zone, severity and kind, and delivers them with retries,
backoff and dead letters, recording each delivery in the alarm's history.
"""

from notify.config import NotifyConfig, NotifyConfigError
from notify.service import Notifier

__all__ = ["Notifier", "NotifyConfig", "NotifyConfigError"]
