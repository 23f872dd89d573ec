"""The compiled index as arrays for flows on the network: assignment and criticality runs.

Nodes are the search's states (two per compiled node: entered by a link, or by a change of mode or
gauge, so that no path changes twice in a row at a place); ``FlowGraph.edge`` maps each edge back to
its compiled edge. Each place gets a virtual origin node joined to each of its mode states and a
virtual destination node joined from each, so a flow starts and ends in any mode. Per edge: hours,
USD per TEU, kg CO2e per tonne, km, the capacity queues it belongs to, and its km on each named corridor.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

from ._compile import TRANSFER, CompiledGraph, compiled
from .assets import AssetTable, asset_table
from .cache import CacheSlot, MiB
from .corridors import corridor_links
from .network import Network

__all__ = ["FlowGraph", "flow_graph"]


@dataclass(frozen=True, slots=True)
class FlowGraph:
    """The compiled index as arrays for assignment, with a virtual origin and destination node per place.

    Nodes are the search's states (:mod:`planner._search`): compiled node ``s`` entered by a link (or
    at the start) is node ``s``, entered by a change of mode or gauge it is ``s + n``; a transfer edge
    leads from the first kind to the second only, so no path changes twice in a row at a place. A
    link edge therefore appears twice (from either kind of state); ``edge`` maps every edge back to
    its compiled edge (-1 for the virtual ones). The origin of place ``i`` is node ``zones + i``,
    its destination ``zones + places + i``.
    """

    compiled: CompiledGraph
    table: AssetTable
    places: tuple[str, ...]
    n_nodes: int
    zones: int
    src: np.ndarray
    dst: np.ndarray
    edge: np.ndarray
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
    return 72 * len(graph.src) + 8 * graph.corridor_km.size * 2 + 4096


_GRAPHS = CacheSlot[None, FlowGraph]("assignment graph", max_entries=1, max_bytes=64 * MiB, sizeof=_graph_bytes)


def flow_graph(network: Network) -> FlowGraph:
    """The network's compiled index as arrays on the search's states, with virtual origins and destinations
    (built once per network)."""
    return network.caches.get(_GRAPHS, None, lambda: _build_graph(network))


def _build_graph(network: Network) -> FlowGraph:
    graph = compiled(network)
    table = asset_table(network)
    n = len(graph.node_place)
    zones = 2 * n
    places = tuple(network.places)
    index = {p: i for i, p in enumerate(places)}
    p = len(places)
    n_compiled = len(graph.edge_src)
    transfer = np.asarray(graph.edge_kind, dtype=np.int8) == TRANSFER
    compiled_src = np.asarray(graph.edge_src, dtype=np.int64)
    compiled_dst = np.asarray(graph.edge_dst, dtype=np.int64)
    links = np.flatnonzero(~transfer)
    # Every compiled edge from a state entered by a link (a transfer into the state entered by a
    # transfer), then each link edge again from the state entered by a transfer.
    src = list(np.concatenate([compiled_src, compiled_src[links] + n]))
    dst = list(np.concatenate([np.where(transfer, compiled_dst + n, compiled_dst), compiled_dst[links]]))
    edge = list(np.concatenate([np.arange(n_compiled), links]))
    n_real = len(src)
    for place, nodes in graph.place_nodes.items():
        i = index[place]
        # A route starts where routes start at its origin (a start node per state: its origin node,
        # which carries the first departure wait) and ends in any node of its destination, arriving
        # by a link (arriving by a change of mode at the destination only adds the change).
        for node in graph.start_nodes.get(place, ()):
            src.append(zones + i)
            dst.append(node)
            edge.append(-1)
        for node in nodes:
            src.append(node)
            dst.append(zones + p + i)
            edge.append(-1)
    edge_of = np.asarray(edge, dtype=np.int64)
    pad = np.zeros(len(src) - n_real)
    copies = csr_matrix(
        (np.ones(n_real), (edge_of[:n_real], np.arange(n_real))), shape=(n_compiled, len(src))
    )  # compiled edge x assignment edge
    rows: list[int] = []
    cols: list[int] = []
    for q, queue in enumerate(table.queues):
        rows.extend([q] * len(queue.edges))
        cols.extend(queue.edges)
    per_compiled = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(table.queues), n_compiled))
    queues = csr_matrix(per_compiled @ copies)
    corridor_ids = tuple(network.corridors)
    members = corridor_links(network)
    shared: dict[str, int] = defaultdict(int)
    for ids in members.values():
        for link in ids:
            shared[link] += 1
    km = np.zeros((len(src), len(corridor_ids)))
    weight = np.zeros_like(km)
    for e in range(n_real):
        edge_link = graph.edge_link[edge_of[e]]
        if edge_link is None:
            continue
        for c, corridor in enumerate(corridor_ids):
            if edge_link in members[corridor]:
                km[e, c] = graph.distance[edge_of[e]]
                weight[e, c] = graph.distance[edge_of[e]] / shared[edge_link]
    real = edge_of[:n_real]

    def per_edge(values: Iterable[float]) -> np.ndarray:
        return np.concatenate([np.asarray(values, dtype=float)[real], pad])

    return FlowGraph(
        compiled=graph,
        table=table,
        places=places,
        n_nodes=zones + 2 * p,
        zones=zones,
        src=np.asarray(src, dtype=np.int64),
        dst=np.asarray(dst, dtype=np.int64),
        edge=edge_of,
        n_real=n_real,
        hours=per_edge(graph.hours),
        cost=per_edge(graph.cost_teu),
        co2e_t=per_edge(graph.co2e_t),
        distance=per_edge(graph.distance),
        queues=queues,
        corridor_km=km,
        corridor_weight=weight,
        corridor_ids=corridor_ids,
    )
