"""Finding places by id, name or alias, forgiving case, accents, apostrophes and punctuation."""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

from .cache import CacheSlot
from .errors import UnknownPlaceError
from .model import Place
from .network import Network

__all__ = ["PlaceMatch", "find_place", "normalize_name", "search_places", "suggest_places"]


def normalize_name(text: str) -> str:
    """Fold a place name for matching: ``"Xi’an"``, ``"XIAN"`` and ``"xi-an"`` all give ``"xian"``.

    Accents are stripped, case is folded, and everything that is not a letter or digit
    (apostrophes, hyphens, spaces, dots) is dropped. Letters of other scripts are kept.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in stripped.casefold() if ch.isalnum())


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """A search hit: the place, the spelling that matched and how well (1.0 = exact)."""

    place: Place
    matched: str
    score: float


class _Index:
    def __init__(self, network: Network) -> None:
        self.keys: dict[str, list[tuple[str, str]]] = {}
        for place in network.places.values():
            for spelling in (place.id, place.name, *place.aliases):
                key = normalize_name(spelling)
                if key:
                    entries = self.keys.setdefault(key, [])
                    if all(pid != place.id for pid, _ in entries):
                        entries.append((place.id, spelling))
        self.sorted_keys = sorted(self.keys)


_INDEX = CacheSlot[None, _Index]("place names", max_entries=1)


def _index(network: Network) -> _Index:
    return network.caches.get(_INDEX, None, lambda: _Index(network))


def suggest_places(network: Network, query: str, *, limit: int = 3) -> list[str]:
    """Return names of places whose spellings are close to ``query`` (did-you-mean)."""
    index = _index(network)
    key = normalize_name(query)
    if not key:
        return []
    close = difflib.get_close_matches(key, index.sorted_keys, n=limit * 3, cutoff=0.6)
    names: list[str] = []
    for match in close:
        for place_id, _ in index.keys[match]:
            name = network.places[place_id].name
            if name not in names:
                names.append(name)
    return names[:limit]


def find_place(network: Network, query: str, *, field: str | None = None) -> Place:
    """Return the place whose id, name or alias matches ``query``.

    Raises
    ------
    UnknownPlaceError
        No place matches, or the query matches several places; ``suggestions`` lists candidates.
    """
    if query in network.places:
        return network.places[query]
    index = _index(network)
    hits = index.keys.get(normalize_name(query), [])
    if len(hits) == 1:
        return network.places[hits[0][0]]
    if len(hits) > 1:
        names = [f"{network.places[pid].name} ({pid})" for pid, _ in hits]
        raise UnknownPlaceError(query, names, field=field, ambiguous=True)
    raise UnknownPlaceError(query, suggest_places(network, query), field=field)


def search_places(network: Network, query: str, *, limit: int = 10) -> list[PlaceMatch]:
    """Rank places for autocomplete: exact matches, then prefixes, then substrings, then near misses."""
    index = _index(network)
    key = normalize_name(query)
    if not key:
        return []
    best: dict[str, PlaceMatch] = {}

    def offer(place_id: str, spelling: str, score: float) -> None:
        current = best.get(place_id)
        if current is None or score > current.score:
            best[place_id] = PlaceMatch(network.places[place_id], spelling, score)

    for candidate, entries in index.keys.items():
        if candidate == key:
            score = 1.0
        elif candidate.startswith(key):
            score = 0.9 - 0.001 * (len(candidate) - len(key))
        elif key in candidate:
            score = 0.7 - 0.001 * (len(candidate) - len(key))
        else:
            continue
        for place_id, spelling in entries:
            offer(place_id, spelling, score)
    if len(best) < limit:
        for candidate in difflib.get_close_matches(key, index.sorted_keys, n=limit, cutoff=0.7):
            ratio = difflib.SequenceMatcher(None, key, candidate).ratio()
            for place_id, spelling in index.keys[candidate]:
                offer(place_id, spelling, 0.5 * ratio)
    ranked = sorted(best.values(), key=lambda m: (-m.score, m.place.name))
    return ranked[:limit]
