"""Entry point of the ``corridor`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from planner import PlannerError

from . import (
    commands_assign,
    commands_batch,
    commands_catalog,
    commands_compare,
    commands_network,
    commands_route,
    commands_serve,
    commands_validate,
)
from ._help import HelpFormatter

# Each command module exposes ``register(subparsers)``; the parser dispatches to ``args.run``.
_MODULES = [
    commands_route,
    commands_compare,
    commands_batch,
    commands_assign,
    commands_catalog,
    commands_network,
    commands_validate,
    commands_serve,
]


_EPILOG = """\
output: tables fit the terminal (COLUMNS if set, else the terminal's width, else
  100 columns when not a terminal); --wide prints every column whole; --json
  prints plain JSON for programs.

exit codes: 0 done; 1 a broken network file, no place matching, a busy port;
  2 a bad option or request (unknown place, no route under the constraints).

examples:
  corridor route "Xi'an" Tashkent
  corridor compare "Xi'an" Istanbul --rank cost
  corridor places --country UZ
  corridor scenarios
  corridor batch pairs.csv -o results.csv
  corridor serve --port 8080"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corridor",
        description=(
            "Plan and compare multimodal freight routes (rail, road, sea) on the Eurasian corridors "
            "through Central Asia: transit time (typical, P50, P90), cost, CO2e, borders and changes, "
            "each figure from a named source. `corridor COMMAND --help` explains a command's options "
            "and gives examples."
        ),
        epilog=_EPILOG,
        formatter_class=HelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except PlannerError as exc:
        print(f"corridor: error: {exc}", file=sys.stderr)
        return 1 if exc.code.startswith("network") else 2
    except KeyboardInterrupt:
        print("corridor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
