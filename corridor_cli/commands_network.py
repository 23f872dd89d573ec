"""``corridor network validate|info|export`` and ``corridor places``."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from planner import NetworkError, corridor_assets, load_network, search_places
from planner.export import network_geojson

from ._output import print_json, table


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    network = sub.add_parser("network", help="validate, describe or export a network file")
    nsub = network.add_subparsers(dest="network_command", metavar="ACTION", required=True)

    validate = nsub.add_parser("validate", help="check a network file; exit 1 listing every error")
    validate.add_argument("file", help="the network YAML file")
    validate.set_defaults(run=_validate)

    info = nsub.add_parser("info", help="counts by mode and country, and the corridors")
    info.add_argument("file", nargs="?", help="network file (default: the bundled network)")
    info.set_defaults(run=_info)

    export = nsub.add_parser("export", help="export the network")
    export.add_argument("file", nargs="?", help="network file (default: the bundled network)")
    export.add_argument("--geojson", action="store_true", required=True, help="GeoJSON FeatureCollection")
    export.set_defaults(run=_export)

    places = sub.add_parser("places", help="find places by id, name or alias")
    places.add_argument("query")
    places.add_argument("--network", help="network file (default: the bundled network)")
    places.add_argument("--limit", type=int, default=10)
    places.add_argument("--json", action="store_true")
    places.set_defaults(run=_places)


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
    print(table(["mode", "links", "km", "planned"], rows, right=(1, 2, 3)))
    print()
    by_country = Counter(p.country for p in network.places.values())
    print(table(["country", "places"], sorted(by_country.items()), right=(1,)))
    print()
    assets = corridor_assets(network)
    rows2 = [
        (c.id, c.name, len({p for line in c.lines for p in line}), len(assets[c.id]), ", ".join(c.aliases))
        for c in network.corridors.values()
    ]
    print(table(["corridor", "name", "places", "assets", "aliases"], rows2, right=(2, 3)))
    for warning in network.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def _export(args: argparse.Namespace) -> int:
    print_json(network_geojson(load_network(args.file)))
    return 0


def _places(args: argparse.Namespace) -> int:
    network = load_network(args.network)
    matches = search_places(network, args.query, limit=max(1, min(args.limit, 100)))
    if args.json:
        print_json([{"id": m.place.id, "name": m.place.name, "country": m.place.country, "kinds": sorted(k.value for k in m.place.kinds), "matched": m.matched, "score": round(m.score, 3)} for m in matches])
        return 0 if matches else 1
    if not matches:
        print(f"no place matches {args.query!r}", file=sys.stderr)
        return 1
    rows = [(m.place.id, m.place.name, m.place.country, ", ".join(sorted(k.value for k in m.place.kinds)), m.matched) for m in matches]
    print(table(["id", "name", "country", "kinds", "matched"], rows))
    return 0
