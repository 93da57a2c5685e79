"""Conservation and operations reports: PDF and HTML for a venue, zone or artefact.

An output adapter like the viewer and notifications: it reads the store's
history and the alarm store and owns no model; the figures come from the
twin's own calculators. See docs/reports.md.
"""

from reports.build import Report, build_report
from reports.data import ReportData, ReportError, Scope, load_report_data
from reports.html import write_html
from reports.render import write_pdf
from reports.service import make_report

__all__ = [
    "Report",
    "ReportData",
    "ReportError",
    "Scope",
    "build_report",
    "load_report_data",
    "make_report",
    "write_html",
    "write_pdf",
]
