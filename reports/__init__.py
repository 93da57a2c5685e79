"""Conservation and operations reports: PDF and HTML for a venue, zone or artefact.

An output adapter like the viewer and notifications: it reads the store's
history and the alarm store and owns no model; the figures come from the
twin's own calculators. See docs/reports.md. Drawing needs matplotlib (the
``report`` extra), imported only when a report is rendered
(``reports.render``, ``reports.html``), so the viewer starts without it.
"""

from reports.data import ReportData, ReportError, Scope, load_report_data
from reports.service import ReportUnavailable, make_report

__all__ = [
    "ReportData",
    "ReportError",
    "ReportUnavailable",
    "Scope",
    "load_report_data",
    "make_report",
]
