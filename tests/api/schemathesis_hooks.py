"""Two rules of the scenario format that JSON Schema cannot state, taught to schemathesis' generator.

JSON Schema cannot compare two values, so /openapi.json states these in words (the schemas'
descriptions) and the server enforces them with 422 (tests/api/test_scenarios.py shows it):

* an hours range has min <= typical <= max;
* a link added by a scenario joins two different places (``from`` != ``to``).

Bodies are repaired before they are sent (values re-ordered, ``to`` changed), so that
``positive_data_acceptance`` checks what the schema can promise. Loaded by schemathesis from
``SCHEMATHESIS_HOOKS`` (see test_live_server.py); every check stays on.
"""

from __future__ import annotations

from typing import Any

import schemathesis

_RANGE = ("min", "typical", "max")


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _repaired(node: Any) -> Any:
    if isinstance(node, list):
        return [_repaired(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _repaired(value) for key, value in node.items()}
    present = [key for key in _RANGE if out.get(key) is not None]  # null min or max: not given
    if "typical" in present and len(present) > 1 and all(_number(out[key]) for key in present):
        for key, value in zip(present, sorted(out[key] for key in present), strict=True):
            out[key] = value
    link = out.get("add_link")
    if isinstance(link, dict) and isinstance(link.get("from"), str) and link.get("from") == link.get("to"):
        out["add_link"] = {**link, "to": "a" if link["from"] != "a" else "b"}
    return out


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: Any) -> None:
    # Every phase sends its cases through here (a map_body hook misses the coverage phase's).
    if isinstance(case.body, dict | list):
        case.body = _repaired(case.body)
