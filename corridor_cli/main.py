"""Entry point of the ``corridor`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from planner import PlannerError

from . import (
    commands_assign,
    commands_batch,
    commands_compare,
    commands_criticality,
    commands_network,
    commands_route,
    commands_serve,
    commands_validate,
)

# Each command module exposes ``register(subparsers)``; the parser dispatches to ``args.run``.
_MODULES = [
    commands_network,
    commands_route,
    commands_compare,
    commands_serve,
    commands_batch,
    commands_assign,
    commands_criticality,
    commands_validate,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corridor",
        description="Plan and compare multimodal freight routes on the Eurasian corridors.",
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
