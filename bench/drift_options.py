"""The drift detector's options, shared by the drift benches."""

from __future__ import annotations

import argparse
from dataclasses import replace

from twin.analytics.anomaly.drift_trend import DriftTrendConfig
from twin.analytics.anomaly.neighbour_drift import DriftConfig

__all__ = ["add_switch_options", "add_trend_options", "trend_from", "with_switches"]


def add_trend_options(parser: argparse.ArgumentParser) -> None:
    """Add --agree-trim, --by-hour, --robust and --covariate (default: the config's)."""
    parser.add_argument("--agree-trim", type=float, default=None, help="default: the config's")
    parser.add_argument(
        "--by-hour",
        choices=("on", "off"),
        default=None,
        help="weigh each hour by its hour of the day's usual scatter (default: the config's, "
        "off; docs/anomaly.md used it with --t-min 14.5, 1.1 x its design noise maximum)",
    )
    parser.add_argument(
        "--robust",
        choices=("on", "off"),
        default=None,
        help="the slow path's line as a bisquare M-estimate (default: the config's)",
    )
    parser.add_argument(
        "--covariate",
        choices=("on", "off"),
        default=None,
        help="take the part the zone's CO2 explains out of the residual (default: the config's)",
    )


def trend_from(args: argparse.Namespace) -> DriftTrendConfig:
    """The default slow path with the options given on the command line."""
    trend = DriftTrendConfig()
    if args.covariate is not None:
        trend = replace(trend, covariate=args.covariate == "on")
    if args.robust is not None:
        trend = replace(trend, robust=args.robust == "on")
    if args.agree_trim is not None:
        trend = replace(trend, agree_trim=args.agree_trim if args.agree_trim > 0 else None)
    if args.by_hour is not None:
        trend = replace(trend, by_hour=args.by_hour == "on")
    return trend


# The drift detector's on/off switches, each with its --name and help.
_SWITCHES = (
    (
        "excursion_gaps",
        "leave a zone excursion's hours out of the drift fast path's day (default: the "
        "config's, on since issue 14's drift50 session; off: the product before it)",
    ),
    (
        "early_distrust",
        "a neighbour half-way to a drift report leaves the medians "
        "(DriftConfig.early_distrust; default: the config's, on since issue 14's drift56 "
        "session; off: the product before it)",
    ),
    (
        "excursion_scale",
        "the drift fast path's hour-to-hour scale does not learn a zone excursion's "
        "hours (DriftConfig.excursion_scale; default: the config's, on since drift56; "
        "off: the product before it)",
    ),
    (
        "agreeing_slope",
        "the drift slow path's t from the slope of the hours that agree with the line over "
        "every hour's scatter about it, not the smaller of the plain and the refit's t "
        "(DriftConfig.agreeing_slope; default: the config's, off; on: issue 14's drift57 "
        "option, kept off for its false reports on seeds 70-87)",
    ),
    (
        "agreeing_leverage",
        "the agreeing slope (implied) with its standard error from the spread in time of "
        "the hours that set it (DriftConfig.agreeing_leverage; default: the config's, on "
        "since issue 14's drift58 session; off: the product before it, unless "
        "--agreeing-slope on)",
    ),
)


def add_switch_options(parser: argparse.ArgumentParser) -> None:
    """Add --excursion-gaps, --early-distrust, --excursion-scale, --agreeing-slope
    and --agreeing-leverage (default: the config's)."""
    for name, text in _SWITCHES:
        parser.add_argument(
            "--" + name.replace("_", "-"), choices=("on", "off"), default=None, help=text
        )


def with_switches(args: argparse.Namespace, config: DriftConfig) -> DriftConfig:
    """``config`` with the switches given on the command line applied."""
    for name, _text in _SWITCHES:
        value = getattr(args, name, None)
        if value is not None:
            config = replace(config, **{name: value == "on"})
    return config
