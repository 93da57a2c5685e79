"""Refuse to run with the example secrets of ``infra/env.example``.

``env.example`` ships working-looking values ("change-me..."); a server
started with them is open to anyone who has read this repository. The compose
stack refuses them first (``infra/check-env.sh``); the app refuses them again,
so a stack started without that preflight, or by hand, fails the same way.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from venue_twin.runner import UsageError
from venue_twin.settings import Settings

__all__ = ["EXAMPLE_MARKER", "check_no_example_secrets", "example_secrets_in"]

# Every value of infra/env.example contains it (tests/unit/test_example_secrets.py).
EXAMPLE_MARKER = "change-me"


def _is_example(value: str | None) -> bool:
    return value is not None and EXAMPLE_MARKER in value.lower()


def example_secrets_in(settings: Settings) -> list[str]:
    """The settings that still hold an example value (names only, never the values)."""
    found = []
    try:
        store_password = urlsplit(settings.store_url.get_secret_value()).password
    except ValueError:  # a malformed URL fails later, with its own message
        store_password = None
    if _is_example(store_password):
        found.append("the password in store_url (VENUE_TWIN_STORE_URL)")
    mqtt = settings.mqtt
    if mqtt.password is not None and _is_example(mqtt.password.get_secret_value()):
        found.append("mqtt.password (VENUE_TWIN_MQTT__PASSWORD)")
    if _is_example(mqtt.client_id):
        found.append("mqtt.client_id (VENUE_TWIN_MQTT__CLIENT_ID)")
    secret = settings.auth.secret
    if secret is not None and _is_example(secret.get_secret_value()):
        found.append("auth.secret (VENUE_TWIN_AUTH__SECRET)")
    return found


def check_no_example_secrets(settings: Settings) -> None:
    """Raise :class:`UsageError` naming every setting that holds an example value."""
    found = example_secrets_in(settings)
    if found:
        raise UsageError(
            "refusing to start with the example values of infra/env.example in "
            + ", ".join(found)
            + ": set your own (e.g. `openssl rand -base64 24`)"
        )
