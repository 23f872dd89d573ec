"""Grouped evaluation (one tree per origin and options) writes the very lines row-by-row evaluation writes."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

import planner
from planner.batch import BatchRow, _grouped, evaluate_row, evaluate_rows


def random_batch(network: planner.Network, n: int, seed: int) -> list[BatchRow]:
    """Rows as a logistics firm sends them: names and ids, repeated options, a few odd or bad rows."""
    rnd = random.Random(seed)
    ids = sorted(network.places)
    names = [network.places[p].name for p in ids]
    origins = rnd.sample(range(len(ids)), 12)  # few origins: groups of many rows
    option_sets: list[dict[str, Any]] = []
    for _ in range(10):
        options: dict[str, Any] = {"service": rnd.choice([None, "express", "scheduled", "standard"])}
        options["rank"] = rnd.choice([None, "time", "cost", "co2e", "generalized"])
        roll = rnd.random()
        if roll < 0.25:
            options["container"], options["teu"] = "40ft", rnd.choice([2.0, 6.0])
        elif roll < 0.45:
            options["tonnes"] = rnd.choice([20.0, 150.0, 3000.0])
        elif roll < 0.6:
            options["teu"] = rnd.choice([1.0, 5.0])
        if rnd.random() < 0.3:
            options["departure_date"] = f"2025-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        if rnd.random() < 0.15:
            options["avoid_countries"] = (rnd.choice(["RU", "IR", "KZ"]),)
        if rnd.random() < 0.15:
            options["scenario"] = rnd.choice(["cku_opened", "red_sea_closed", "caspian_ferries_halved"])
        if "departure_date" not in options and rnd.random() < 0.2:
            options["month"] = rnd.randint(1, 12)
        if rnd.random() < 0.1:
            options["avoid_places"] = (rnd.choice(["almaty", "aktau", "moscow"]),)
        if rnd.random() < 0.1:
            options["modes"] = rnd.choice([("rail", "sea"), ("rail", "road")])
        option_sets.append(options)
    rows = []
    for i in range(1, n + 1):
        o = rnd.choice(origins)
        d = rnd.randrange(len(ids))
        use_names = rnd.random() < 0.3
        row: dict[str, Any] = {
            "row": i,
            "id": f"r{i}",
            "origin": names[o] if use_names else ids[o],
            "destination": names[d] if use_names else ids[d],
            **{k: v for k, v in rnd.choice(option_sets).items() if v is not None},
        }
        roll = rnd.random()
        if roll < 0.04:
            row["k"] = 3
        elif roll < 0.06:
            row["rank"] = rnd.choice(["reliable", "pareto"])
        elif roll < 0.08:
            row["via"] = ("almaty",)
        elif roll < 0.09:
            row["corridor"] = "titr"
        elif roll < 0.095:
            row["max_border_crossings"] = 3
        elif roll < 0.10:
            row["destination"] = "Atlantis"
        elif roll < 0.11:
            row["scenario"] = "no_such_scenario"
        elif roll < 0.12:
            row["teu"] = -1.0
        rows.append(BatchRow(**row))
    return rows


def lines(outcomes: list[Any]) -> list[tuple[int, bool, list[dict[str, Any]]]]:
    return [(o.row, o.ok, json.loads(o.lines_json)) for o in outcomes]


def test_1500_random_rows_get_the_lines_evaluate_row_writes(
    eurasia: planner.Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = random_batch(eurasia, 1500, seed=11)
    alone: list[int] = []

    def counting(network: planner.Network, row: BatchRow) -> Any:
        alone.append(row.row)
        return evaluate_row(network, row)

    monkeypatch.setattr(_grouped, "evaluate_row", counting)
    grouped = evaluate_rows(eurasia, rows)
    monkeypatch.undo()
    one_by_one = [evaluate_row(eurasia, row) for row in rows]
    assert [o.row for o in grouped] == [row.row for row in rows]
    assert lines(grouped) == lines(one_by_one)
    ok = sum(o.ok for o in one_by_one)
    assert ok > 1000
    assert sum(not o.ok for o in one_by_one) > 20  # errors are reported in their rows too
    assert len(alone) < 0.25 * len(rows)  # most rows came from trees


def test_rows_of_one_origin_in_any_order_and_chunking_give_the_same_lines(eurasia: planner.Network) -> None:
    rows = random_batch(eurasia, 300, seed=5)
    whole = lines(evaluate_rows(eurasia, rows))
    shuffled = rows[:]
    random.Random(1).shuffle(shuffled)
    by_row = {o[0]: o for o in whole}
    pieces = [evaluate_rows(eurasia, shuffled[i : i + 37]) for i in range(0, len(shuffled), 37)]
    assert sorted(o for piece in pieces for o in lines(piece)) == sorted(by_row.values())


def test_a_job_hands_out_each_pending_row_once_with_one_origins_rows_together(tmp_path: Any, tiny: planner.Network) -> None:
    from planner.batch import JobStore

    rnd = random.Random(3)
    places = ["a1", "a2", "b1", "b2", "c1", "c2"]
    rows = [
        BatchRow(row=i, origin=rnd.choice(places), destination=rnd.choice(places), teu=rnd.choice([None, 2.0]))
        for i in range(1, 601)
    ]
    store = JobStore(tmp_path / "jobs.sqlite3")
    job, _ = store.create_job(rows, owner="me", network_digest=tiny.digest)
    store.record(job.id, evaluate_rows(tiny, rows[:50]))  # these are done: not handed out again
    chunks = list(store.pending_chunks(job.id, 60, grouped=True))
    handed = [row.row for chunk in chunks for row in chunk]
    assert sorted(handed) == list(range(51, 601))
    # About 92 pending rows per origin: each origin's rows in one chunk, chunks cut between origins.
    for origin in places:
        holding = [i for i, chunk in enumerate(chunks) if any(row.origin == origin for row in chunk)]
        assert len(holding) == 1, origin
    assert all(60 <= len(chunk) <= 300 for chunk in chunks[:-1])
    store.close()


def test_chunks_are_cut_between_origins_once_full_and_inside_one_at_five_times_the_size() -> None:
    from planner.batch._order import grouped_chunks

    items = [(i, "a", 1) for i in range(3)] + [(i, "b", 1) for i in range(3, 20)] + [(i, "c", 1) for i in range(20, 22)]
    assert [len(c) for c in grouped_chunks(items, 2)] == [3, 10, 7, 2]
    slow = [(i, "a", 10) for i in range(7)] + [(i, "b", 1) for i in range(7, 33)]
    assert [len(c) for c in grouped_chunks(slow, 10)] == [5, 2, 26]
    with pytest.raises(ValueError, match="at least 1"):
        list(grouped_chunks(items, 0))
