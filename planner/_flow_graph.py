"""The compiled index as arrays for flows on the network: assignment and criticality runs.

Every edge of the compiled index (:mod:`planner._compile`) keeps its index; then each place gets a
virtual origin node joined to each of its mode states and a virtual destination node joined from
each, so a flow starts and ends in any mode. Per edge: hours, USD per TEU, kg CO2e per tonne, km,
the capacity queues it belongs to, and its km on each named corridor.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

from ._compile import CompiledGraph, compiled
from .assets import AssetTable, asset_table
from .cache import CacheSlot, MiB
from .corridors import corridor_links
from .network import Network

__all__ = ["FlowGraph", "flow_graph"]


@dataclass(frozen=True, slots=True)
class FlowGraph:
    """The compiled index as arrays for assignment, with a virtual origin and destination node per place."""

    compiled: CompiledGraph
    table: AssetTable
    places: tuple[str, ...]
    n_nodes: int
    src: np.ndarray
    dst: np.ndarray
    n_real: int
    hours: np.ndarray
    cost: np.ndarray
    co2e_t: np.ndarray
    distance: np.ndarray
    queues: csr_matrix
    corridor_km: np.ndarray  # edges x corridors: km on each corridor (real edges; 0 on virtual)
    corridor_weight: np.ndarray  # edges x corridors: km / corridors sharing the link (to pick the main one)
    corridor_ids: tuple[str, ...]


def _graph_bytes(graph: FlowGraph) -> int:
    return 64 * len(graph.src) + 8 * graph.corridor_km.size * 2 + 4096


_GRAPHS = CacheSlot[None, FlowGraph]("assignment graph", max_entries=1, max_bytes=64 * MiB, sizeof=_graph_bytes)


def flow_graph(network: Network) -> FlowGraph:
    """The network's compiled index as arrays with virtual origin and destination nodes (built once per network)."""
    return network.caches.get(_GRAPHS, None, lambda: _build_graph(network))


def _build_graph(network: Network) -> FlowGraph:
    graph = compiled(network)
    table = asset_table(network)
    n = len(graph.node_place)
    places = tuple(network.places)
    index = {p: i for i, p in enumerate(places)}
    p = len(places)
    src = list(graph.edge_src)
    dst = list(graph.edge_dst)
    n_real = len(src)
    for place, nodes in graph.place_nodes.items():
        i = index[place]
        for node in nodes:
            src.append(n + i)  # origin -> each state of the place
            dst.append(node)
            src.append(node)  # each state -> destination
            dst.append(n + p + i)
    extra = len(src) - n_real
    pad = np.zeros(extra)
    rows: list[int] = []
    cols: list[int] = []
    for q, queue in enumerate(table.queues):
        rows.extend([q] * len(queue.edges))
        cols.extend(queue.edges)
    queues = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(table.queues), len(src)))
    corridor_ids = tuple(network.corridors)
    members = corridor_links(network)
    shared: dict[str, int] = defaultdict(int)
    for ids in members.values():
        for link in ids:
            shared[link] += 1
    km = np.zeros((len(src), len(corridor_ids)))
    weight = np.zeros_like(km)
    for e in range(n_real):
        edge_link = graph.edge_link[e]
        if edge_link is None:
            continue
        for c, corridor in enumerate(corridor_ids):
            if edge_link in members[corridor]:
                km[e, c] = graph.distance[e]
                weight[e, c] = graph.distance[e] / shared[edge_link]
    return FlowGraph(
        compiled=graph,
        table=table,
        places=places,
        n_nodes=n + 2 * p,
        src=np.asarray(src, dtype=np.int64),
        dst=np.asarray(dst, dtype=np.int64),
        n_real=n_real,
        hours=np.concatenate([np.asarray(graph.hours, dtype=float), pad]),
        cost=np.concatenate([np.asarray(graph.cost_teu, dtype=float), pad]),
        co2e_t=np.concatenate([np.asarray(graph.co2e_t, dtype=float), pad]),
        distance=np.concatenate([np.asarray(graph.distance, dtype=float), pad]),
        queues=queues,
        corridor_km=km,
        corridor_weight=weight,
        corridor_ids=corridor_ids,
    )
