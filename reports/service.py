"""One call from a period to a finished document (the CLI and the REST endpoint use it)."""

from __future__ import annotations

import asyncio
import io
from typing import Literal

from ingest.store.base import Store
from reports.build import build_report
from reports.data import Scope, load_report_data
from twin.alarms import AlarmStore
from twin.analytics.conservation import ClimateClass
from twin.venue import Venue

__all__ = ["ReportFormat", "ReportUnavailable", "make_report"]

ReportFormat = Literal["pdf", "html"]


class ReportUnavailable(RuntimeError):
    """Reports cannot be drawn here: matplotlib (the ``report`` extra) is missing."""


async def make_report(
    store: Store,
    alarm_store: AlarmStore | None,
    venue: Venue,
    start: float,
    end: float,
    *,
    scope: Scope | None = None,
    lang: str = "en",
    fmt: ReportFormat = "pdf",
    target: ClimateClass = ClimateClass.A1,
) -> bytes:
    """Read the period's history, compute the figures and render them (off the event loop)."""
    data = await load_report_data(store, alarm_store, venue, start, end, scope)

    try:
        from reports.html import write_html
        from reports.render import write_pdf
    except ImportError as exc:
        raise ReportUnavailable(
            f"reports need matplotlib: pip install 'venue-twin[report]' ({exc})"
        ) from None

    def render() -> bytes:
        report = build_report(data, lang, target)
        if fmt == "html":
            return write_html(report).encode()
        buf = io.BytesIO()
        write_pdf(report, buf)
        return buf.getvalue()

    return await asyncio.to_thread(render)
