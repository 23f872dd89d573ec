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
from planner.model import BorderDirection, Link, Mode, ServiceLevel
from planner.network import Network


def link_hours(network: Network, link: Link, start: str | None = None) -> float:
    """Typical hours of one link from ``start`` (default its ``from`` end) at the default service level,
    computed on the fly (the networkx weight function): a sea or road link's departure wait (a rail link's is
    charged where a route boards it, which an unexpanded graph cannot tell), running, border dwell."""
    hours = 0.0
    level = ServiceLevel.SCHEDULED
    timetable = link.departures.at(level) if link.departures is not None else None
    if timetable is not None and link.mode is not Mode.RAIL:
        hours += timetable.headway_hours / 2.0
    if link.transit_hours is not None:
        hours += link.transit_hours.typical
    else:
        hours += link.distance_km.value / network.modes[link.mode].speed_kmh.value
    a, b = network.places[link.origin], network.places[link.destination]
    if start == link.destination:
        a, b = b, a
    if a.country != b.country and link.border_controls:
        for p, direction in ((a, BorderDirection.LEAVING), (b, BorderDirection.ENTERING)):
            if p.border is not None:
                hours += p.border.for_mode(link.mode).dwell(direction, level).typical
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
        return min(link_hours(network, link, u) for link in data["links"])

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
    dist = dijkstra(matrix, directed=True, indices=graph.start_nodes[origin], min_only=True)
    targets = graph.place_nodes.get(destination)
    return float(np.min(dist[targets])) if targets else float("inf")


def scipy_many(matrix: csr_matrix, graph: CompiledGraph, pairs: list[tuple[str, str]]) -> list[float]:
    """Totals for many pairs, one multi-source run per distinct origin (the fastest batch answer)."""
    by_origin: dict[str, list[int]] = {}
    for i, (a, _) in enumerate(pairs):
        by_origin.setdefault(a, []).append(i)
    out = [0.0] * len(pairs)
    for origin, rows in by_origin.items():
        dist = dijkstra(matrix, directed=True, indices=graph.start_nodes[origin], min_only=True)
        for i in rows:
            targets = graph.place_nodes.get(pairs[i][1])
            out[i] = float(np.min(dist[targets])) if targets else float("inf")
    return out
