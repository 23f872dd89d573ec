from __future__ import annotations

from pathlib import Path

import pytest

import planner

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def tiny() -> planner.Network:
    """The hand-computable fixture network (tests/fixtures/tiny.yaml)."""
    return planner.load_network(FIXTURES / "tiny.yaml")


@pytest.fixture(scope="session")
def eurasia() -> planner.Network:
    """The bundled network."""
    return planner.load_network()
