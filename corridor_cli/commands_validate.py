"""``corridor validate-data [CSV]``: the planner against published end-to-end transit times."""

from __future__ import annotations

import argparse

from planner import ServiceLevel, load_network
from planner.validation import (
    DEFAULT_TOLERANCE,
    RouteCheck,
    Summary,
    ValidationReport,
    bundled_published_routes_path,
    load_published_routes,
    validate_published_routes,
)

from ._help import command_parser, output_options
from ._output import print_json
from ._table import Cell, Column, render_table
from ._text import paragraph


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = command_parser(
        sub,
        "validate-data",
        help="compare the planner's typical times with published end-to-end transit times",
        description="""
            Plan every row of a published-routes CSV (default: the bundled validation set,
            tests/validation/published_routes.csv) at its service level, month, modes, via places,
            corridor and scenario, and compare the typical time with the published range widened by
            the tolerance. Prints one line per row and the totals: the share within range and the
            median |log(planner / published mid)|, overall, by service level and for the rows
            independent of the network's parameters.
        """,
        epilog="""
            columns: published d (the published range), mid (its middle), planner d, p50 and p90
            (the planner's typical, P50 and P90 days), wait (days of waiting for the first departure
            left out, for rows measured from the departure), log (log of planner / mid), within (inside
            the widened range).

            examples:
              corridor validate-data
              corridor validate-data --tolerance 0.2
              corridor validate-data my-routes.csv --network my-network.yaml --json
        """,
    )
    parser.add_argument("csv", nargs="?", metavar="CSV", help="published routes (default: the bundled validation set)")
    parser.add_argument("--network", help="network file (default: the bundled network)")
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE, help="widening of each published range (default 0.3)")
    output_options(parser)
    parser.set_defaults(run=_run)


def _days(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _row(check: RouteCheck) -> list[Cell]:
    r = check.row
    published = f"{r.days_min:g}" if r.days_min == r.days_max else f"{r.days_min:g}-{r.days_max:g}"
    log = check.log_error
    return [
        r.id,
        f"{r.origin} > {r.destination}",
        r.service.value,
        r.month or "",
        published,
        f"{r.days_mid:g}",
        _days(check.typical_days),
        _days(check.p50_days),
        _days(check.p90_days),
        f"{check.first_wait_days:.1f}" if r.measured_from == "departure" else "(kept)",
        "-" if log is None else f"{log:+.2f}",
        "yes" if check.within else "NO",
        check.error or r.routing,
    ]


def _summary_line(label: str, s: Summary) -> str:
    med = "-" if s.median_abs_log is None else f"{s.median_abs_log:.3f}"
    signed = "-" if s.median_log is None else f"{s.median_log:+.3f}"
    return f"{label:<28} {s.within:>3}/{s.rows:<3} within ({s.share_within:6.1%})   median |log| {med}   median log {signed}"


def _summary_dict(s: Summary) -> dict[str, object]:
    return {"rows": s.rows, "within": s.within, "share_within": round(s.share_within, 4),
            "median_abs_log": None if s.median_abs_log is None else round(s.median_abs_log, 4),
            "median_log": None if s.median_log is None else round(s.median_log, 4)}  # fmt: skip


def _json(report: ValidationReport) -> dict[str, object]:
    rows = []
    for c in report.checks:
        rows.append(
            {
                "id": c.row.id, "origin": c.row.origin, "destination": c.row.destination, "service": c.row.service.value,
                "month": c.row.month, "published_days_min": c.row.days_min, "published_days_max": c.row.days_max,
                "measured_from": c.row.measured_from, "planner_days": c.typical_days, "planner_p50_days": c.p50_days,
                "planner_p90_days": c.p90_days, "first_wait_days": round(c.first_wait_days, 3),
                "log_error": None if c.log_error is None else round(c.log_error, 4), "within": c.within,
                "places": list(c.places), "error": c.error,
            }
        )  # fmt: skip
    return {
        "tolerance": report.tolerance,
        "rows": rows,
        "totals": _summary_dict(report.summary()),
        "by_service": {level.value: _summary_dict(s) for level, s in report.by_service().items()},
        "independent_rows": _summary_dict(report.independent()),
        "all_rows_waits_kept": _summary_dict(report.summary(from_ready=True)),
    }


def _run(args: argparse.Namespace) -> int:
    network = load_network(args.network)
    path = args.csv or bundled_published_routes_path()
    report = validate_published_routes(network, load_published_routes(path), tolerance=args.tolerance)
    if args.json:
        print_json(_json(report))
        return 0
    print(paragraph(f"Published routes ({path}) against the network {network.info.id} {network.info.version}:", wide=args.wide))
    print(
        paragraph(
            f"typical days vs the published range widened by ±{report.tolerance:.0%}; rows measured from the first "
            "departure leave out the planner's wait for it (column 'wait')",
            wide=args.wide,
        )
        + "\n"
    )
    columns = [
        Column("row"), Column("pair", flex=True, min_width=20), Column("service"), Column("mo", right=True, drop=1),
        Column("published d"), Column("mid", right=True, drop=4), Column("planner d", right=True),
        Column("p50", right=True, drop=3), Column("p90", right=True), Column("wait", right=True, drop=2),
        Column("log", right=True), Column("within"), Column("routing", flex=True, min_width=24, drop=5),
    ]  # fmt: skip
    print(render_table(columns, [_row(c) for c in report.checks], wide=args.wide))
    failed = [c for c in report.checks if c.error]
    if failed:
        print()
        for check in failed:
            print(paragraph(f"row {check.row.id}: {check.error}", wide=args.wide, indent="  "))
    print()
    print(_summary_line("all rows", report.summary()))
    for level in ServiceLevel:
        if level in report.by_service():
            print(_summary_line(f"  {level.value}", report.by_service()[level]))
    print(_summary_line("independent rows only", report.independent()))
    print(_summary_line("all rows, waits kept", report.summary(from_ready=True)))
    note = "  (every row counted from readiness: the wait for the first departure kept where the published time starts at it)"
    print(paragraph(note, wide=args.wide, indent="   "))
    return 0
