"""``corridor network validate|info|export``."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from planner import NetworkError, corridor_assets, load_network
from planner.export import network_geojson

from ._help import command_parser
from ._output import print_json
from ._table import Column, render_table


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    network = command_parser(
        sub,
        "network",
        help="validate, describe or export a network file",
        description="""
            Work on a network file (YAML; docs/network-format.md): check it, count what it holds, or
            export it as GeoJSON. Every figure in a network carries its source or is marked estimate.
        """,
        epilog="""
            examples:
              corridor network validate my-network.yaml
              corridor network info
              corridor network export --geojson > network.geojson
        """,
    )
    nsub = network.add_subparsers(dest="network_command", metavar="ACTION", required=True)

    validate = command_parser(
        nsub,
        "validate",
        help="check a network file; exit 1 listing every error",
        description="""
            Load and check a network file. Prints one line with the counts and exit code 0 when it
            is valid (warnings on standard error); else every error with its file:line, id and
            field, what was expected, and exit code 1.
        """,
        epilog="""
            example:
              corridor network validate graphs/eurasia.yaml
        """,
    )
    validate.add_argument("file", help="the network YAML file")
    validate.set_defaults(run=_validate)

    info = command_parser(
        nsub,
        "info",
        help="counts by mode and country, and the corridors",
        description="""
            The network's name, version and tariff year; links and kilometres by mode (planned links
            counted apart), places by country, and the corridors.
        """,
        epilog="""
            examples:
              corridor network info
              corridor network info my-network.yaml --wide
        """,
    )
    info.add_argument("file", nargs="?", help="network file (default: the bundled network)")
    info.add_argument("--wide", action="store_true", help="print every column whole, whatever the terminal's width")
    info.set_defaults(run=_info)

    export = command_parser(
        nsub,
        "export",
        help="export the network as GeoJSON",
        description="""
            Print the network as a GeoJSON FeatureCollection ([lon, lat]): a Point per place and a
            LineString per link, with their figures as properties (for QGIS, geojson.io, ...).
        """,
        epilog="""
            example:
              corridor network export --geojson > network.geojson
        """,
    )
    export.add_argument("file", nargs="?", help="network file (default: the bundled network)")
    export.add_argument("--geojson", action="store_true", required=True, help="GeoJSON FeatureCollection (required)")
    export.set_defaults(run=_export)


def _validate(args: argparse.Namespace) -> int:
    try:
        network = load_network(args.file)
    except NetworkError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    for warning in network.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"{args.file}: valid ({len(network.places)} places, {len(network.links)} links, "
        f"{len(network.corridors)} corridors, {len(network.warnings)} warnings)"
    )
    return 0


def _info(args: argparse.Namespace) -> int:
    network = load_network(args.file)
    print(f"{network.info.name} (id {network.info.id}, version {network.info.version}, tariffs in {network.info.currency_year} USD)")
    print(f"{len(network.places)} places, {len(network.links)} links, {len(network.corridors)} corridors, {len(network.sources)} sources\n")
    by_mode = Counter(link.mode.value for link in network.links.values())
    km: Counter[str] = Counter()
    for link in network.links.values():
        km[link.mode.value] += round(link.distance_km.value)
    planned = Counter(link.mode.value for link in network.links.values() if link.status.value == "planned")
    rows = [(m, by_mode[m], f"{km[m]:,.0f}", planned[m]) for m in sorted(by_mode)]
    print(render_table([Column("mode"), Column("links", right=True), Column("km", right=True), Column("planned", right=True)], rows, wide=args.wide))
    print()
    by_country = Counter(p.country for p in network.places.values())
    print(render_table([Column("country"), Column("places", right=True)], sorted(by_country.items()), wide=args.wide))
    print()
    assets = corridor_assets(network)
    rows2 = [
        (c.id, c.name, len({p for line in c.lines for p in line}), len(assets[c.id]), ", ".join(c.aliases))
        for c in network.corridors.values()
    ]
    columns = [
        Column("corridor"), Column("name", flex=True), Column("places", right=True), Column("assets", right=True),
        Column("aliases", flex=True),
    ]  # fmt: skip
    print(render_table(columns, rows2, wide=args.wide))
    for warning in network.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def _export(args: argparse.Namespace) -> int:
    print_json(network_geojson(load_network(args.file)))
    return 0
