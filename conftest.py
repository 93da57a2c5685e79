"""Root pytest configuration: service fixtures shared by every test folder."""

from __future__ import annotations

import pytest

pytest_plugins = [
    "tests.fixtures.postgres",
    "tests.fixtures.mosquitto",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: Playwright's session-wide browser keeps an event
    loop running in the main thread, which pytest-asyncio tests cannot share.

    Every test under ``tests/e2e`` is a browser test whether or not its module
    remembered the marker, so the folder decides as well."""
    for item in items:
        if "e2e" in item.path.parts and item.get_closest_marker("e2e") is None:
            item.add_marker(pytest.mark.e2e)
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
