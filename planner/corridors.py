"""Named corridors: finding one by id, name or alias, and the links each one runs over."""

from __future__ import annotations

from .cache import CacheSlot
from .errors import UnknownCorridorError
from .graph import corridor_link_ids
from .lookup import normalize_name
from .model import Corridor
from .network import Network

__all__ = ["corridor_links", "resolve_corridor"]

_CORRIDOR_LINKS = CacheSlot[bool, dict[str, frozenset[str]]]("corridor links", max_entries=2)


def resolve_corridor(network: Network, query: str) -> Corridor:
    """Return the corridor whose id, name or alias matches ``query`` (case and punctuation ignored).

    Raises
    ------
    UnknownCorridorError
        No corridor matches; the message lists the known ones.
    """
    if query in network.corridors:
        return network.corridors[query]
    key = normalize_name(query)
    for corridor in network.corridors.values():
        if key in {normalize_name(x) for x in (corridor.id, corridor.name, *corridor.aliases)}:
            return corridor
    known = ", ".join(sorted(network.corridors))
    raise UnknownCorridorError(f"unknown corridor {query!r}; known corridors: {known}", field="corridor")


def corridor_links(network: Network, *, main_line_only: bool = False) -> dict[str, frozenset[str]]:
    """Link ids on each corridor (by corridor id): every link joining two consecutive places of one of its lines.

    With ``main_line_only`` the branches are left out. Built once per network; do not modify the result.
    """
    return network.caches.get(
        _CORRIDOR_LINKS,
        main_line_only,
        lambda: corridor_link_ids(network.corridors, network.links.values(), main_line_only=main_line_only),
    )
