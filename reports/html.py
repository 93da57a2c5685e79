"""The report as one self-contained HTML page: the same figures as PNG, tables as tables."""

from __future__ import annotations

import base64
import html
import io

import matplotlib
from matplotlib.figure import Figure

from reports.build import Report
from reports.render import (
    alarm_table,
    climate_page,
    crowd_page,
    font_family,
    light_page,
    median_ack,
    num,
    summary_header,
    summary_rows,
)

__all__ = ["write_html"]


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    return base64.b64encode(buf.getvalue()).decode()


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_html(r: Report) -> str:
    """A self-contained HTML page: the same figures as PNG, the tables as tables."""
    d = r.data
    parts = [
        f'<!doctype html><html lang="{r.lang}"><head><meta charset="utf-8">',
        f"<title>{html.escape(r.t('title'))}: {html.escape(d.venue.name)}</title>",
        "<style>body{font-family:'Noto Sans CJK SC','DejaVu Sans',sans-serif;max-width:60em;"
        "margin:2em auto}table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid"
        " #ccc;padding:.2em .5em;text-align:left}img{max-width:100%}</style></head><body>",
        f"<h1>{html.escape(r.t('title'))}</h1><h2>{html.escape(d.venue.name)}</h2>",
        f"<p>{html.escape(r.t('period'))}: {r.when(d.start)} to {r.when(d.end)}"
        f" ({html.escape(d.venue.timezone)})</p>",
        f"<h3>{html.escape(r.t('summary', target=r.target.value))}</h3>",
        _html_table(summary_header(r), summary_rows(r)),
    ]
    with matplotlib.rc_context({"font.family": font_family(r.lang)}):
        for c in r.climate:
            png = _png(climate_page(r, c))
            parts.append(f'<img alt="{html.escape(c.zone)}" src="data:image/png;base64,{png}">')
        if r.light:
            parts.append(f'<img alt="light" src="data:image/png;base64,{_png(light_page(r))}">')
        if r.crowd:
            parts.append(f'<img alt="crowd" src="data:image/png;base64,{_png(crowd_page(r))}">')
        header, rows = alarm_table(r)
        parts.append(f"<h3>{html.escape(r.t('alarms', n=len(r.alarms)))}</h3>")
        median = median_ack(r)
        if median:
            parts.append(f"<p>{html.escape(r.t('median_ack', value=median))}</p>")
        parts.append(_html_table(header, rows))
        parts.append(f"<h3>{html.escape(r.t('completeness'))}</h3>")
        parts.append(
            _html_table(
                [r.t("sensor"), r.t("percent")],
                [[s, num(v, 1)] for s, v in r.completeness],
            )
        )
    parts.append("</body></html>")
    return "".join(parts)
