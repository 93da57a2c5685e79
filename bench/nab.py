"""NAB benchmark of our combined detector on the realKnownCause corpus.

Usage: python bench/nab.py [DATA_DIR] [--without PART]...
(DATA_DIR defaults to ../shared/data/nab from the repo root)

Scores every file in one streaming pass (no look-ahead: each score uses only
earlier readings) with one default configuration for all files, then scores
the results with our NAB implementation under the three profiles and prints
per-file and overall normalised scores and the detector's throughput.
``--without seasonal|novelty|suppression`` switches a part of the combined
score off to show what it adds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

from twin.analytics.anomaly import DetectorConfig, score_series  # noqa: E402
from twin.analytics.nab import PROFILES, LabeledSeries, evaluate_corpus, load_corpus  # noqa: E402

__all__ = ["main"]

PUBLISHED_BEST = 70.5  # NAB scoreboard, standard profile, full 58-file corpus

# Parts of the combined score that can be switched off, as DetectorConfig fields.
_ABLATIONS: dict[str, dict[str, object]] = {
    "seasonal": {"seasonal": False},
    "novelty": {"range_tolerance": None},
    "suppression": {"event_decay": None},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "data_dir", nargs="?", type=Path, default=REPO.parent / "shared" / "data" / "nab"
    )
    parser.add_argument("--category", default="realKnownCause")
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        choices=sorted(_ABLATIONS),
        help="turn a part of the combined score off, to measure what it adds (repeatable)",
    )
    args = parser.parse_args(argv)
    off = {field: value for name in args.without for field, value in _ABLATIONS[name].items()}
    config = DetectorConfig(**off)  # type: ignore[arg-type]

    corpus = load_corpus(args.data_dir, args.category)
    results: list[tuple[LabeledSeries, NDArray[np.float64]]] = []
    readings = 0
    started = time.perf_counter()
    for series, values in corpus:
        results.append((series, score_series(series.timestamps, values, config)))
        readings += len(values)
    elapsed = time.perf_counter() - started

    scored = evaluate_corpus(results)
    names = [series.name.split("/")[-1] for series, _ in corpus]
    width = max(len(n) for n in names)
    if args.without:
        print(f"without: {', '.join(args.without)}")
    print(
        f"NAB scores, {args.category} only ({len(corpus)} files, "
        f"{sum(len(s.windows) for s, _ in corpus)} windows)"
    )
    header = f"{'file':<{width}}  " + "  ".join(f"{p:>20}" for p in PROFILES)
    print(header)
    for i, name in enumerate(names):
        cells = []
        for profile in PROFILES:
            f = scored.profiles[profile].files[i]
            cells.append(f"{f.normalised:7.1f} tp{f.tp:>5} fp{f.fp:>5}")
        print(f"{name:<{width}}  " + "  ".join(f"{c:>20}" for c in cells))
    print("-" * len(header))
    for profile in PROFILES:
        p = scored.profiles[profile]
        print(
            f"overall {profile:<20} {p.normalised:6.1f}   (raw {p.raw:.2f}, null {p.null_raw:.2f}, "
            f"perfect {p.perfect:.2f}, threshold {p.threshold:.4f})"
        )
    print(
        f"note: NAB's best published detector scores {PUBLISHED_BEST} (standard) on the full "
        f"58-file corpus; this is the {args.category} subset only, so the figures are not "
        "directly comparable."
    )
    print(
        f"throughput: {readings} readings in {elapsed:.2f} s = "
        f"{readings / elapsed:,.0f} readings/s on one core"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
