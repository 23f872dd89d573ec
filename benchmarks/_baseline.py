"""The plain ways to answer the same queries, measured beside ours.

* networkx on the *unexpanded* graph: places are nodes, links are edges, and a weight
  function computes a link's hours (departure wait + running/transit + border dwell) the way
  the compiled graph does, without mode states (so no transfer/gauge-change edges).
* scipy.sparse.csgraph.dijkstra on the *same* state-expanded graph and weights the planner
  searches: the fastest way to get the very same answer (totals must agree).
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from planner._compile import CompiledGraph
from planner.graph import HOURS_PER_WEEK
from planner.model import Link
from planner.network import Network


def link_hours(network: Network, link: Link) -> float:
    """Typical hours of one link, computed on the fly (the networkx weight function)."""
    hours = 0.0
    if link.departures_per_week is not None:
        hours += HOURS_PER_WEEK / link.departures_per_week.value / 2.0
    if link.transit_hours is not None:
        hours += link.transit_hours.typical
    else:
        hours += link.distance_km.value / network.modes[link.mode].speed_kmh.value
    a, b = network.places[link.origin], network.places[link.destination]
    if a.country != b.country and link.border_controls:
        for p in (a, b):
            if p.border is not None:
                hours += p.border.dwell_hours.typical
    return hours


def nx_unexpanded(network: Network) -> nx.DiGraph:
    """Places as nodes, operational links as edges (parallel links kept as a list on one edge)."""
    g = nx.DiGraph()
    g.add_nodes_from(network.places)
    for link in network.operational_links():
        ends = [(link.origin, link.destination)]
        if link.bidirectional:
            ends.append((link.destination, link.origin))
        for a, b in ends:
            if g.has_edge(a, b):
                g[a][b]["links"].append(link)
            else:
                g.add_edge(a, b, links=[link])
    return g


def nx_weight(network: Network) -> Any:
    def weight(u: str, v: str, data: dict[str, Any]) -> float:
        return min(link_hours(network, link) for link in data["links"])

    return weight


def csr_of(graph: CompiledGraph, weights: list[float]) -> csr_matrix:
    """The compiled graph as a CSR matrix; parallel edges keep their minimum weight."""
    src = np.asarray(graph.edge_src, dtype=np.int64)
    dst = np.asarray(graph.edge_dst, dtype=np.int64)
    w = np.asarray(weights, dtype=np.float64)
    n = len(graph.node_place)
    order = np.lexsort((w, dst, src))
    src, dst, w = src[order], dst[order], w[order]
    first = np.ones(len(src), dtype=bool)
    first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
    return csr_matrix((w[first], (src[first], dst[first])), shape=(n, n))


def scipy_best(matrix: csr_matrix, graph: CompiledGraph, origin: str, destination: str) -> float:
    """Cheapest total from any state of ``origin`` to any state of ``destination`` (one query)."""
    dist = dijkstra(matrix, directed=True, indices=graph.place_nodes[origin], min_only=True)
    targets = graph.place_nodes.get(destination)
    return float(np.min(dist[targets])) if targets else float("inf")


def scipy_many(matrix: csr_matrix, graph: CompiledGraph, pairs: list[tuple[str, str]]) -> list[float]:
    """Totals for many pairs, one multi-source run per distinct origin (the fastest batch answer)."""
    by_origin: dict[str, list[int]] = {}
    for i, (a, _) in enumerate(pairs):
        by_origin.setdefault(a, []).append(i)
    out = [0.0] * len(pairs)
    for origin, rows in by_origin.items():
        dist = dijkstra(matrix, directed=True, indices=graph.place_nodes[origin], min_only=True)
        for i in rows:
            targets = graph.place_nodes.get(pairs[i][1])
            out[i] = float(np.min(dist[targets])) if targets else float("inf")
    return out
