"""The ``corridor`` command line: a thin shell over :mod:`planner` (and :mod:`api` for ``serve``)."""
