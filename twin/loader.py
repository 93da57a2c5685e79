"""Load venue files, with errors that point at the line and field that is wrong."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from twin.venue import Venue

__all__ = ["VenueFileError", "load_sample", "load_venue", "sample_names"]


class VenueFileError(ValueError):
    """A venue file that cannot be used; the message names file, line and field."""


class _LineLoader(yaml.SafeLoader):
    """Records the source line of every mapping key, for error messages."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    lines = {loader.construct_object(k, deep=True): k.start_mark.line + 1 for k, _ in node.value}
    mapping["__lines__"] = lines
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _line_of(doc: Any, loc: tuple[int | str, ...]) -> int | None:
    """The deepest known source line along a pydantic error location."""
    line: int | None = None
    node = doc
    for key in loc:
        if isinstance(node, dict):
            line = node.get("__lines__", {}).get(key, node.get("__line__", line))
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
            if isinstance(node, dict):
                line = node.get("__line__", line)
        else:
            break
    return line


def parse_venue(text: str, source: str = "<string>", base: Path | None = None) -> Venue:
    """Validate a venue file's text.

    The C YAML parser does the common, valid case quickly; only when
    validation fails is the text parsed again with line tracking, so the error
    can name the line.
    """
    fast_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        doc = yaml.load(text, Loader=fast_loader)
    except Exception as exc:
        # PyYAML's constructors raise plain ValueError, TypeError or
        # AttributeError (impossible dates, an empty !!int or !!timestamp) and
        # recursive aliases recurse: whatever the parser raises, the file is bad.
        raise VenueFileError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise VenueFileError(f"{source}: a venue file is a mapping at the top level")
    try:
        return Venue.model_validate({**doc, "source": base})
    except ValidationError as exc:
        try:
            lined = yaml.load(text, Loader=_LineLoader)
        except Exception:
            lined = None  # the pure parser is stricter (tabs): report without lines
        msgs = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            line = _line_of(lined, loc)
            where = f"{source}:{line}" if line else source
            field = ".".join(str(p) for p in loc) or "(venue)"
            msgs.append(f"{where}: {field}: {err['msg']}")
        raise VenueFileError("\n".join(msgs)) from exc


def load_venue(path: str | Path) -> Venue:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise VenueFileError(f"{p}: cannot read venue file: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise VenueFileError(f"{p}: a venue file is UTF-8 text: {exc}") from exc
    return parse_venue(text, source=str(p), base=p.resolve())


def sample_names() -> list[str]:
    files = resources.files("twin") / "samples"
    return sorted(f.name.removesuffix(".yaml") for f in files.iterdir() if f.name.endswith(".yaml"))


def load_sample(name: str) -> Venue:
    """One of the venues shipped with the package, e.g. ``museum-wing``."""
    res = resources.files("twin") / "samples" / f"{name}.yaml"
    if not res.is_file():
        raise VenueFileError(f"no sample venue {name!r}; there are {sample_names()}")
    return parse_venue(res.read_text(encoding="utf-8"), source=f"sample:{name}")
