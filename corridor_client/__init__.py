"""A typed Python client for the corridor-planner HTTP API; :mod:`corridor_client.models` is the API's wire format."""

from . import models

__all__ = ["models"]
