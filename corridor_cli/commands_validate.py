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

from ._output import print_json, table


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "validate-data",
        help="compare the planner's typical times with published end-to-end transit times",
        description=(
            "Plan every row of a published-routes CSV (default: tests/validation/published_routes.csv) at its "
            "service level, month, modes, via places, corridor and scenario, and compare the typical time with "
            "the published range widened by the tolerance. Prints one line per row and the totals: the share "
            "within range and the median |log(planner / published mid)|, overall, by service level and for the "
            "rows independent of the network's parameters."
        ),
    )
    parser.add_argument("csv", nargs="?", metavar="CSV", help="published routes (default: the bundled validation set)")
    parser.add_argument("--network", help="network file (default: the bundled network)")
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE, help="widening of each published range (default 0.3)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(run=_run)


def _days(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _row(check: RouteCheck) -> tuple[object, ...]:
    r = check.row
    published = f"{r.days_min:g}" if r.days_min == r.days_max else f"{r.days_min:g}-{r.days_max:g}"
    log = check.log_error
    return (
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
    )


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
    print(f"Published routes ({path}) against the network {network.info.id} {network.info.version}:")
    print(
        f"typical days vs the published range widened by ±{report.tolerance:.0%}; rows measured from the first "
        "departure leave out the planner's wait for it (column 'wait')\n"
    )
    headers = ["row", "pair", "service", "mo", "published d", "mid", "planner d", "p50", "p90", "wait", "log", "within", "routing"]
    print(table(headers, [_row(c) for c in report.checks], right=(5, 6, 7, 8, 9, 10)))
    print()
    print(_summary_line("all rows", report.summary()))
    for level in ServiceLevel:
        if level in report.by_service():
            print(_summary_line(f"  {level.value}", report.by_service()[level]))
    print(_summary_line("independent rows only", report.independent()))
    print(_summary_line("all rows, waits kept", report.summary(from_ready=True)))
    print("  (every row counted from readiness: the wait for the first departure kept where the published time starts at it)")
    return 0
