from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_helpers import KEY_A, KEY_B, TestClient, digest, started, tiny_settings


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """A server on the tiny fixture network, no keys, no rate limit."""
    yield from started(tiny_settings())


@pytest.fixture(scope="module")
def keyed_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A server that requires API keys (KEY_A in the settings, KEY_B in a keys file).

    Failed key checks are not throttled here (tests/api/test_hardening.py tests the throttle): a test that
    calls every endpoint without a key makes more than the default 30 such calls a minute."""
    keys_file = tmp_path_factory.mktemp("keys") / "keys.txt"
    keys_file.write_text(f"# test keys\n{digest(KEY_B)}  # beta\n\n")
    data_dir = tmp_path_factory.mktemp("data")
    yield from started(tiny_settings(api_keys=digest(KEY_A), api_keys_file=keys_file, data_dir=data_dir, auth_failures_per_minute=0))
