"""govflow: deadlines, escalations and a tamper-evident history for disclosure requests and
public-opinion incidents. Everything installs under this one package.

This folder holds the edges: the composition root (``app``: configuration read once, the
services wired), the front ends (``cli``; the HTTP API and web pages next), the writers
they share (``presentation``), the demo (``demo``), the synthetic-data generator
(``synth``) and logging (``logs``). The domain and its services are ``govflow.workflow``
(folder ``workflow/``), persistence ``govflow.models`` (``models/``), the workers
``govflow.workers`` (``workers/``), shipped data ``govflow.configs`` (``configs/``);
``docs/architecture.md`` draws the layers.

May import: everything below (workflow, models, workers, configs); the front ends reach
the domain only through ``govflow.workflow.services``.
"""

import sys as _sys

if "structlog" not in _sys.modules and "rich" not in _sys.modules:
    # structlog's development module imports rich, when installed (typer brings it), for
    # coloured tracebacks that govflow never writes (its log lines are JSON): about a
    # tenth of every command's start-up. Hidden while structlog loads, rich stays
    # importable for typer's help pages.
    _sys.modules["rich"] = None  # type: ignore[assignment]
    try:
        import structlog  # noqa: F401
    finally:
        del _sys.modules["rich"]
