"""docker-compose.yml and the Dockerfile: services, volumes, health checks, no public Dask port, real commands."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

import pytest
import yaml
from batch_helpers import ROOT

from corridor_cli.main import build_parser

COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return data


def _command(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def _check_command(words: list[str]) -> None:
    if words[0] == "corridor":
        build_parser().parse_args(words[1:])  # exits (SystemExit) on an unknown subcommand or option
    else:
        assert words[0] == "dask", words
        assert words[1] in ("scheduler", "worker"), words


def test_the_stack_has_the_api_a_scheduler_and_two_workers(compose: dict[str, Any]) -> None:
    services = compose["services"]
    workers = [name for name, s in services.items() if _command(s)[:2] == ["dask", "worker"]]
    assert "api" in services
    assert "dask-scheduler" in services
    assert len(workers) == 2
    for name in workers:
        assert "tcp://dask-scheduler:8786" in _command(services[name])
    assert services["api"]["environment"]["CORRIDOR_DASK_SCHEDULER"] == "tcp://dask-scheduler:8786"


def test_the_data_directory_is_a_named_volume(compose: dict[str, Any]) -> None:
    api = compose["services"]["api"]
    data_dir = api["environment"]["CORRIDOR_DATA_DIR"]
    mounts = {m.split(":")[1]: m.split(":")[0] for m in api["volumes"]}
    assert mounts[data_dir] in compose["volumes"]


def test_every_service_has_a_health_check(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        assert service.get("healthcheck", {}).get("test"), name
    assert "HEALTHCHECK" in DOCKERFILE.read_text()


def _published(entry: Any) -> tuple[str, str]:
    """(host address, container port) of a ports entry; an address-less entry is published on every address."""
    if isinstance(entry, dict):
        return str(entry.get("host_ip", "0.0.0.0")), str(entry["target"])
    parts = str(entry).rsplit(":", 2)
    if len(parts) == 3:
        return parts[0], parts[2].split("/")[0]
    return "0.0.0.0", parts[-1].split("/")[0]


def test_no_service_publishes_the_dask_ports_publicly(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for entry in service.get("ports", []):
            address, port = _published(entry)
            if port in ("8786", "8787"):
                assert address in ("127.0.0.1", "::1", "[::1]"), (name, entry)
        assert "network_mode" not in service or service["network_mode"] != "host", name
    scheduler = _command(compose["services"]["dask-scheduler"])
    assert "dask-scheduler" not in [n for n, s in compose["services"].items() if s.get("ports")]
    dashboard = scheduler[scheduler.index("--dashboard-address") + 1]
    assert dashboard.startswith("127.0.0.1:")
    assert compose["networks"]["cluster"]["internal"] is True


def test_every_command_is_one_the_project_provides(compose: dict[str, Any]) -> None:
    for service in compose["services"].values():
        _check_command(_command(service))
    match = re.search(r"^CMD (\[.*\])$", DOCKERFILE.read_text(), re.MULTILINE)
    assert match
    _check_command(json.loads(match.group(1)))


def test_the_image_runs_as_a_non_root_user_and_installs_dask() -> None:
    text = DOCKERFILE.read_text()
    assert text.startswith("#") or "FROM python:3.11-slim" in text
    assert re.search(r"^USER (?!root)\S+", text, re.MULTILINE)
    assert 'pip install ".[dask]"' in text
