"""``corridor places``, ``corridor corridors`` and ``corridor scenarios``: what a network has to offer."""

from __future__ import annotations

import argparse
import sys

from planner import (
    Network,
    PlaceKind,
    bundled_scenarios,
    load_network,
    load_scenario,
    resolve_corridor,
    search_places,
)
from planner.export import corridor_to_dict

from ._help import command_parser, output_options
from ._output import print_json
from ._table import Cell, Clip, Column, PlacePath, render_table
from ._text import paragraph

_MAX_LIMIT = 1000


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    places = command_parser(
        sub,
        "places",
        help="list places, or find them by id, name or alias",
        description="""
            Without QUERY, every place of the network (sorted by country, then name), filtered by
            --country and --kind. With QUERY, the places whose id, name or alias matches it, best
            first: exact, then prefix, then substring, then near misses (case, accents and
            apostrophes ignored). Any id, name or alias shown works as FROM, TO or --via elsewhere.
        """,
        epilog=f"""
            kinds (--kind):
              {", ".join(k.value for k in PlaceKind)}

            examples:
              corridor places                      # every place
              corridor places --country KZ --kind border_crossing
              corridor places tashkant             # did you mean Tashkent?
              corridor places "Alma-Ata" --json
        """,
    )
    places.add_argument("query", nargs="?", metavar="QUERY", help="id, name or alias to look for (default: list all)")
    places.add_argument("--country", action="append", default=[], metavar="CC", help="ISO country code; repeatable")
    places.add_argument(
        "--kind", action="append", default=[], choices=[k.value for k in PlaceKind], metavar="KIND", help="see kinds below; repeatable"
    )
    places.add_argument(
        "--limit", type=int, metavar="N", help=f"at most N places, 1..{_MAX_LIMIT} (default: 10 matches, or all listed)"
    )
    places.add_argument("--network", metavar="FILE", help="network file (default: the bundled network)")
    output_options(places)
    places.set_defaults(run=_places)

    corridors = command_parser(
        sub,
        "corridors",
        help="list the named corridors, or show one",
        description="""
            The network's named corridors: id, name, aliases, how many places they join and what they
            are. With ID (an id or alias), that corridor's description, main line and branches. An id
            or alias works as --corridor in `corridor route` and `corridor compare`.
        """,
        epilog="""
            examples:
              corridor corridors
              corridor corridors titr
              corridor corridors --json
        """,
    )
    corridors.add_argument("corridor", nargs="?", metavar="ID", help="a corridor's id or alias")
    corridors.add_argument("--network", metavar="FILE", help="network file (default: the bundled network)")
    output_options(corridors)
    corridors.set_defaults(run=_corridors)

    scenarios = command_parser(
        sub,
        "scenarios",
        help="list the bundled what-if scenarios, or show one",
        description="""
            The bundled what-if scenarios: name, title and what each changes. With NAME (or a scenario
            YAML file), its description, sources and changes, checked against the network. A name works
            as --scenario in `corridor route` and `corridor compare` and as the scenario column of a
            batch.
        """,
        epilog="""
            examples:
              corridor scenarios
              corridor scenarios cku_opened
              corridor scenarios my-scenario.yaml --network my-network.yaml
        """,
    )
    scenarios.add_argument("scenario", nargs="?", metavar="NAME|FILE", help="a bundled scenario's name or a YAML file")
    scenarios.add_argument("--network", metavar="FILE", help="network file (default: the bundled network)")
    output_options(scenarios)
    scenarios.set_defaults(run=_scenarios)


def _places(args: argparse.Namespace) -> int:
    network = load_network(args.network)
    if args.limit is not None and not 1 <= args.limit <= _MAX_LIMIT:
        print(f"corridor places: error: --limit must be 1..{_MAX_LIMIT}, got {args.limit}", file=sys.stderr)
        return 2
    countries = [c.upper() for c in args.country]
    unknown = sorted(set(countries) - set(network.countries))
    if unknown:
        known = ", ".join(sorted(network.countries))
        print(f"corridor places: error: no place in country {', '.join(unknown)}; countries: {known}", file=sys.stderr)
        return 2
    kinds = {PlaceKind(k) for k in args.kind}

    def wanted(place_id: str) -> bool:
        place = network.places[place_id]
        return (not countries or place.country in countries) and (not kinds or bool(kinds & place.kinds))

    if args.query is not None:
        matches = [m for m in search_places(network, args.query, limit=len(network.places)) if wanted(m.place.id)]
        matches = matches[: args.limit or 10]
        if args.json:
            print_json([{"id": m.place.id, "name": m.place.name, "country": m.place.country, "kinds": sorted(k.value for k in m.place.kinds), "matched": m.matched, "score": round(m.score, 3)} for m in matches])  # fmt: skip
            return 0 if matches else 1
        if not matches:
            print(f"no place matches {args.query!r}", file=sys.stderr)
            return 1
        columns = [Column("id"), Column("name"), Column("country"), Column("kinds", flex=True, min_width=12),
                   Column("matched", flex=True, min_width=12)]  # fmt: skip
        found: list[list[Cell]] = [[m.place.id, m.place.name, m.place.country, ", ".join(sorted(k.value for k in m.place.kinds)), m.matched] for m in matches]  # fmt: skip
        print(render_table(columns, found, wide=args.wide))
        return 0
    listed = sorted((p for p in network.places.values() if wanted(p.id)), key=lambda p: (p.country, p.name))
    listed = listed[: args.limit] if args.limit else listed
    if args.json:
        print_json([{"id": p.id, "name": p.name, "country": p.country, "kinds": sorted(k.value for k in p.kinds), "aliases": list(p.aliases)} for p in listed])  # fmt: skip
        return 0 if listed else 1
    if not listed:
        print("no place has the country and kind asked for", file=sys.stderr)
        return 1
    columns = [Column("id"), Column("name"), Column("country"), Column("kinds", flex=True, min_width=12),
               Column("aliases", flex=True, drop=1, min_width=16)]  # fmt: skip
    rows: list[list[Cell]] = [
        [p.id, p.name, p.country, ", ".join(sorted(k.value for k in p.kinds)), Clip(", ".join(p.aliases), 1)]
        for p in listed
    ]
    print(render_table(columns, rows, wide=args.wide))
    print(f"\n{len(listed)} of {len(network.places)} places")
    return 0


def _corridors(args: argparse.Namespace) -> int:
    network = load_network(args.network)
    if args.corridor is not None:
        corridor = resolve_corridor(network, args.corridor)
        if args.json:
            print_json(corridor_to_dict(corridor))
            return 0
        aliases = f" (also {', '.join(corridor.aliases)})" if corridor.aliases else ""
        print(paragraph(f"{corridor.id}: {corridor.name}{aliases}", wide=args.wide))
        if corridor.description:
            print("\n" + paragraph(corridor.description, wide=args.wide))
        print("\nmain line:\n" + _path_text(corridor.places, args.wide))
        for n, branch in enumerate(corridor.branches, start=1):
            print(f"branch {n}:\n" + _path_text(branch, args.wide))
        return 0
    if args.json:
        print_json({"corridors": [corridor_to_dict(c) for c in network.corridors.values()]})
        return 0
    columns = [Column("id"), Column("name", flex=True, min_width=16), Column("aliases", drop=1),
               Column("places", right=True), Column("branches", right=True, drop=2),
               Column("description", flex=True, min_width=24)]  # fmt: skip
    rows: list[list[Cell]] = [
        [c.id, c.name, ", ".join(c.aliases) or "-", str(len({p for line in c.lines for p in line})), str(len(c.branches)),
         Clip(c.description or "-", 2)]
        for c in network.corridors.values()
    ]  # fmt: skip
    print(render_table(columns, rows, wide=args.wide))
    return 0


def _path_text(places: tuple[str, ...], wide: bool) -> str:
    return paragraph("  " + str(PlacePath(places)), wide=wide, indent="  ")


def _scenarios(args: argparse.Namespace) -> int:
    if args.scenario is not None:
        network = load_network(args.network)
        scenario = load_scenario(args.scenario, network)
        summary = scenario.summary()
        if args.json:
            print_json(summary)
            return 0
        print(paragraph(f"{scenario.name}: {scenario.title}", wide=args.wide))
        print("\n" + paragraph(scenario.description, wide=args.wide))
        print("\nchanges:")
        for change in summary["changes"]:
            (kind, value), *_ = change.items()
            print(paragraph(f"  {kind}: {_change_text(network, kind, value)}", wide=args.wide, indent="    "))
        print("\nsources:")
        for source in summary["sources"]:
            year = f", {source['year']}" if source.get("year") else ""
            print(paragraph(f"  {source.get('publisher', '')}: {source.get('title', '')}{year}", wide=args.wide, indent="    "))
        if summary.get("estimate"):
            print(paragraph(f"  estimate: {summary['estimate']}", wide=args.wide, indent="    "))
        return 0
    scenarios = bundled_scenarios()
    if args.json:
        print_json({"scenarios": scenarios})
        return 0
    columns = [Column("name"), Column("title", flex=True, min_width=20), Column("description", flex=True, min_width=24)]
    rows = [[s["name"], s["title"], Clip(s["description"] or "-", 2)] for s in scenarios]
    print(render_table(columns, rows, wide=args.wide))
    return 0


def _change_text(network: Network, kind: str, value: object) -> str:
    """A change with link and place ids given their names: ``open_link: l084 (Kashgar – Makmal, rail)``."""
    if kind in ("open_link", "close_link") and isinstance(value, str) and value in network.links:
        link = network.links[value]
        a, b = network.places[link.origin].name, network.places[link.destination].name
        return f"{value} ({a} – {b}, {link.mode.value})"
    if kind == "close_place" and isinstance(value, str) and value in network.places:
        return f"{value} ({network.places[value].name})"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


