"""The network: its content, its networkx graph, its identity and its caches.

A :class:`Network` is built once (by :func:`planner.load_network`, or by a scenario) and never
changed afterwards. Its :attr:`~Network.graph` is a frozen networkx graph of the same content;
its :attr:`~Network.digest` names that content; its :attr:`~Network.caches` hold everything
derived from it, bounded (:mod:`planner.cache`).
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field
from types import MappingProxyType
from typing import Any

import networkx as nx

from .cache import CacheSlot, NetworkCaches
from .graph import GraphBase, build_graph
from .model import Corridor, Link, LinkStatus, Mode, ModeDefaults, NetworkInfo, Place, Season, Source

__all__ = ["Network", "content_digest"]

_DIGEST = CacheSlot[None, str]("digest", max_entries=1)
_COUNTRIES = CacheSlot[None, frozenset[str]]("countries", max_entries=1)


@dataclass(frozen=True, slots=True)
class Network:
    """A validated, immutable network. Build it with :func:`planner.load_network`.

    ``graph`` (built with the network), ``digest`` (computed on first use) and ``caches`` are
    derived from the content; ``path`` and ``warnings`` describe where it came from.
    ``cache_share`` scales the bounds of its caches; ``derived_from`` is the network a scenario
    was applied to, whose unchanged places and links the graph and index share.
    """

    info: NetworkInfo
    places: Mapping[str, Place]
    links: Mapping[str, Link]
    corridors: Mapping[str, Corridor]
    modes: Mapping[Mode, ModeDefaults]
    sources: Mapping[str, Source]
    path: str = "<memory>"
    warnings: tuple[str, ...] = ()
    cache_share: InitVar[float] = 1.0
    derived_from: Network | None = field(default=None, repr=False, compare=False)
    """The network a scenario was applied to, whose unchanged places and links this one shares."""
    seasons: Mapping[str, Season] = field(default_factory=dict)
    """Extra waits by month, by season id (links name them)."""
    graph: nx.MultiDiGraph = field(init=False, repr=False, compare=False)
    """Places as nodes, links as keyed edges (frozen; see :mod:`planner.graph`)."""
    caches: NetworkCaches = field(init=False, repr=False, compare=False)
    """Everything derived from this network, bounded (see :mod:`planner.cache`)."""

    def __post_init__(self, cache_share: float) -> None:
        for name in ("places", "links", "corridors", "modes", "sources", "seasons"):
            value = getattr(self, name)
            if not isinstance(value, MappingProxyType):
                object.__setattr__(self, name, MappingProxyType(dict(value)))
        base = None
        if self.derived_from is not None:  # a scenario's network: share what did not change with the base's graph
            origin = self.derived_from
            base = GraphBase(origin.places, origin.links, origin.modes, origin.graph)
        graph = build_graph(self.info, self.places, self.links, self.corridors, self.modes, base=base)
        object.__setattr__(self, "graph", graph)
        object.__setattr__(self, "caches", NetworkCaches(share=cache_share))

    @property
    def digest(self) -> str:
        """SHA-256 (hex) of the network's content: equal for equal content, whatever the file or its layout."""
        return self.caches.get(_DIGEST, None, lambda: content_digest(self))

    @property
    def countries(self) -> frozenset[str]:
        """ISO 3166-1 alpha-2 codes of every country with a place in the network or that a link passes in transit."""
        return self.caches.get(
            _COUNTRIES,
            None,
            lambda: frozenset(p.country for p in self.places.values())
            | frozenset(c for link in self.links.values() for c in link.transit_countries),
        )

    def operational_links(self) -> tuple[Link, ...]:
        """Links that carry traffic today (not planned)."""
        return tuple(link for link in self.links.values() if link.status is LinkStatus.OPERATIONAL)

    def __reduce__(self) -> tuple[Any, ...]:
        # The graph and the caches are rebuilt where the copy lands; mapping proxies cannot be pickled.
        return (
            _restore,
            (self.info, dict(self.places), dict(self.links), dict(self.corridors), dict(self.modes), dict(self.sources),
             self.path, self.warnings, self.caches.share, self.derived_from, dict(self.seasons)),
        )  # fmt: skip


def _restore(
    info: NetworkInfo,
    places: dict[str, Place],
    links: dict[str, Link],
    corridors: dict[str, Corridor],
    modes: dict[Mode, ModeDefaults],
    sources: dict[str, Source],
    path: str,
    warnings: tuple[str, ...],
    cache_share: float,
    derived_from: Network | None,
    seasons: dict[str, Season],
) -> Network:
    return Network(info, places, links, corridors, modes, sources, path, warnings, cache_share, derived_from, seasons)


def _canonical(value: object) -> object:
    """A JSON-ready form of the content in which every set is sorted: the same on every run and machine."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, str | int | bool) or value is None:
        return value
    if isinstance(value, float):
        return repr(value)  # shortest round-trip text: equal floats, equal text
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__, *(_canonical(getattr(value, f.name)) for f in dataclasses.fields(value))]
    if isinstance(value, Mapping):
        # Order is content: it decides ties between routes of equal weight.
        return [[_canonical(k), _canonical(v)] for k, v in value.items()]
    if isinstance(value, frozenset | set):
        return sorted((_canonical(v) for v in value), key=lambda v: json.dumps(v))
    if isinstance(value, tuple | list):
        return [_canonical(v) for v in value]
    raise TypeError(f"cannot digest a {type(value).__name__}")


def content_digest(network: Network) -> str:
    """SHA-256 (hex) of a network's content: header, places, links, corridors, mode defaults and sources.

    The file's path, its comments and layout, and the loader's warnings are not content.
    """
    content = [
        _canonical(network.info),
        _canonical(network.places),
        _canonical(network.links),
        _canonical(network.corridors),
        _canonical(network.modes),
        _canonical(network.sources),
        *([_canonical(network.seasons)] if network.seasons else []),
    ]
    text = json.dumps(content, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
