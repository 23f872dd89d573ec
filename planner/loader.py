"""Reading, validating and freezing network files.

A network file is parsed with a YAML loader that refuses anchors, aliases and tags, checked
against the pydantic models in :mod:`planner._schema`, then against the rules that span
entries (ids, references, gauges, corridors, provenance). Every problem is collected and
reported with its file, line, item and field; a broken file never yields a network.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
import yaml
from pydantic import ValidationError

from . import _schema as s
from .errors import NetworkFileError, NetworkIssue, NetworkValidationError
from .model import (
    Border,
    BorderControls,
    Capacity,
    CapacityDirection,
    Corridor,
    Figure,
    GaugeChange,
    HoursRange,
    Link,
    LinkStatus,
    Mode,
    ModeDefaults,
    NetworkInfo,
    Place,
    PlaceCapacity,
    PlaceKind,
    Provenance,
    Season,
    ServiceDepartures,
    ServiceHours,
    Source,
    Timetable,
    Transshipment,
)
from .network import Network

__all__ = ["DEFAULT_MAX_BYTES", "bundled_network_path", "load_network", "parse_network"]

DEFAULT_MAX_BYTES = 4 * 1024 * 1024
"""Largest network file accepted, in bytes."""

MAX_DEPTH = 64
"""Deepest nesting of YAML collections accepted (the format itself needs fewer than 10 levels)."""

_PLAIN_TAGS = frozenset(
    "tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "seq", "map")
)

Loc = tuple[str | int, ...]


def bundled_network_path() -> Path:
    """Return the path of the bundled Eurasian network file (works installed or from a checkout)."""
    packaged = resources.files("planner").joinpath("_graphs", "eurasia.yaml")
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "graphs" / "eurasia.yaml"


class _Refused(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _SafeComposer(yaml.SafeLoader):
    """A safe loader that refuses anchors, aliases (no alias bombs, no shared nodes) and deep nesting."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(f"YAML alias '*{event.anchor}' is not allowed (write the value out)", line)
        if getattr(event, "anchor", None):
            raise _Refused(f"YAML anchor '&{event.anchor}' is not allowed (write the value out)", line)
        if self._depth >= MAX_DEPTH:
            raise _Refused(f"YAML nested more than {MAX_DEPTH} levels deep", line)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _to_python(node: yaml.Node, loader: _SafeComposer, loc: Loc, lines: dict[Loc, int]) -> Any:
    lines[loc] = node.start_mark.line + 1
    if node.tag == "tag:yaml.org,2002:timestamp":
        raise _Refused(
            f"unquoted date/time {node.value!r} is not allowed (quote it if it is text: \"{node.value}\")", lines[loc]
        )
    if node.tag not in _PLAIN_TAGS:
        kind = node.tag.removeprefix("tag:yaml.org,2002:")
        raise _Refused(f"YAML tag/type '{kind}' is not allowed (quote the value if it is text)", lines[loc])
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                raise _Refused("mapping keys must be plain scalars", key_node.start_mark.line + 1)
            key = str(loader.construct_object(key_node))
            if key in out:
                raise _Refused(f"duplicate key '{key}'", key_node.start_mark.line + 1)
            out[key] = _to_python(value_node, loader, (*loc, key), lines)
            lines[(*loc, key)] = key_node.start_mark.line + 1  # report a field at its key, not its block
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, loader, (*loc, i), lines) for i, item in enumerate(node.value)]
    try:
        return loader.construct_object(node)
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise _Refused(f"cannot read value: {exc}", lines[loc]) from None


def parse_yaml(text: str, path: str) -> tuple[Any, dict[Loc, int]]:
    """Parse YAML (or JSON) text with the safe composer: plain data and the line of every item, or a NetworkFileError."""
    lines: dict[Loc, int] = {}
    loader: _SafeComposer | None = None
    try:
        loader = _SafeComposer(text)  # the reader already rejects control characters here
        node = loader.get_single_node()
        if node is None:
            raise NetworkFileError("the file is empty", path=path)
        return _to_python(node, loader, (), lines), lines
    except NetworkFileError:
        raise
    except _Refused as exc:
        raise NetworkFileError(exc.message, path=path, line=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise NetworkFileError(f"malformed YAML: {exc.problem or exc}", path=path, line=line) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise NetworkFileError(f"malformed YAML: control character U+{exc.character:04X} is not allowed", path=path, line=line) from None
    except RecursionError:
        raise NetworkFileError("YAML nested too deeply", path=path) from None
    except Exception as exc:  # noqa: BLE001 - any parser failure must become a file error
        raise NetworkFileError(f"cannot parse YAML: {type(exc).__name__}: {exc}", path=path) from None
    finally:
        if loader is not None:
            loader.dispose()


def load_network(path: str | Path | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Network:
    """Read, validate and freeze a network file.

    Parameters
    ----------
    path
        The YAML file; the bundled Eurasian network when omitted.
    max_bytes
        Files larger than this are refused before parsing.

    Returns
    -------
    Network
        An immutable network; non-fatal findings are in ``network.warnings``.

    Raises
    ------
    NetworkFileError
        The file is missing, too large, not UTF-8 or not acceptable YAML.
    NetworkValidationError
        The content breaks the format's rules; every issue is listed.
    """
    file = Path(path) if path is not None else bundled_network_path()
    name = str(file)
    try:
        size = file.stat().st_size
        if size > max_bytes:
            raise NetworkFileError(f"file is {size} bytes, over the {max_bytes}-byte cap", path=name)
        with file.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except NetworkFileError:
        raise
    except OSError as exc:
        raise NetworkFileError(f"cannot read file: {exc.strerror or exc}", path=name) from None
    if len(data) > max_bytes:
        raise NetworkFileError(f"file is over the {max_bytes}-byte cap", path=name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NetworkFileError(f"not UTF-8 text (byte {exc.start})", path=name) from None
    return parse_network(text, path=name)


def parse_network(text: str, *, path: str = "<memory>") -> Network:
    """Validate a network given as YAML text; see :func:`load_network`."""
    raw, lines = parse_yaml(text, path)
    if not isinstance(raw, dict):
        raise NetworkFileError("expected a mapping with network, modes, places, links, corridors", path=path, line=1)
    try:
        spec = s.NetworkFile.model_validate(raw)
    except ValidationError as exc:
        raise NetworkValidationError(list(_pydantic_issues(exc, raw, lines, path))) from None
    checker = _Checker(spec, raw, lines, path)
    issues = checker.run()
    if issues:
        raise NetworkValidationError(issues)
    return _build(spec, path, tuple(checker.warnings))


# --- error reporting ------------------------------------------------------------------------

_SECTION_ITEM = {"places": "place", "links": "link", "corridors": "corridor"}
_TAGS = {"number", "spec", "levels", "directions", "one_source", "source_list", "one_capacity", "capacity_list"}  # union tags of _schema, not file keys


def _line_of(lines: dict[Loc, int], loc: Loc) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _item_of(raw: Any, loc: Loc) -> str | None:
    if len(loc) >= 2 and loc[0] in _SECTION_ITEM and isinstance(loc[1], int):
        label = _SECTION_ITEM[str(loc[0])]
        try:
            ident = raw[loc[0]][loc[1]].get("id")
        except (AttributeError, IndexError, KeyError, TypeError):
            ident = None
        return f"{label} '{ident}'" if isinstance(ident, str) else f"{label} #{int(loc[1]) + 1}"
    if len(loc) >= 2 and loc[0] in ("sources", "modes", "seasons"):
        return f"{loc[0]} '{loc[1]}'"
    if len(loc) >= 2 and loc[0] == "network":
        return "network"
    return None


def _field_of(loc: Loc) -> str | None:
    if len(loc) == 1:
        return str(loc[0])  # a whole top-level section
    skip = 2 if len(loc) >= 2 and loc[0] in ("places", "links", "corridors", "sources", "modes", "seasons") else 1
    parts = [str(p) for p in loc[skip:] if p not in _TAGS]
    return ".".join(parts) if parts else None


_FORMS = {
    "number": "a number",
    "spec": "a mapping of a figure ({value, ...} or {typical, min, max})",
    "levels": "a mapping by service level ({express, scheduled, standard})",
    "directions": "a mapping by direction ({entering, leaving})",
}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _pydantic_issues(exc: ValidationError, raw: Any, lines: dict[Loc, int], path: str) -> Iterator[NetworkIssue]:
    seen: set[tuple[Loc, str]] = set()
    for err in exc.errors(include_url=False):
        loc: Loc = tuple(p for p in err["loc"] if p not in _TAGS)  # union tags are not keys of the file
        kind = err["type"]
        if kind == "extra_forbidden":
            message = "unknown key (check the spelling; see docs/network-format.md)"
        elif kind == "missing":
            message = "required field is missing"
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            message = f"expected one of {expected}, got {_short(err.get('input'))}"
        elif kind == "union_tag_invalid":
            expected = str(err.get("ctx", {}).get("expected_tags", ""))
            forms = [_FORMS[t] for t in _FORMS if f"'{t}'" in expected]
            message = f"expected {' or '.join(forms) or 'another form'} here, got {_short(err.get('input'))}"
        elif kind == "value_error":
            message = str(err.get("ctx", {}).get("error", err["msg"]))
        elif kind in {"string_pattern_mismatch"}:
            pattern = err.get("ctx", {}).get("pattern", "")
            message = f"got {_short(err.get('input'))}, expected text matching {pattern}"
        else:
            message = f"{err['msg']}, got {_short(err.get('input'))}"
            if kind == "finite_number":
                message = f"expected a finite number, got {_short(err.get('input'))}"
        key = (loc, message)
        if key in seen:
            continue
        seen.add(key)
        yield NetworkIssue(path, _line_of(lines, loc), _item_of(raw, loc), _field_of(loc), message)


# --- rules spanning entries -----------------------------------------------------------------

# Mappings by level or direction and the fields that hold their figures.
_COMPOSITE_FIELDS: dict[type, tuple[str, ...]] = {
    s.LevelHoursSpec: ("express", "scheduled", "standard"),
    s.DirectionalHoursSpec: ("entering", "leaving"),
    s.DirectionalFeeSpec: ("entering", "leaving"),
    s.LevelDeparturesSpec: ("express", "scheduled", "standard"),
}


def _timetables(value: object) -> list[object]:
    if isinstance(value, s.LevelDeparturesSpec):
        return [t for t in (value.express, value.scheduled, value.standard) if t is not None]
    return [] if value is None else [value]


def _figure_provenance(figure: object) -> tuple[tuple[str, ...], str | None]:
    if isinstance(figure, s.Provenanced):
        return figure.source_keys(), figure.estimate
    return (), None


class _Checker:
    def __init__(self, spec: s.NetworkFile, raw: Any, lines: dict[Loc, int], path: str) -> None:
        self.spec = spec
        self.raw = raw
        self.lines = lines
        self.path = path
        self.issues: list[NetworkIssue] = []
        self.warnings: list[str] = []

    def error(self, loc: Loc, message: str) -> None:
        self.issues.append(
            NetworkIssue(self.path, _line_of(self.lines, loc), _item_of(self.raw, loc), _field_of(loc), message)
        )

    def warn(self, loc: Loc, message: str) -> None:
        issue = NetworkIssue(self.path, _line_of(self.lines, loc), _item_of(self.raw, loc), _field_of(loc), message)
        self.warnings.append(str(issue))

    def run(self) -> list[NetworkIssue]:
        spec = self.spec
        place_ids = self._unique("places", [p.id for p in spec.places])
        self._unique("links", [link.id for link in spec.links])
        self._unique("corridors", [c.id for c in spec.corridors])
        self._links(place_ids)
        self._gauges()
        self._corridors()
        self._capacities()
        self._provenance()
        self._connectivity()
        return self.issues

    def _unique(self, section: str, ids: list[str]) -> set[str]:
        first: dict[str, int] = {}
        for index, ident in enumerate(ids):
            if ident in first:
                self.error(
                    (section, index, "id"),
                    f"duplicate id '{ident}' (first used by entry #{first[ident] + 1}, line "
                    f"{_line_of(self.lines, (section, first[ident]))})",
                )
            else:
                first[ident] = index
        return set(first)

    def _links(self, place_ids: set[str]) -> None:
        places = {p.id: p for p in self.spec.places}
        for index, link in enumerate(self.spec.links):
            for end, ref in (("from", link.from_), ("to", link.to)):
                if ref not in place_ids:
                    self.error(("links", index, end), f"unknown place '{ref}' (expected the id of a place in this file)")
            if link.from_ == link.to:
                self.error(("links", index, "to"), f"a link must join two different places, got '{link.to}' twice")
            if link.mode == "rail" and link.gauge_mm is None:
                self.error(("links", index, "gauge_mm"), "rail links need gauge_mm (1435 or 1520)")
            if link.mode != "rail" and link.gauge_mm is not None:
                self.error(("links", index, "gauge_mm"), f"gauge_mm only applies to rail links, this is {link.mode}")
            if link.season is not None and link.season not in self.spec.seasons:
                known = ", ".join(sorted(self.spec.seasons)) or "none defined"
                self.error(("links", index, "season"), f"unknown season '{link.season}' (expected a key of the seasons section: {known})")
            if not link.bidirectional:
                for timetable in _timetables(link.departures_per_week):
                    if isinstance(timetable, s.TimetableSpec) and timetable.weekdays_back:
                        self.error(
                            ("links", index, "departures_per_week"),
                            "weekdays_back is for departures from the 'to' end, but this link is one-way (bidirectional: false)",
                        )
            a, b = places.get(link.from_), places.get(link.to)
            if a and b:
                self._transit(index, link, a.country, b.country)
            crosses = a and b and (a.country != b.country or link.transit_countries)
            if a and b and crosses and link.border_controls:
                for place, end in ((a, "from"), (b, "to")):
                    if place.border is None:
                        self.warn(
                            ("links", index, end),
                            f"link crosses {'->'.join((a.country, *link.transit_countries, b.country))} but place "
                            f"'{place.id}' has no border block (no dwell or fee is charged there)",
                        )

    def _transit(self, index: int, link: s.LinkSpec, a: str, b: str) -> None:
        sequence = [a, *link.transit_countries, b]
        for i, (x, y) in enumerate(zip(sequence, sequence[1:], strict=False)):
            if x == y and (i > 0 or i < len(sequence) - 2):
                self.error(
                    ("links", index, "transit_countries"),
                    f"the link would pass from {x} to {x} ({' -> '.join(sequence)}); list each country it enters once, "
                    "in order, without the countries of its ends",
                )
                break
        if link.transit_border is not None and not link.transit_countries:
            self.error(("links", index, "transit_border"), "transit_border applies only to a link with transit_countries")
        if link.transit_countries and link.border_controls and link.transit_border is None:
            self.warn(
                ("links", index, "transit_countries"),
                f"link passes {', '.join(link.transit_countries)} but has no transit_border block "
                "(no dwell or fee is charged at their borders)",
            )

    def _gauges(self) -> None:
        by_place: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
        for link in self.spec.links:
            if link.mode == "rail" and link.gauge_mm is not None:
                for end in (link.from_, link.to):
                    by_place[end][link.gauge_mm].append(link.id)
        for index, place in enumerate(self.spec.places):
            gauges = by_place.get(place.id, {})
            if len(gauges) > 1 and place.gauge_change is None:
                detail = ", ".join(f"{g} mm: {', '.join(ids)}" for g, ids in sorted(gauges.items()))
                self.error(
                    ("places", index, "gauge_change"),
                    f"rail links of different gauges meet here ({detail}) but the place has no gauge_change",
                )

    def _corridors(self) -> None:
        place_ids = {p.id for p in self.spec.places}
        pairs = {frozenset((link.from_, link.to)) for link in self.spec.links}
        for index, corridor in enumerate(self.spec.corridors):
            lines = [("places", corridor.places)] + [
                (f"branches.{i}", branch) for i, branch in enumerate(corridor.branches)
            ]
            for label, line in lines:
                loc: Loc = ("corridors", index, *label.split("."))
                for ref in line:
                    if ref not in place_ids:
                        self.error(loc, f"unknown place '{ref}' in {label}")
                for a, b in zip(line, line[1:], strict=False):
                    if a in place_ids and b in place_ids and frozenset((a, b)) not in pairs:
                        self.error(loc, f"consecutive places '{a}' and '{b}' in {label} are not joined by any link")

    def _capacities(self) -> None:
        """Capacity figures that do not fit their place or link (see docs/network-format.md)."""
        for i, place in enumerate(self.spec.places):
            if place.capacity is None:
                continue
            facilities = {
                "border": None,
                "gauge_change": None if place.gauge_change is not None else "the place has no gauge_change block",
                "transshipment": None if place.transshipment else "the place has no transshipment items",
            }
            for facility, missing in facilities.items():
                figures = s.capacity_list(getattr(place.capacity, facility))
                for j, figure in enumerate(figures):
                    loc: Loc = ("places", i, "capacity", facility, *((j,) if len(figures) > 1 else ()))
                    if missing is not None:
                        self.error(loc, f"a {facility} capacity, but {missing}")
                    if figure.direction in ("forward", "reverse"):
                        self.error((*loc, "direction"), f"'{figure.direction}' is for links; a place's "
                                   "capacity takes each, both, inbound or outbound")  # fmt: skip
                    if figure.direction in ("inbound", "outbound") and facility != "border":
                        self.error((*loc, "direction"), f"'{figure.direction}' applies to border capacity only")
                    if figure.modes is not None and facility != "transshipment":
                        self.error((*loc, "modes"), "modes applies to transshipment capacity only")
                    if figure.sailings_per_week is None and figure.rates_per_sailing():
                        self.error(loc, "a place's capacity in sailings needs sailings_per_week")
        for i, link in enumerate(self.spec.links):
            figures = s.capacity_list(link.capacity)
            for j, figure in enumerate(figures):
                loc = ("links", i, "capacity", *((j,) if len(figures) > 1 else ()))
                if figure.direction in ("inbound", "outbound"):
                    self.error((*loc, "direction"), f"'{figure.direction}' is for border places; a link's "
                               "capacity takes each, both, forward or reverse")  # fmt: skip
                if figure.direction == "reverse" and not link.bidirectional:
                    self.error((*loc, "direction"), "the link runs one way only (bidirectional: false)")
                if figure.modes is not None:
                    self.error((*loc, "modes"), "modes applies to a place's transshipment capacity only")
                if figure.sailings_per_week is None and figure.rates_per_sailing() and link.departures_per_week is None:
                    self.error(loc, "capacity per sailing without sailings_per_week needs the link's departures_per_week")

    def _provenance(self) -> None:
        known = set(self.spec.sources)

        def keys_known(loc: Loc, keys: Iterable[str]) -> None:
            for key in keys:
                if key not in known:
                    self.error((*loc, "source"), f"unknown source '{key}' (expected a key of the sources section)")

        def figure(loc: Loc, value: object, covered: bool) -> None:
            if value is None:
                return
            keys, estimate = _figure_provenance(value)
            keys_known(loc, keys)
            children = _COMPOSITE_FIELDS.get(type(value))
            if children is not None:
                # A mapping by level or direction: its own provenance covers the numbers inside it.
                inner = covered or bool(keys) or estimate is not None
                for child in children:
                    figure((*loc, child), getattr(value, child), inner)
                return
            if not (keys or estimate is not None or covered):
                self.error(
                    loc,
                    "figure has no provenance: give 'source' (a sources key) or 'estimate: <reason>' "
                    "on the figure or its entry",
                )

        def check(
            loc: Loc, block: s.Provenanced | None, figures: Iterable[tuple[str, object]], *, covered: bool = False
        ) -> bool:
            block_keys, block_estimate = _figure_provenance(block) if block is not None else ((), None)
            keys_known(loc, block_keys)
            covered = covered or bool(block_keys) or block_estimate is not None
            for name, value in figures:
                figure((*loc, name), value, covered)
            return covered

        for mode in ("rail", "road", "sea"):
            m: s.ModeSpec = getattr(self.spec.modes, mode)
            names = ("speed_kmh", "cost_usd_per_teu_km", "co2e_g_per_tonne_km", "origin_wait_hours", "cost_ratio_40ft", "bulk_load_tonnes")
            check(("modes", mode), None, [(name, getattr(m, name)) for name in names])
        for key, season in self.spec.seasons.items():
            check(("seasons", key), season, [(month, getattr(season, month)) for month in s.MONTHS])
        for i, place in enumerate(self.spec.places):
            check(("places", i), place, [("lat", place.lat), ("lon", place.lon)])
            for j, item in enumerate(place.transshipment):
                check(("places", i, "transshipment", j), item, [("hours", item.hours), ("cost_usd_per_teu", item.cost_usd_per_teu)])
            if place.border:
                border = place.border
                covered = check(("places", i, "border"), border, [("dwell_hours", border.dwell_hours), ("fee_usd_per_teu", border.fee_usd_per_teu)])
                for mode in ("rail", "road", "sea"):
                    block: s.BorderModeSpec | None = getattr(border, mode)
                    if block is not None:
                        figures = [("dwell_hours", block.dwell_hours), ("fee_usd_per_teu", block.fee_usd_per_teu)]
                        check(("places", i, "border", mode), block, figures, covered=covered)
            if place.gauge_change:
                gc = place.gauge_change
                check(("places", i, "gauge_change"), gc, [("hours", gc.hours), ("cost_usd_per_teu", gc.cost_usd_per_teu)])
            if place.capacity is not None:
                for facility in ("border", "gauge_change", "transshipment"):
                    caps = s.capacity_list(getattr(place.capacity, facility))
                    for j, cap in enumerate(caps):
                        at: Loc = ("places", i, "capacity", facility, *((j,) if len(caps) > 1 else ()))
                        check(at, cap, cap.figures())
        for i, link in enumerate(self.spec.links):
            if link.transit_border:
                tb = link.transit_border
                check(("links", i, "transit_border"), tb, [("dwell_hours", tb.dwell_hours), ("fee_usd_per_teu", tb.fee_usd_per_teu)])
            check(
                ("links", i),
                link,
                [
                    ("distance_km", link.distance_km),
                    ("transit_hours", link.transit_hours),
                    ("cost_usd_per_teu", link.cost_usd_per_teu),
                    ("departures_per_week", link.departures_per_week),
                    ("queue_hours", link.queue_hours),
                    ("co2e_g_per_tonne_km", link.co2e_g_per_tonne_km),
                ],
            )
            caps = s.capacity_list(link.capacity)
            for j, cap in enumerate(caps):
                check(("links", i, "capacity", *((j,) if len(caps) > 1 else ())), cap, cap.figures())
        for i, corridor in enumerate(self.spec.corridors):
            keys, _ = _figure_provenance(corridor)
            for key in keys:
                if key not in known:
                    self.error(("corridors", i, "source"), f"unknown source '{key}'")

    def _connectivity(self) -> None:
        graph: nx.Graph[str] = nx.Graph()
        graph.add_nodes_from(p.id for p in self.spec.places)
        graph.add_edges_from((link.from_, link.to) for link in self.spec.links if link.status == "operational")
        components = sorted(nx.connected_components(graph), key=len, reverse=True)
        for component in components[1:]:
            members = ", ".join(sorted(component)[:8]) + (" ..." if len(component) > 8 else "")
            self.warnings.append(
                f"{self.path}: disconnected component of {len(component)} place(s) not reachable from the "
                f"main network by operational links: {members}"
            )


# --- building the frozen network ------------------------------------------------------------


def _prov(block: s.Provenanced | None) -> Provenance:
    if block is None:
        return Provenance()
    return Provenance(block.source_keys(), block.estimate)


def _figure(value: object, block: s.Provenanced, *outer: s.Provenanced | None) -> Figure:
    if isinstance(value, s.FigureSpec | s.PositiveFigureSpec):
        own = _prov(value)
        return Figure(float(value.value), own if (own.sources or own.estimate) else _covering(block, *outer))
    assert isinstance(value, int | float)
    return Figure(float(value), _covering(block, *outer))


def _covering(*blocks: s.Provenanced | None) -> Provenance:
    """The provenance of the innermost block that has one."""
    for block in blocks:
        prov = _prov(block)
        if prov.sources or prov.estimate:
            return prov
    return Provenance()


def hours_range(value: object, block: s.Provenanced, *outer: s.Provenanced | None) -> HoursRange:
    """The hours of a validated entry, its provenance taken from the entry's block (or an outer one) when it has none of its own."""
    if isinstance(value, s.RangeSpec):
        own = _prov(value)
        prov = own if (own.sources or own.estimate) else _covering(block, *outer)
        low = value.typical if value.min is None else value.min
        high = value.typical if value.max is None else value.max
        return HoursRange(float(value.typical), float(low), float(high), prov)
    assert isinstance(value, int | float)
    return HoursRange.exact(float(value), _covering(block, *outer))


def service_hours(value: object, block: s.Provenanced, *outer: s.Provenanced | None) -> ServiceHours:
    """Hours by service level from a number, a range or an ``{express, scheduled, standard}`` mapping."""
    if isinstance(value, s.LevelHoursSpec):
        return ServiceHours(
            hours_range(value.express, value, block, *outer),
            hours_range(value.scheduled, value, block, *outer),
            hours_range(value.standard, value, block, *outer),
        )
    return ServiceHours.same(hours_range(value, block, *outer))


def _fee(value: object, block: s.Provenanced, *outer: s.Provenanced | None) -> tuple[Figure, Figure]:
    if isinstance(value, s.DirectionalFeeSpec):
        return _figure(value.entering, value, block, *outer), _figure(value.leaving, value, block, *outer)
    fee = _figure(value, block, *outer)
    return fee, fee


def dwell_from_spec(dwell: object, block: s.Provenanced, *outer: s.Provenanced | None) -> tuple[ServiceHours, ServiceHours]:
    """(entering, leaving) hours of a border dwell written in any of its forms."""
    if isinstance(dwell, s.DirectionalHoursSpec):
        return service_hours(dwell.entering, dwell, block, *outer), service_hours(dwell.leaving, dwell, block, *outer)
    hours = service_hours(dwell, block, *outer)
    return hours, hours


def border_from_spec(spec: s.BorderSpec) -> Border:
    """The domain border of a validated border block."""
    entering, leaving = dwell_from_spec(spec.dwell_hours, spec)
    fee_in, fee_out = _fee(spec.fee_usd_per_teu, spec)
    controls = BorderControls(entering, leaving, fee_in, fee_out)
    by_mode = []
    for name in ("rail", "road", "sea"):
        block: s.BorderModeSpec | None = getattr(spec, name)
        if block is None:
            continue
        mode_in, mode_out = (entering, leaving) if block.dwell_hours is None else dwell_from_spec(block.dwell_hours, block, spec)
        mode_fee_in, mode_fee_out = (fee_in, fee_out) if block.fee_usd_per_teu is None else _fee(block.fee_usd_per_teu, block, spec)
        by_mode.append((Mode(name), BorderControls(mode_in, mode_out, mode_fee_in, mode_fee_out)))
    return Border(controls, tuple(by_mode))


def _timetable(value: object, *blocks: s.Provenanced | None) -> Timetable:
    if isinstance(value, s.TimetableSpec):
        own = _prov(value)
        prov = own if (own.sources or own.estimate) else _covering(*blocks)
        days = tuple(s.WEEKDAYS.index(d) for d in value.weekdays)
        back = tuple(s.WEEKDAYS.index(d) for d in value.weekdays_back)
        return Timetable(Figure(float(value.value), prov), tuple(sorted(days)), tuple(sorted(back)), value.both_directions)
    assert isinstance(value, int | float)
    return Timetable(Figure(float(value), _covering(*blocks)))


def departures_from_spec(value: object, block: s.Provenanced) -> ServiceDepartures | None:
    """A link's timetables by level from its ``departures_per_week`` field."""
    if value is None:
        return None
    if isinstance(value, s.LevelDeparturesSpec):
        return ServiceDepartures(
            *(None if v is None else _timetable(v, value, block) for v in (value.express, value.scheduled, value.standard))
        )
    return ServiceDepartures.same(_timetable(value, block))


def _capacity(spec: s.CapacitySpec) -> Capacity:
    figures = {name: _figure(value, spec) for name, value in spec.figures()}
    return Capacity(
        direction=CapacityDirection(spec.direction),
        modes=frozenset(Mode(m) for m in spec.modes or ()),
        provenance=_prov(spec),
        note=spec.note,
        **figures,
    )


def _capacities(value: s.CapacitySpec | list[s.CapacitySpec] | None) -> tuple[Capacity, ...]:
    return tuple(_capacity(spec) for spec in s.capacity_list(value))


def _place_capacity(spec: s.PlaceCapacitySpec | None) -> PlaceCapacity | None:
    if spec is None:
        return None
    return PlaceCapacity(_capacities(spec.border), _capacities(spec.gauge_change), _capacities(spec.transshipment))


def link_from_spec(link: s.LinkSpec) -> Link:
    """The domain link of a validated link entry (also used by scenarios' ``add_link``)."""
    return Link(
        id=link.id,
        origin=link.from_,
        destination=link.to,
        mode=Mode(link.mode),
        distance_km=_figure(link.distance_km, link),
        gauge_mm=link.gauge_mm,
        transit_hours=hours_range(link.transit_hours, link) if link.transit_hours is not None else None,
        cost_usd_per_teu=_figure(link.cost_usd_per_teu, link) if link.cost_usd_per_teu is not None else None,
        departures=departures_from_spec(link.departures_per_week, link),
        queue_hours=service_hours(link.queue_hours, link) if link.queue_hours is not None else None,
        season=link.season,
        co2e_g_per_tonne_km=_figure(link.co2e_g_per_tonne_km, link) if link.co2e_g_per_tonne_km is not None else None,
        border_controls=link.border_controls,
        transit_countries=tuple(link.transit_countries),
        transit_border=border_from_spec(link.transit_border) if link.transit_border else None,
        waypoints=tuple((float(lat), float(lon)) for lat, lon in link.waypoints),
        bidirectional=link.bidirectional,
        status=LinkStatus(link.status),
        provenance=_prov(link),
        note=link.note,
        capacity=_capacities(link.capacity),
    )


def _build(spec: s.NetworkFile, path: str, warnings: tuple[str, ...]) -> Network:
    sources = {
        key: Source(key, src.publisher, src.title, src.year, src.url) for key, src in spec.sources.items()
    }
    modes = {}
    for name in ("rail", "road", "sea"):
        m: s.ModeSpec = getattr(spec.modes, name)
        modes[Mode(name)] = ModeDefaults(
            Mode(name),
            _figure(m.speed_kmh, m.speed_kmh),
            _figure(m.cost_usd_per_teu_km, m.cost_usd_per_teu_km),
            _figure(m.co2e_g_per_tonne_km, m.co2e_g_per_tonne_km),
            origin_wait_hours=service_hours(m.origin_wait_hours, s.Provenanced()) if m.origin_wait_hours is not None else None,
            cost_ratio_40ft=_figure(m.cost_ratio_40ft, m.cost_ratio_40ft) if m.cost_ratio_40ft is not None else None,
            bulk_load_tonnes=_figure(m.bulk_load_tonnes, m.bulk_load_tonnes) if m.bulk_load_tonnes is not None else None,
        )
    places = {}
    for p in spec.places:
        places[p.id] = Place(
            id=p.id,
            name=p.name,
            country=p.country,
            lat=float(p.lat),
            lon=float(p.lon),
            kinds=frozenset(PlaceKind(k) for k in p.kinds),
            aliases=tuple(p.aliases),
            transshipments=tuple(
                Transshipment(frozenset(Mode(m) for m in t.modes), service_hours(t.hours, t), _figure(t.cost_usd_per_teu, t))
                for t in p.transshipment
            ),
            border=border_from_spec(p.border) if p.border else None,
            gauge_change=GaugeChange(service_hours(p.gauge_change.hours, p.gauge_change), _figure(p.gauge_change.cost_usd_per_teu, p.gauge_change))
            if p.gauge_change
            else None,
            provenance=_prov(p),
            note=p.note,
            capacity=_place_capacity(p.capacity),
        )
    links = {link.id: link_from_spec(link) for link in spec.links}
    corridors = {
        c.id: Corridor(
            id=c.id,
            name=c.name,
            places=tuple(c.places),
            aliases=tuple(c.aliases),
            description=c.description,
            branches=tuple(tuple(b) for b in c.branches),
            provenance=_prov(c),
        )
        for c in spec.corridors
    }
    seasons = {}
    for key, season in spec.seasons.items():
        months = tuple(
            None if (value := getattr(season, month)) is None else hours_range(value, season) for month in s.MONTHS
        )
        seasons[key] = Season(key, season.description, months, _prov(season))
    info = NetworkInfo(spec.network.id, spec.network.name, spec.network.version, spec.network.description, spec.network.currency_year)
    return Network(info, places, links, corridors, modes, sources, path=path, warnings=warnings, seasons=seasons)


