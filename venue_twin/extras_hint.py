"""The message a user sees when an optional extra cannot be imported."""

from __future__ import annotations

import importlib.metadata


def extra_import_error(what: str, extra: str, distribution: str, exc: ImportError) -> str:
    """Say whether to install the extra or the system libraries it loads."""
    try:
        importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return f"{what} needs the '{extra}' extra: pip install 'venue-twin[{extra}]' ({exc})"
    return (
        f"{what}: {distribution} is installed but cannot load ({exc}); install the "
        "system libraries it needs (on Debian: bash scripts/setup, or apt-get install "
        "libusb-1.0-0 libgl1 libegl1 libx11-6 libudev1 libsqlite3-0)"
    )
