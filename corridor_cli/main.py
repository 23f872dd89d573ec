"""Entry point of the ``corridor`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from planner import PlannerError

from . import commands_network, commands_route

# Each command module exposes ``register(subparsers)``; the parser dispatches to ``args.run``.
_MODULES = [commands_network, commands_route]


def _optional_modules() -> list[object]:
    modules: list[object] = []
    for name in ("commands_compare", "commands_serve", "commands_batch"):
        try:
            modules.append(__import__(f"corridor_cli.{name}", fromlist=["register"]))
        except ModuleNotFoundError as exc:
            if exc.name != f"corridor_cli.{name}":
                raise
    return modules


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corridor",
        description="Plan and compare multimodal freight routes on the Eurasian corridors.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in [*_MODULES, *_optional_modules()]:
        module.register(sub)  # type: ignore[attr-defined]
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
