"""The report as PDF (matplotlib's PDF backend, one figure per page) and as HTML.

Matplotlib's object API only (``Figure``, never ``pyplot``): no global state,
so reports can be made on worker threads. CJK text uses Debian's Noto Sans CJK
(``fonts-noto-cjk``) when it is installed.
"""

from __future__ import annotations

import io
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from matplotlib import font_manager
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox

from reports.build import Report
from reports.compute import ZoneClimateFigures
from reports.labels import term
from twin.alarms.texts import format_duration, format_number, render
from twin.analytics.conservation import ASHRAE_LIMITS, CLASS_ORDER

__all__ = [
    "alarm_table",
    "climate_page",
    "crowd_page",
    "figures",
    "font_family",
    "light_page",
    "median_ack",
    "num",
    "summary_header",
    "summary_rows",
    "write_pdf",
]

A4 = (8.27, 11.69)
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei")
_CJK_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",)


def font_family(lang: str) -> list[str]:
    if lang != "zh-CN":
        return ["DejaVu Sans"]
    names = {f.name for f in font_manager.fontManager.ttflist}
    if not any(n in names for n in CJK_FONTS):
        for path in _CJK_FILES:
            if Path(path).exists():
                font_manager.fontManager.addfont(path)
        names = {f.name for f in font_manager.fontManager.ttflist}
    return [n for n in CJK_FONTS if n in names] + ["DejaVu Sans"]


def _figure(r: Report, size: tuple[float, float] = A4) -> Figure:
    # Fixed margins: a layout engine measuring every label costs a second a page.
    fig = Figure(figsize=size)
    fig.subplots_adjust(left=0.11, right=0.97, top=0.94, bottom=0.06, hspace=0.3)
    return fig


def _dates(ts: npt.NDArray[np.float64]) -> npt.NDArray[np.datetime64]:
    """Epoch seconds (n,) as datetime64 (n,) for date axes, without a Python loop."""
    return ts.astype("int64").astype("datetime64[s]")


def _tall_header(table: Any) -> None:
    """Room for two-line column headings."""
    for (row, _col), cell in table.get_celld().items():
        if row == 0:
            cell.set_height(cell.get_height() * 1.8)


def _legend(ax: Any) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper right", fontsize=7)


def num(x: float | None, digits: int = 1) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _table_page(r: Report, title: str, header: list[str], rows: list[list[str]]) -> Figure:
    fig = _figure(r)
    ax = fig.add_subplot()
    ax.axis("off")
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    if rows:
        table = ax.table(cellText=rows[:45], colLabels=header, loc="upper center", cellLoc="left")
        table.auto_set_font_size(False)
        table.set_fontsize(7)
        table.scale(1.0, 1.3)
    else:
        ax.text(0.0, 0.9, r.t("no_data"), transform=ax.transAxes)
    return fig


def summary_rows(r: Report) -> list[list[str]]:
    names = {z.id: z.name for z in r.data.venue.zones}
    return [
        [
            names.get(c.zone, c.zone),
            num(c.percent_in_class.get(r.target), 0),
            num(c.t_mean),
            num(c.rh_mean),
            num(c.t_range_24h_max),
            num(c.rh_range_24h_max),
            num(c.pi_years, 0),
            num(c.twpi_years, 0),
            num(c.mould_index_max, 2),
        ]
        for c in r.climate
    ]


def summary_header(r: Report) -> list[str]:
    keys = ["t_mean", "rh_mean", "t_range", "rh_range", "pi", "twpi", "mould"]
    return [r.t("zone"), r.t("in_target", target=r.target.value), *(r.t(k) for k in keys)]


def _title_page(r: Report) -> Figure:
    d = r.data
    fig = _figure(r)
    ax = fig.add_subplot()
    ax.axis("off")
    scope = (
        r.t("scope.artefact", artefact=d.scope.artefact)
        if d.scope.artefact
        else r.t("scope.zone", zone=d.scope.zone)
        if d.scope.zone
        else r.t("scope.venue")
    )
    lines = [
        (r.t("title"), 18, "bold"),
        (d.venue.name, 14, "normal"),
        (f"{r.t('period')}: {r.when(d.start)} to {r.when(d.end)}", 10, "normal"),
        (f"{r.t('scope')}: {scope}", 10, "normal"),
        (f"{r.t('timezone')}: {d.venue.timezone}", 10, "normal"),
    ]
    y = 0.97
    for text, size, weight in lines:
        ax.text(0.0, y, text, fontsize=size, fontweight=weight, transform=ax.transAxes, va="top")
        y -= 0.045 if size > 12 else 0.03
    heading = r.t("summary", target=r.target.value)
    ax.text(
        0.0, y - 0.02, heading, fontsize=11, fontweight="bold", transform=ax.transAxes, va="top"
    )
    rows = summary_rows(r)
    if rows:
        h = 0.035 * (len(rows) + 1)
        box = (0.0, y - 0.045 - h, 1.0, h)
        table = ax.table(cellText=rows, colLabels=summary_header(r), bbox=Bbox.from_bounds(*box))
        table.auto_set_font_size(False)
        _tall_header(table)
        table.set_fontsize(6.5)
        y -= 0.1 + 0.035 * len(rows)
    ax.text(
        0.0,
        y - 0.03,
        r.t("classes"),
        fontsize=11,
        fontweight="bold",
        transform=ax.transAxes,
        va="top",
    )
    cls_rows = [
        [c.zone, *(num(c.percent_in_class.get(k), 0) for k in CLASS_ORDER), str(c.hours_evaluated)]
        for c in r.climate
    ]
    if cls_rows:
        header = [r.t("zone"), *(k.value for k in CLASS_ORDER), r.t("hours")]
        h = 0.035 * (len(cls_rows) + 1)
        table = ax.table(
            cellText=cls_rows, colLabels=header, bbox=Bbox.from_bounds(0.0, y - 0.06 - h, 1.0, h)
        )
        table.auto_set_font_size(False)
        table.set_fontsize(7)
    return fig


def climate_page(r: Report, c: ZoneClimateFigures) -> Figure:
    fig = _figure(r)
    name = next((z.name for z in r.data.venue.zones if z.id == c.zone), c.zone)
    fig.suptitle(r.t("climate_of", zone=name), fontsize=13, fontweight="bold")
    axes = fig.subplots(3, 1, height_ratios=[1, 1, 1.3])
    times = _dates(c.ts)
    band = r.t("band", target=c.target.value)
    for ax, values, (lo, hi), key, colour in (
        (axes[0], c.t, c.t_band, "temperature", "tab:red"),
        (axes[1], c.rh, c.rh_band, "humidity", "tab:blue"),
    ):
        if values.size:
            finite = np.isfinite(lo) & np.isfinite(hi)
            if finite.any():
                ax.fill_between(
                    times,
                    lo,
                    hi,
                    where=finite,
                    color=colour,
                    alpha=0.12,
                    label=band,
                    rasterized=True,
                )
            ax.plot(times, values, color=colour, linewidth=0.7, rasterized=True)
            _legend(ax)
        ax.set_ylabel(r.t(key), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    ax = axes[2]
    if c.t.size:
        ax.scatter(c.t, c.rh, s=2, alpha=0.3, color="tab:purple", rasterized=True)
        if c.t_mean is not None and c.rh_mean is not None:
            lim = ASHRAE_LIMITS[c.target]
            if lim.t_short is not None and lim.rh_short is not None:
                ax.add_patch(
                    Rectangle(
                        (c.t_mean - lim.t_short, c.rh_mean - lim.rh_short),
                        2 * lim.t_short,
                        2 * lim.rh_short,
                        fill=False,
                        edgecolor="black",
                        linestyle="--",
                        label=band,
                    )
                )
                _legend(ax)
    ax.set_xlabel(r.t("temperature"), fontsize=8)
    ax.set_ylabel(r.t("humidity"), fontsize=8)
    ax.set_title(r.t("scatter", width=format_duration(r.data.width_s, r.lang)), fontsize=9)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    return fig


def light_page(r: Report) -> Figure:
    fig = _figure(r)
    fig.suptitle(r.t("light"), fontsize=12, fontweight="bold")
    ax, tab = fig.subplots(2, 1, height_ratios=[2, 1])
    for a in r.light:
        times = _dates(a.ts)
        line = ax.plot(times, a.cumulative_lxh, linewidth=1.2, label=a.name, rasterized=True)[0]
        if a.budget_period_lxh is not None:
            budget = format_number(round(a.budget_period_lxh))
            ax.axhline(
                a.budget_period_lxh,
                color=line.get_color(),
                linestyle="--",
                linewidth=0.8,
                label=r.t("budget", name=a.name, budget=budget),
            )
    ax.set_ylabel(r.t("exposure"), fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    if r.light:
        ax.legend(fontsize=7)
    tab.axis("off")
    rows = [
        [
            a.name,
            term(r.lang, "sensitivity", a.sensitivity),
            format_number(round(a.total_lxh)),
            "—" if a.budget_period_lxh is None else format_number(round(a.budget_period_lxh)),
            num(a.budget_used_pct, 0),
        ]
        for a in r.light
    ]
    if rows:
        header = [r.t(k) for k in ("artefact", "sensitivity", "total", "budget_col", "used")]
        table = tab.table(cellText=rows, colLabels=header, loc="upper center", cellLoc="left")
        table.auto_set_font_size(False)
        table.set_fontsize(7)
    return fig


def crowd_page(r: Report) -> Figure:
    fig = _figure(r)
    fig.suptitle(r.t("crowd"), fontsize=12, fontweight="bold")
    ax, tab = fig.subplots(2, 1, height_ratios=[2, 1])
    names = {z.id: z.name for z in r.data.venue.zones}
    for c in r.crowd:
        if c.ts.size:
            times = _dates(c.ts)
            ax.plot(
                times, c.occupancy, linewidth=0.8, label=names.get(c.zone, c.zone), rasterized=True
            )
    ax.set_ylabel(r.t("occupancy"), fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    if any(c.ts.size for c in r.crowd):  # zones with no data draw no line to name
        ax.legend(fontsize=7)
    tab.axis("off")
    rows = [
        [
            names.get(c.zone, c.zone),
            str(c.visitors),
            num(c.peak_occupancy, 0),
            "—" if c.peak_at is None else r.when(c.peak_at),
            "—" if c.worst_los is None else c.worst_los.value,
        ]
        for c in r.crowd
    ]
    if rows:
        header = [r.t(k) for k in ("zone", "visitors", "peak", "peak_at", "los")]
        table = tab.table(cellText=rows, colLabels=header, loc="upper center", cellLoc="left")
        table.auto_set_font_size(False)
        table.set_fontsize(7)
    return fig


def alarm_table(r: Report) -> tuple[list[str], list[list[str]]]:
    header = [
        r.t(k) for k in ("raised", "severity", "source", "message", "ack_after", "clear_after")
    ]
    rows = []
    for row in r.alarms:
        a = row.alarm
        text = render(a.text, r.lang, r.data.venue.timezone) if a.text else a.message
        rows.append(
            [
                r.when(a.raised_at),
                term(r.lang, "severity", a.severity.value),
                a.source,
                text if len(text) <= 60 else text[:59] + "…",
                "—"
                if row.to_acknowledge_s is None
                else format_duration(row.to_acknowledge_s, r.lang),
                "—" if row.to_clear_s is None else format_duration(row.to_clear_s, r.lang),
            ]
        )
    return header, rows


def median_ack(r: Report) -> str | None:
    acks = [x.to_acknowledge_s for x in r.alarms if x.to_acknowledge_s is not None]
    return format_duration(statistics.median(acks), r.lang) if acks else None


def _completeness_page(r: Report) -> Figure:
    fig = _figure(r, (A4[0], max(4.0, 0.18 * len(r.completeness) + 1.5)))
    ax = fig.add_subplot()
    ids = [s for s, _ in r.completeness]
    values = [v if v is not None else 0.0 for _, v in r.completeness]
    ax.barh(ids, values, color=["tab:green" if v >= 95 else "tab:orange" for v in values])
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    ax.set_xlabel(r.t("percent"), fontsize=8)
    ax.tick_params(labelsize=6)
    ax.set_title(r.t("completeness"), fontsize=12, fontweight="bold", loc="left")
    return fig


def figures(r: Report) -> Iterator[Figure]:
    """The report's pages, in order."""
    yield _title_page(r)
    for c in r.climate:
        yield climate_page(r, c)
    if r.light:
        yield light_page(r)
    if r.crowd:
        yield crowd_page(r)
    header, rows = alarm_table(r)
    title = r.t("alarms", n=len(r.alarms))
    median = median_ack(r)
    if median:
        title += " · " + r.t("median_ack", value=median)
    yield _table_page(r, title, header, rows)
    yield _completeness_page(r)


def write_pdf(r: Report, out: Path | io.BytesIO) -> int:
    """Write the PDF; returns the number of pages."""
    import matplotlib

    pages = 0
    with (
        matplotlib.rc_context({"font.family": font_family(r.lang), "pdf.fonttype": 42}),
        PdfPages(
            out, metadata={"Title": f"{r.t('title')}: {r.data.venue.name}", "Creator": "venue-twin"}
        ) as pdf,
    ):
        for fig in figures(r):
            pdf.savefig(fig, dpi=120)  # the rasterised series; text stays vector
            pages += 1
    return pages
