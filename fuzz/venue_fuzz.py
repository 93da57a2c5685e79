"""Fuzz the venue file loader: any text gives a ``Venue`` or a ``VenueFileError``
naming the file, and a venue that loads has resolvable references.

    python -m fuzz.venue_fuzz --iterations 20000 -max_len=8192

Seeded with the sample venues, so mutations start from realistic YAML.
"""

from __future__ import annotations

from importlib import resources

import atheris  # type: ignore[import-untyped]

with atheris.instrument_imports(include=["twin", "yaml"]):
    import yaml

    from twin.loader import VenueFileError, parse_venue

from fuzz.checks import has_non_finite_number
from fuzz.runner import run

__all__ = ["main", "test_one_input"]

SOURCE = "fuzzed.yaml"


def test_one_input(data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return  # load_venue decodes files strictly (tests/unit/test_fuzz_venue.py pins how)
    try:
        venue = parse_venue(text, source=SOURCE)
    except VenueFileError as err:
        message = str(err)
        venue = None
    if venue is None:
        assert message.startswith(SOURCE), message
        return
    dumped = venue.model_dump(mode="json")
    assert not has_non_finite_number(venue.model_dump(mode="python")), "inf/nan accepted"
    zones = {z.id for z in venue.zones}
    assert len(zones) == len(venue.zones)
    assert all(s.zone in zones for s in venue.sensors)
    assert all(a.zone in zones for a in venue.artefacts)
    assert parse_venue(yaml.safe_dump(dumped), source=SOURCE) == venue


def _seeds() -> list[bytes]:
    samples = resources.files("twin") / "samples"
    return [f.read_bytes() for f in samples.iterdir() if f.name.endswith(".yaml")]


def main() -> None:
    run("venue_fuzz", test_one_input, _seeds)


if __name__ == "__main__":
    main()
