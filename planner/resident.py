"""Keeping a large network resident: its indexes built once, out of the cyclic collector's way."""

from __future__ import annotations

import gc

from . import _search
from ._compile import compiled
from .network import Network

__all__ = ["keep_resident"]


def keep_resident(network: Network) -> bool:
    """Prepare ``network`` for a process that keeps it for its whole life (a server, a worker, a benchmark).

    On a graph of :data:`planner._search.COMPILED_KERNEL_MIN_NODES` nodes or more, builds the
    compiled graph and the search indexes now, then moves every object alive out of the cyclic
    garbage collector's view (:func:`gc.freeze`). Such a graph is millions of small objects, and
    without this each full collection scans them all again: a pause of ~2 s inside a query at
    100,000 places. Reference counting still frees them. Smaller networks are left as they are
    (a full collection takes milliseconds) and ``False`` is returned.
    """
    graph = compiled(network)
    if len(graph.adj) < _search.COMPILED_KERNEL_MIN_NODES:
        return False
    _search.state_index(graph)
    _search.search_kernel(graph)
    gc.collect()
    gc.freeze()
    return True
