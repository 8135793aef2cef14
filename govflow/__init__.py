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
from importlib.machinery import ModuleSpec as _ModuleSpec
from importlib.machinery import PathFinder as _PathFinder
from typing import Any as _Any


class _StructlogWithoutRich:
    """structlog's development module imports rich, when installed, for coloured tracebacks
    govflow never writes (its log lines are JSON): about a tenth of a command's start-up.
    Rich is hidden while that one module loads, and stays importable for anything else.
    A finder, not an import here: commands that log nothing (``govflow deadline``) load
    no structlog at all."""

    def find_spec(self, name: str, path: _Any = None, target: _Any = None) -> _ModuleSpec | None:
        if name != "structlog.dev" or "rich" in _sys.modules:
            return None
        spec = _PathFinder.find_spec(name, path)
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        load = loader.exec_module

        def exec_module(module: _Any) -> None:
            _sys.modules["rich"] = None  # type: ignore[assignment]
            try:
                load(module)
            finally:
                del _sys.modules["rich"]

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


_sys.meta_path.insert(0, _StructlogWithoutRich())
