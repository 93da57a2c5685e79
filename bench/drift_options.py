"""The drift detector's options, shared by the drift benches."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from twin.analytics.anomaly.drift_trend import SLOW_LINES, DriftTrendConfig
from twin.analytics.anomaly.neighbour_drift import DriftConfig

__all__ = [
    "add_run_options",
    "add_switch_options",
    "add_trend_options",
    "hold_rule",
    "trend_from",
    "with_switches",
]


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """Add the simulated runs' --seeds, --warmup-days, --rh-drift and --cache."""
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--warmup-days", type=float, default=3.0)
    parser.add_argument("--rh-drift", type=float, default=1.0, help="%%RH per week (0: none)")
    parser.add_argument("--cache", type=Path, default=None)


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
        "like_environment",
        "judge a sensor short of zone mates against the venue's sensors of its kind in "
        "zones of its own environment only, outdoor or enclosed (DriftConfig.like_environment; "
        "default: the config's, off; issue 14's drift64 session)",
    ),
    (
        "own_history_stand_in",
        "in the live path, a sensor's own-history drift detector reports until its "
        "neighbours judge it (DriftConfig.own_history_stand_in; default: the config's, off "
        "since issue 14's twenty-second round: its drift is not judged for those first two "
        "days; on: the product before it)",
    ),
)

# The drift detector's settings with named values: --name, its choices and help.
_CHOICES = (
    (
        "slow_line",
        SLOW_LINES,
        "how the drift slow path's line takes its t (DriftConfig.slow_line; default: the "
        "config's, agreeing_kept since issue 14's drift58 session, once --agreeing-leverage "
        "on; plain: the product before drift57, the smaller of the plain and the refit's t; "
        "agreeing: drift57's option, once --agreeing-slope on, kept off for its false "
        "reports on seeds 70-87; agreeing_kept_or_whole: issue 14's drift59 option, "
        "agreeing_kept or the plain line and agreeing's t together, the larger)",
    ),
)


def hold_rule(text: str) -> tuple[int, float]:
    """``"4:8"`` as ``(hold_h, hold_t_min)``; an ``argparse`` type, so a
    malformed one is a usage error."""
    hours, sep, bar = text.partition(":")
    try:
        rule = (int(hours), float(bar))
        DriftTrendConfig(hold_h=rule[0], hold_t_min=rule[1])  # its own checks
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected HOURS:BAR, got {text!r} ({exc})") from None
    if not sep:
        raise argparse.ArgumentTypeError(f"expected HOURS:BAR, got {text!r}")
    return rule


def add_switch_options(parser: argparse.ArgumentParser) -> None:
    """Add --excursion-gaps, --early-distrust, --excursion-scale, --slow-line
    and --hold (default: the config's)."""
    for name, text in _SWITCHES:
        parser.add_argument(
            "--" + name.replace("_", "-"), choices=("on", "off"), default=None, help=text
        )
    for name, choices, text in _CHOICES:
        parser.add_argument("--" + name.replace("_", "-"), choices=choices, default=None, help=text)
    parser.add_argument(
        "--hold",
        type=hold_rule,
        default=None,
        metavar="HOURS:BAR",
        help="also report a slow-path line that has held |t| >= BAR for HOURS judged hours "
        "in a row (DriftTrendConfig.hold_h, hold_t_min; default: the config's, 4:8 since "
        "issue 14's drift63 session; 1:12: t_min alone, the product before it)",
    )


def with_switches(args: argparse.Namespace, config: DriftConfig) -> DriftConfig:
    """``config`` with the switches given on the command line applied."""
    for name, _text in _SWITCHES:
        value = getattr(args, name, None)
        if value is not None:
            config = replace(config, **{name: value == "on"})
    for name, _choices, _text in _CHOICES:
        value = getattr(args, name, None)
        if value is not None:
            config = replace(config, **{name: value})
    hold = getattr(args, "hold", None)
    if hold is not None:
        config = replace(config, trend=replace(config.trend, hold_h=hold[0], hold_t_min=hold[1]))
    return config
