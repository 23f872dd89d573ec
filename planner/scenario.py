"""What-if scenarios: named lists of changes applied to one request's copy of the network.

A scenario never edits the shared network: :func:`apply_scenario` returns a new, frozen
:class:`~planner.model.Network` with the changes made, and requests planned on it see them;
every other request keeps seeing the original. Change types::

    close_place: ID                                 close_link: ID
    close_border: CC                                (every link crossing into or out of CC)
    add_delay: {place: ID, hours: H}                set_border_dwell: {place: ID, hours: H | {typical, min, max}}
    multiply_tariff: {mode | link | country: X, factor: F}
    set_departures: {link: ID, per_week: N}         add_link: {<a link as in the network format>}
    open_link: ID                                   (a planned link starts operating)
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from . import _schema as s
from .errors import NoRouteError, ScenarioError
from .loader import _hours, _parse_yaml, link_from_spec
from .model import Border, Figure, HoursRange, Link, LinkStatus, Mode, ModeDefaults, Network, Provenance
from .route import Route
from .routing import RoutePlan, plan, resolve_request

__all__ = [
    "Scenario",
    "ScenarioPlan",
    "apply_scenario",
    "bundled_scenarios",
    "load_bundled_scenario",
    "load_scenario",
    "parse_scenario",
    "plan_with_scenario",
    "scenario_dir",
]

MAX_SCENARIO_BYTES = 256 * 1024
MAX_CHANGES = 200


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Delay(_Strict):
    place: s.Slug
    hours: s.PositiveNumber


class _Dwell(_Strict):
    place: s.Slug
    hours: s.Hours
    fee_usd_per_teu: s.NonNegativeNumber | None = None


class _Tariff(_Strict):
    mode: s.ModeName | None = None
    link: s.Slug | None = None
    country: s.Country | None = None
    factor: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False, strict=True)]

    @model_validator(mode="after")
    def _one_target(self) -> _Tariff:
        if sum(x is not None for x in (self.mode, self.link, self.country)) != 1:
            raise ValueError("give exactly one of mode, link or country")
        return self


class _Departures(_Strict):
    link: s.Slug
    per_week: s.PositiveNumber


class _NewLink(s.LinkSpec):
    pass


class ChangeSpec(_Strict):
    close_place: s.Slug | None = None
    close_link: s.Slug | None = None
    close_border: s.Country | None = None
    add_delay: _Delay | None = None
    set_border_dwell: _Dwell | None = None
    multiply_tariff: _Tariff | None = None
    set_departures: _Departures | None = None
    add_link: _NewLink | None = None
    open_link: s.Slug | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ChangeSpec:
        given = [name for name in type(self).model_fields if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("each change must have exactly one of " + ", ".join(type(self).model_fields))
        return self


class _SourceRef(_Strict):
    publisher: s.Text
    title: s.Text
    year: Annotated[int, Field(ge=1800, le=2100, strict=True)]
    url: Annotated[str, StringConstraints(max_length=2000)] | None = None


class ScenarioSpec(_Strict):
    name: s.Slug
    title: s.Text
    description: s.Text = "(no description)"
    sources: list[_SourceRef] = []
    estimate: s.Text | None = None
    changes: Annotated[list[ChangeSpec], Field(min_length=1, max_length=MAX_CHANGES)]


@dataclass(frozen=True, slots=True)
class Scenario:
    """A validated scenario; ``key`` identifies its content."""

    name: str
    title: str
    description: str
    spec: ScenarioSpec
    key: str

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "sources": [src.model_dump(exclude_none=True) for src in self.spec.sources],
            "estimate": self.spec.estimate,
            "changes": [c.model_dump(exclude_none=True, by_alias=True) for c in self.spec.changes],
        }


def scenario_dir() -> Path:
    """Directory of the bundled scenario files (installed or from a checkout)."""
    packaged = resources.files("planner").joinpath("_graphs", "scenarios")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "graphs" / "scenarios"


def _errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False)[:10]:
        loc = ".".join(str(p) for p in err["loc"] if p not in ("number", "spec"))
        parts.append(f"{loc or 'scenario'}: {err['msg']}")
    return "invalid scenario: " + "; ".join(parts)


def parse_scenario(data: Mapping[str, Any] | str, network: Network) -> Scenario:
    """Validate a scenario given as a mapping, or as YAML/JSON text, against ``network``.

    Raises
    ------
    ScenarioError
        The scenario is malformed or names places, links or countries the network lacks.
    """
    if isinstance(data, str):
        if len(data.encode("utf-8", "surrogatepass")) > MAX_SCENARIO_BYTES:
            raise ScenarioError(f"scenario text is over {MAX_SCENARIO_BYTES} bytes", field="scenario")
        try:
            raw, _ = _parse_yaml(data, "<scenario>")
        except Exception as exc:  # noqa: BLE001 - any parse failure is the caller's input error
            raise ScenarioError(f"scenario is not valid YAML/JSON: {exc}", field="scenario") from None
        data = raw
    if not isinstance(data, Mapping):
        raise ScenarioError("a scenario must be an object with name, title and changes", field="scenario")
    try:
        spec = ScenarioSpec.model_validate(dict(data))
    except ValidationError as exc:
        raise ScenarioError(_errors(exc), field="scenario") from None
    _check_references(spec, network)
    canonical = json.dumps(spec.model_dump(mode="json", by_alias=True), sort_keys=True)
    key = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    return Scenario(spec.name, spec.title, spec.description, spec, key)


def _check_references(spec: ScenarioSpec, network: Network) -> None:
    added = {c.add_link.id for c in spec.changes if c.add_link is not None}
    for n, change in enumerate(spec.changes, start=1):
        where = f"change {n}"
        places = []
        links = []
        if change.close_place:
            places.append(change.close_place)
        if change.add_delay:
            places.append(change.add_delay.place)
        if change.set_border_dwell:
            places.append(change.set_border_dwell.place)
            dwell_place = network.places.get(change.set_border_dwell.place)
            if dwell_place is not None and dwell_place.border is None:
                raise ScenarioError(
                    f"{where}: set_border_dwell: {dwell_place.name} has no border controls", field="scenario"
                )
        if change.close_link:
            links.append(change.close_link)
        if change.open_link:
            links.append(change.open_link)
            opened = network.links.get(change.open_link)
            if opened is not None and opened.status is not LinkStatus.PLANNED:
                raise ScenarioError(f"{where}: open_link: link {opened.id} is already operational", field="scenario")
        if change.set_departures:
            links.append(change.set_departures.link)
        if change.multiply_tariff and change.multiply_tariff.link:
            links.append(change.multiply_tariff.link)
        for country in (change.close_border, change.multiply_tariff.country if change.multiply_tariff else None):
            if country and country not in network.countries:
                raise ScenarioError(f"{where}: country {country} has no place in the network", field="scenario")
        if change.add_link:
            new = change.add_link
            if new.id in network.links:
                raise ScenarioError(f"{where}: add_link: link id {new.id} already exists", field="scenario")
            places.extend([new.from_, new.to])
            if new.mode == "rail" and new.gauge_mm is None:
                raise ScenarioError(f"{where}: add_link: rail links need gauge_mm", field="scenario")
            if new.from_ == new.to:
                raise ScenarioError(f"{where}: add_link: a link must join two different places", field="scenario")
        for place in places:
            if place not in network.places:
                raise ScenarioError(f"{where}: unknown place '{place}'", field="scenario")
        for link in links:
            if link not in network.links and link not in added:
                raise ScenarioError(f"{where}: unknown link '{link}'", field="scenario")


def _scaled(figure: Figure, factor: float, why: str) -> Figure:
    return Figure(figure.value * factor, Provenance(figure.provenance.sources, f"scenario: {why}"))


def _link_cost(network: Network, link: Link) -> Figure:
    if link.cost_usd_per_teu is not None:
        return link.cost_usd_per_teu
    rate = network.modes[link.mode].cost_usd_per_teu_km
    return Figure(link.distance_km.value * rate.value, rate.provenance)


def apply_scenario(network: Network, scenario: Scenario) -> Network:
    """Return a new network with the scenario's changes; ``network`` is left untouched."""
    places = dict(network.places)
    links = dict(network.links)
    modes = dict(network.modes)
    prov = Provenance((), f"scenario {scenario.name}")
    for change in scenario.spec.changes:
        if change.close_place:
            links = {k: v for k, v in links.items() if change.close_place not in v.ends}
        elif change.close_link:
            links.pop(change.close_link, None)
        elif change.close_border:
            cc = change.close_border

            def crosses(link: Link, cc: str = cc) -> bool:
                a, b = places[link.origin].country, places[link.destination].country
                return a != b and cc in (a, b)

            links = {k: v for k, v in links.items() if not crosses(v)}
        elif change.add_delay:
            place = places[change.add_delay.place]
            places[place.id] = replace(place, delay_hours=place.delay_hours + change.add_delay.hours)
        elif change.set_border_dwell:
            d = change.set_border_dwell
            place = places[d.place]
            assert place.border is not None
            fee = place.border.fee_usd_per_teu if d.fee_usd_per_teu is None else Figure(d.fee_usd_per_teu, prov)
            dwell: HoursRange = _hours(d.hours, s._Provenanced(estimate=f"scenario {scenario.name}"))
            places[place.id] = replace(place, border=Border(dwell, fee))
        elif change.multiply_tariff:
            t = change.multiply_tariff
            why = f"{scenario.name} x{t.factor:g}"
            if t.mode:
                mode = Mode(t.mode)
                d0 = modes[mode]
                modes[mode] = ModeDefaults(mode, d0.speed_kmh, _scaled(d0.cost_usd_per_teu_km, t.factor, why), d0.co2e_g_per_tonne_km)
                for k, v in links.items():
                    if v.mode is mode and v.cost_usd_per_teu is not None:
                        links[k] = replace(v, cost_usd_per_teu=_scaled(v.cost_usd_per_teu, t.factor, why))
            else:
                for k, v in links.items():
                    hit = v.id == t.link if t.link else t.country in (places[v.origin].country, places[v.destination].country)
                    if hit:
                        links[k] = replace(v, cost_usd_per_teu=_scaled(_link_cost(network, v), t.factor, why))
        elif change.set_departures:
            scheduled = links.get(change.set_departures.link)
            if scheduled is not None:
                links[scheduled.id] = replace(scheduled, departures_per_week=Figure(change.set_departures.per_week, prov))
        elif change.open_link:
            planned = links.get(change.open_link)
            if planned is not None:
                links[planned.id] = replace(planned, status=LinkStatus.OPERATIONAL)
        elif change.add_link:
            links[change.add_link.id] = link_from_spec(change.add_link)
    _check_gauges(places, links, scenario)
    info = replace(network.info, version=f"{network.info.version}+{scenario.name}")
    return Network(info, places, links, network.corridors, modes, network.sources, path=network.path, warnings=network.warnings)


def _check_gauges(places: Mapping[str, Any], links: Mapping[str, Link], scenario: Scenario) -> None:
    gauges: dict[str, set[int]] = {}
    for link in links.values():
        if link.mode is Mode.RAIL and link.gauge_mm is not None:
            for end in link.ends:
                gauges.setdefault(end, set()).add(link.gauge_mm)
    for place_id, found in gauges.items():
        if len(found) > 1 and places[place_id].gauge_change is None:
            raise ScenarioError(
                f"scenario {scenario.name}: rail links of 1435 and 1520 mm would meet at {place_id}, "
                "which has no gauge change",
                field="scenario",
            )


def scenario_network(network: Network, scenario: Scenario) -> Network:
    """The scenario's network, built once per scenario content and network."""
    value = network.cached(f"scenario:{scenario.key}", lambda: apply_scenario(network, scenario))
    assert isinstance(value, Network)
    return value


def bundled_scenarios() -> list[dict[str, Any]]:
    """Name, title, description and sources of each bundled scenario (graphs/scenarios/*.yaml)."""
    return copy.deepcopy(_bundled_summaries())


@lru_cache(maxsize=1)
def _bundled_summaries() -> list[dict[str, Any]]:
    # The bundled files ship with the package and do not change while it runs: read them once.
    out = []
    for path in sorted(scenario_dir().glob("*.yaml")):
        raw, _ = _parse_yaml(path.read_text(encoding="utf-8"), str(path))
        out.append(
            {
                "name": raw.get("name", path.stem),
                "title": raw.get("title", ""),
                "description": raw.get("description", ""),
                "sources": raw.get("sources", []),
            }
        )
    return out


def load_bundled_scenario(name: str, network: Network) -> Scenario:
    """A bundled scenario by name only (never a file path: for names that come from requests or batch rows)."""
    names = [sc["name"] for sc in _bundled_summaries()]
    if name not in names:
        raise ScenarioError(
            f"no bundled scenario is called {name!r}; bundled scenarios: {', '.join(names) or 'none'}", field="scenario"
        )
    return load_scenario(name, network)


def load_scenario(ref: str, network: Network) -> Scenario:
    """Load a scenario by bundled name (e.g. ``cku_opened``) or from a YAML/JSON file path."""
    candidate = scenario_dir() / f"{ref}.yaml"
    path = candidate if ref.replace("_", "").isalnum() and candidate.is_file() else Path(ref)
    if not path.is_file():
        names = ", ".join(sc["name"] for sc in bundled_scenarios())
        raise ScenarioError(f"unknown scenario {ref!r}: not a bundled name ({names}) nor a file", field="scenario")
    if path.stat().st_size > MAX_SCENARIO_BYTES:
        raise ScenarioError(f"scenario file {path} is over {MAX_SCENARIO_BYTES} bytes", field="scenario")
    if path == candidate:  # bundled: parsed and checked once per network
        scenario = network.cached(f"bundled-scenario:{ref}", lambda: parse_scenario(path.read_text(encoding="utf-8"), network))
        assert isinstance(scenario, Scenario)
        return scenario
    return parse_scenario(path.read_text(encoding="utf-8"), network)


# --- baseline vs scenario -------------------------------------------------------------------


def route_delta(base: Route, new: Route) -> dict[str, float]:
    """Scenario minus baseline: hours, P90 hours, USD, kg CO2e and generalized USD."""
    return {
        "transit_hours": round(new.transit_hours - base.transit_hours, 2),
        "transit_hours_p90": round(new.transit_hours_p90 - base.transit_hours_p90, 2),
        "cost_usd": round(new.cost_usd - base.cost_usd, 2),
        "co2e_kg": round(new.co2e_kg - base.co2e_kg, 2),
        "generalized_cost_usd": round(new.generalized_cost_usd - base.generalized_cost_usd, 2),
    }


@dataclass(frozen=True, slots=True)
class ScenarioPlan:
    """Routes planned on the baseline network and under a scenario, side by side."""

    scenario: Scenario
    baseline: RoutePlan | None
    baseline_error: str | None
    planned: RoutePlan | None
    planned_error: str | None

    def best_delta(self) -> dict[str, float] | None:
        if self.baseline and self.planned and self.baseline.routes and self.planned.routes:
            return route_delta(self.baseline.routes[0], self.planned.routes[0])
        return None

    def appeared(self) -> list[tuple[str, ...]]:
        base = {r.places for r in self.baseline.routes} if self.baseline else set()
        return [r.places for r in self.planned.routes if r.places not in base] if self.planned else []

    def vanished(self) -> list[tuple[str, ...]]:
        new = {r.places for r in self.planned.routes} if self.planned else set()
        return [r.places for r in self.baseline.routes if r.places not in new] if self.baseline else []

    def to_dict(self, network: Network) -> dict[str, Any]:
        from .export import request_to_dict, route_to_dict

        request = (self.planned or self.baseline)
        base_by_places = {r.places: r for r in self.baseline.routes} if self.baseline else {}
        routes = []
        for r in self.planned.routes if self.planned else ():
            item = route_to_dict(r, network)
            match = base_by_places.get(r.places)
            item["delta"] = route_delta(match, r) if match else None
            item["change"] = "unchanged-path" if match else "appears"
            routes.append(item)
        return {
            "request": request_to_dict(request.request) if request else None,
            "scenario": self.scenario.summary(),
            "routes": routes,
            "error": self.planned_error,
            "baseline": {
                "routes": [route_to_dict(r, network) for r in self.baseline.routes] if self.baseline else [],
                "error": self.baseline_error,
            },
            "delta": self.best_delta(),
            "appeared": [list(p) for p in self.appeared()],
            "vanished": [list(p) for p in self.vanished()],
        }

    def format_table(self, network: Network) -> str:
        lines = [f"scenario {self.scenario.name}: {self.scenario.title}"]
        for label, plan_, error in (("baseline", self.baseline, self.baseline_error), ("scenario", self.planned, self.planned_error)):
            if plan_ is None:
                lines.append(f"  {label}: no route ({error})")
                continue
            for r in plan_.routes:
                lines.append(
                    f"  {label} #{r.rank}: {r.transit_days:.1f} d (p90 {r.transit_hours_p90 / 24:.1f} d), "
                    f"${r.cost_usd:,.0f}, {r.co2e_kg:,.0f} kg CO2e  {' > '.join(r.places)}"
                )
        delta = self.best_delta()
        if delta:
            lines.append(
                f"  best route change: {delta['transit_hours']:+.1f} h, {delta['cost_usd']:+,.0f} USD, "
                f"{delta['co2e_kg']:+,.0f} kg CO2e"
            )
        for p in self.appeared():
            lines.append("  appears: " + " > ".join(p))
        for p in self.vanished():
            lines.append("  vanishes: " + " > ".join(p))
        return "\n".join(lines)


def plan_with_scenario(network: Network, scenario: Scenario, origin: str, destination: str, **options: Any) -> ScenarioPlan:
    """Plan the same request on the baseline network and under ``scenario``.

    Raises
    ------
    NoRouteError
        Neither the baseline nor the scenario has a route (the scenario's reason is given).
    """
    request = resolve_request(network, origin, destination, **options)
    changed = scenario_network(network, scenario)
    results: list[tuple[RoutePlan | None, str | None]] = []
    errors: list[NoRouteError] = []
    for net in (network, changed):
        try:
            results.append((plan(net, request), None))
        except NoRouteError as exc:
            results.append((None, str(exc)))
            errors.append(exc)
    if len(errors) == 2:
        raise errors[1]
    (base, base_error), (new, new_error) = results
    return ScenarioPlan(scenario, base, base_error, new, new_error)


