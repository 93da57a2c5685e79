"""bench/nab_select.py: a fold's tuning is chosen without its own category."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bench.nab_grids import AVERAGED_GRID, GRID, GRIDS
from bench.nab_select import VariantResult, choose_held_out, main
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning
from twin.analytics.nab import PROFILES, CorpusScore, ProfileScore


def _corpus(normalised: float) -> CorpusScore:
    # raw between null 0 and perfect 100 is the normalised score itself.
    return CorpusScore(
        profiles={p: ProfileScore(p, 0.5, normalised, 0.0, 100.0, ()) for p in PROFILES}
    )


def _variant(tuning: ScoreTuning, on_others: dict[str, float], own: float) -> VariantResult:
    return VariantResult(
        tuning=tuning,
        whole=_corpus(own),
        others_standard=on_others,
        folds={c: _corpus(own) for c in on_others},
        false_rows={},
    )


def test_the_fold_takes_the_variant_best_on_the_others_not_on_itself() -> None:
    fits_a = _variant(ScoreTuning(record_decay=0.9998), {"a": 60.0, "b": 70.0}, own=90.0)
    fits_b = _variant(ScoreTuning(record_decay=0.999), {"a": 65.0, "b": 50.0}, own=10.0)
    # Left out, "a" must get the variant the other category liked, even
    # though the other variant scores "a" itself far better.
    assert choose_held_out([fits_a, fits_b], "a") is fits_b
    assert choose_held_out([fits_a, fits_b], "b") is fits_a


def test_the_grid_varies_every_constant_of_the_tuning_and_holds_the_product() -> None:
    assert DEFAULT_TUNING in GRID
    for field in ScoreTuning.__dataclass_fields__:
        values = {getattr(t, field) for t in GRID}
        assert len(values) >= 2, f"{field} is not varied by the held-out grid"


def test_the_averaged_decay_is_one_more_value_of_the_decay_axis_it_must_beat() -> None:
    base = {t for t in GRIDS["per_reading"] if not t.spike_margin}
    decays = {t.record_decay for t in base}
    assert len(AVERAGED_GRID) == len(base) // len(decays)
    for t in AVERAGED_GRID:
        assert set(t.record_decays) == decays  # every decay of the axis, averaged
        for d in decays:
            assert replace(t, record_decays=(), record_decay=d) in base


def test_an_unknown_grid_name_is_refused() -> None:
    with pytest.raises(SystemExit):
        main(["--grids", "per_reading,nope"])
