"""corridor-planner's HTTP API (FastAPI): thin endpoints over :mod:`planner`."""
